"""Row locks for domain events, taken only by domain_events.services."""

from domain_events.models import DomainEvent


def unhandled_event_select_for_update_skip_locked(*, event_id: int) -> DomainEvent | None:
    """The event, locked, unless it is handled already or another dispatcher holds it right now (then None)."""
    return DomainEvent.objects.filter(pk=event_id, handled_at__isnull=True).select_for_update(skip_locked=True).first()
