"""Owner events: registration within capacity, the waiting list, check-in at the store with points for attending,
and invitations to a segment (through the campaign engine, crm/campaigns.py).

Every registration change of an event runs under that event's row lock, so places are counted and given out one
transaction at a time: racing registrations never exceed capacity, and a freed place goes to the first on the
waiting list exactly once."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.campaigns import count_segment, schedule_campaign
from crm.models import Campaign
from crm.owner_events.enums import ACTIVE_STATUSES, RegistrationStatus
from crm.owner_events.exceptions import (
    CheckInNotPossible,
    EmptyInvitationSegment,
    EventClosed,
    EventNotFound,
    NotRegistered,
)
from crm.owner_events.lock_objects import owner_event_qs_select_for_update, registration_qs_select_for_update
from crm.owner_events.models import EventRegistration, OwnerEvent
from crm.owner_events.selectors import owner_events_visible_to, registrations_visible_to
from members.selectors import store_ids_visible_to
from notifications.services import queue_notification
from points.enums import EarnEvent
from points.services import earn_points

_EVENTS_LINK = "/me/events/"
_HOLDS_A_PLACE = [RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED]


def _locked_open_event(event_id: int) -> OwnerEvent:
    event = owner_event_qs_select_for_update().filter(pk=event_id, is_published=True).first()
    if event is None:
        raise EventNotFound()
    if event.starts_at <= timezone.now():
        raise EventClosed()
    return event


def _places_taken(event: OwnerEvent) -> int:
    return event.registrations.filter(status__in=_HOLDS_A_PLACE).count()


@transaction.atomic
def register_for_event(*, member_id: int, event_id: int) -> EventRegistration:
    """A place while there is one, else a place on the waiting list. Registering again answers the registration the
    member already has."""
    event = _locked_open_event(event_id)
    existing = event.registrations.filter(member_id=member_id, status__in=ACTIVE_STATUSES).first()
    if existing is not None:
        return existing
    status = RegistrationStatus.REGISTERED if _places_taken(event) < event.capacity else RegistrationStatus.WAITLISTED
    return EventRegistration.objects.create(event=event, member_id=member_id, status=status)


@transaction.atomic
def cancel_registration(*, member_id: int, event_id: int) -> EventRegistration:
    """The member cancels; a place they held goes to the first on the waiting list, who is told at once."""
    event = _locked_open_event(event_id)
    registration = (
        registration_qs_select_for_update()
        .filter(
            event=event, member_id=member_id, status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED]
        )
        .first()
    )
    if registration is None:
        raise NotRegistered()
    held_a_place = registration.status == RegistrationStatus.REGISTERED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    if held_a_place:
        _move_up_waiting_list(event)
    return registration


def _move_up_waiting_list(event: OwnerEvent) -> list[EventRegistration]:
    """Give every free place to the waiting list in order of registration (called under the event's lock)."""
    free = event.capacity - _places_taken(event)
    if free <= 0:
        return []
    waiting = list(
        registration_qs_select_for_update()
        .filter(event=event, status=RegistrationStatus.WAITLISTED)
        .select_related("member")
        .order_by("registered_at", "pk")[:free]
    )
    now = timezone.now()
    for registration in waiting:
        registration.status = RegistrationStatus.REGISTERED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        queue_notification(
            recipient_id=registration.member.user_id, event="owner_event.place_freed",
            subject=_("A place is yours: %(title)s") % {"title": event.title},
            body=_("Good news! A place has freed up for %(title)s on %(when)s at %(place)s, and it is now yours. "
                   "We look forward to seeing you.")
            % {"title": event.title, "when": timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M"),
               "place": event.place},
            dedupe_key=f"owner-event-place:{registration.pk}", link=_EVENTS_LINK,
        )  # fmt: skip
    return waiting


@transaction.atomic
def check_in(*, registration_id: int, staff) -> EventRegistration:
    """Store staff check a member in at the event; attending earns the attendance rule's points once. Checking in
    twice changes nothing."""
    visible = registrations_visible_to(user=staff).filter(pk=registration_id).values_list("pk", flat=True).first()
    if visible is None:
        raise EventNotFound()
    registration = registration_qs_select_for_update().select_related("event").get(pk=visible)
    if registration.status == RegistrationStatus.ATTENDED:
        return registration
    if registration.status != RegistrationStatus.REGISTERED:
        raise CheckInNotPossible()
    registration.status = RegistrationStatus.ATTENDED
    registration.checked_in_at = timezone.now()
    registration.checked_in_by = staff
    registration.save(update_fields=["status", "checked_in_at", "checked_in_by"])
    earn_points(
        member_id=registration.member_id, event=EarnEvent.EVENT_ATTENDANCE,
        idempotency_key=f"event-attendance:{registration.pk}", source=f"owner_event:{registration.event_id}",
        reason=registration.event.title,
    )  # fmt: skip
    return registration


def invitation_filters(
    *,
    staff,
    event: OwnerEvent,
    city: str = "",
    car_model_id: int | None = None,
    tier: str = "",
    lifecycle: str = "",
    tag_id: int | None = None,
) -> dict:
    """The segment an invitation goes to, as campaign filters (city, car model owned, value tier, lifecycle, tag).
    Store staff reach their own store's members only; head office any member of the city, or of the event's store
    when no city is given."""
    filters = {
        "city": city.strip(),
        "car_model_id": car_model_id,
        "tier": tier,
        "lifecycle": lifecycle,
        "tag_id": tag_id,
    }
    if store_ids_visible_to(user=staff) is not None or not filters["city"]:
        filters["store_id"] = event.store_id
    return filters


@transaction.atomic
def invite_to_event(
    *,
    event_id: int,
    staff,
    city: str = "",
    car_model_id: int | None = None,
    tier: str = "",
    lifecycle: str = "",
    tag_id: int | None = None,
) -> Campaign:
    """Invite a segment to an event: a campaign carrying the event's details, written to the outbox at once (inbox
    and SMS, under the campaign engine's quiet hours and marketing opt-outs)."""
    event = owner_events_visible_to(user=staff).filter(pk=event_id, is_published=True).first()
    if event is None:
        raise EventNotFound()
    when = timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M")
    campaign = Campaign.objects.create(
        name=_("Invitation: %(title)s") % {"title": event.title}, send_sms=True,
        subject=_("You are invited: %(title)s") % {"title": event.title},
        body=_("{name}, you are warmly invited to %(title)s on %(when)s at %(place)s. Places are limited: please "
               "register in the member center.") % {"title": event.title, "when": when, "place": event.place},
        created_by=staff,
        **invitation_filters(
            staff=staff, event=event, city=city, car_model_id=car_model_id, tier=tier, lifecycle=lifecycle,
            tag_id=tag_id,
        ),
    )  # fmt: skip
    if count_segment(campaign) == 0:
        raise EmptyInvitationSegment()
    return schedule_campaign(campaign_id=campaign.pk, actor=staff)
