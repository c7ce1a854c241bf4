"""Reads of owner events: the member's list with places left and their own status, and the staff's views, scoped
to the stores they may see."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from crm.owner_events.enums import RegistrationStatus
from crm.owner_events.models import EventRegistration, OwnerEvent
from members.selectors import store_ids_visible_to

_HOLDS_A_PLACE = [RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED]


def _with_counts(events: QuerySet[OwnerEvent]) -> QuerySet[OwnerEvent]:
    return events.select_related("store").annotate(
        places_taken=Count("registrations", filter=Q(registrations__status__in=_HOLDS_A_PLACE)),
        waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
    )


def list_upcoming_events(*, member_id: int | None = None) -> QuerySet[OwnerEvent]:
    """Published events still to come, soonest first, each with ``places_taken``, ``waiting`` and (for a member)
    ``my_status``: one query whatever the number of events and registrations."""
    events = _with_counts(OwnerEvent.objects.filter(is_published=True, starts_at__gt=timezone.now()))
    if member_id is not None:
        mine = EventRegistration.objects.filter(event=OuterRef("pk"), member_id=member_id).exclude(
            status=RegistrationStatus.CANCELLED
        )
        events = events.annotate(my_status=Subquery(mine.values("status")[:1]))
    return events.order_by("starts_at", "pk")


def get_my_registration(*, member_id: int, event_id: int) -> EventRegistration | None:
    return (
        EventRegistration.objects.filter(member_id=member_id, event_id=event_id)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )


def waiting_position(registration: EventRegistration) -> int | None:
    """1 for the first on the waiting list; None when the registration holds a place or is not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = EventRegistration.objects.filter(
        event_id=registration.event_id, status=RegistrationStatus.WAITLISTED
    ).filter(
        Q(registered_at__lt=registration.registered_at)
        | Q(registered_at=registration.registered_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def owner_events_visible_to(*, user) -> QuerySet[OwnerEvent]:
    store_ids = store_ids_visible_to(user=user)
    if store_ids is None:
        return OwnerEvent.objects.all()
    return OwnerEvent.objects.filter(store_id__in=store_ids)


def registrations_visible_to(*, user) -> QuerySet[EventRegistration]:
    store_ids = store_ids_visible_to(user=user)
    if store_ids is None:
        return EventRegistration.objects.all()
    return EventRegistration.objects.filter(event__store_id__in=store_ids)


def list_store_events(*, user) -> QuerySet[OwnerEvent]:
    """The staff's list: their stores' events, newest first, with counts (one query)."""
    return _with_counts(owner_events_visible_to(user=user)).order_by("-starts_at", "-pk")


def list_event_registrations(*, user, event_id: int) -> QuerySet[EventRegistration]:
    return (
        registrations_visible_to(user=user)
        .filter(event_id=event_id)
        .select_related("member__user")
        .order_by("registered_at", "pk")
    )
