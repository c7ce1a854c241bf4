"""Row locks for owner events, taken only by its services, always in primary-key order."""

from crm.owner_events.models import EventRegistration, OwnerEvent


def owner_event_qs_select_for_update():
    return OwnerEvent.objects.order_by("pk").select_for_update(of=("self",))


def registration_qs_select_for_update():
    return EventRegistration.objects.order_by("pk").select_for_update(of=("self",))
