"""Every write of roadside rescue: a member (or an agent for a caller) asks for help, staff move it along, the
member cancels while help has not arrived. Each step is timed, written as an event and told to the member once
(in-app and SMS through the outbox, keyed by request and status)."""

import decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.care.rescue.enums import (
    CANCELLABLE_STATUSES,
    STATUS_TIME_FIELDS,
    TRANSITIONS,
    RescueChannel,
    RescueStatus,
)
from crm.care.rescue.exceptions import (
    InvalidRescueLocation,
    InvalidRescueVehicle,
    RescueAlreadyOpen,
    RescueNotCancellable,
    RescueRoleNotAllowed,
    RescueStepNotAllowed,
    UnknownRescueStep,
)
from crm.care.rescue.lock_objects import rescue_request_qs_select_for_update
from crm.care.rescue.messages import step_event
from crm.care.rescue.models import RescueEvent, RescueRequest
from crm.care.rescue.selectors import get_member_rescue, get_rescue_for_staff, may_move_rescues
from notifications.catalog import language_of, render, resolve_text
from notifications.models import Category, Channel
from notifications.services import queue_notification
from orders.selectors import delivering_store_id
from vehicles.selectors import list_member_vehicles

COORDINATE = decimal.Decimal("0.000001")


def _coordinates(latitude, longitude) -> tuple[decimal.Decimal | None, decimal.Decimal | None]:
    """Both or neither, in range; anything else is dropped (a browser that offered nothing usable)."""
    if latitude is None or longitude is None:
        return None, None
    try:
        lat = decimal.Decimal(str(latitude)).quantize(COORDINATE)
        lon = decimal.Decimal(str(longitude)).quantize(COORDINATE)
    except (decimal.InvalidOperation, ValueError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


@transaction.atomic
def request_rescue(
    *,
    member,
    vehicle_id: int,
    kind: str,
    actor,
    location: str = "",
    latitude=None,
    longitude=None,
    note: str = "",
    store=None,
) -> RescueRequest:
    """Ask for help with one of the member's own cars (someone else's car is refused as an invalid choice). The help
    comes from ``store`` when an agent chose one, else from the store that handed the car over, else the member's
    own store. ``actor`` is the member, or the agent logging a caller's request."""
    vehicle = list_member_vehicles(member_id=member.pk).filter(pk=vehicle_id).first()
    if vehicle is None:
        raise InvalidRescueVehicle
    location = location.strip()[:200]
    latitude, longitude = _coordinates(latitude, longitude)
    if not location and latitude is None:
        raise InvalidRescueLocation
    store_id = store.pk if store is not None else (delivering_store_id(vin=vehicle.vin) or member.preferred_store_id)
    is_agent = actor.is_staff
    try:
        with transaction.atomic():
            rescue = RescueRequest.objects.create(
                member=member, vehicle=vehicle, store_id=store_id, kind=kind, location=location, latitude=latitude,
                longitude=longitude, note=note.strip()[:500], created_by=actor,
                channel=RescueChannel.CALL_CENTER if is_agent else RescueChannel.MEMBER,
            )  # fmt: skip
    except IntegrityError as error:
        raise RescueAlreadyOpen from error
    RescueEvent.objects.create(
        request=rescue, status=RescueStatus.REQUESTED, actor=actor, created_at=rescue.requested_at
    )
    return rescue


def _move(*, rescue: RescueRequest, target: str, actor, note: str) -> RescueRequest:
    now = timezone.now()
    rescue.status = target
    setattr(rescue, STATUS_TIME_FIELDS[target], now)
    rescue.save(update_fields=["status", STATUS_TIME_FIELDS[target]])
    RescueEvent.objects.create(request=rescue, status=target, actor=actor, note=note.strip()[:500], created_at=now)
    _tell_member(rescue=rescue)
    return rescue


def _tell_member(*, rescue: RescueRequest) -> None:
    """In-app and SMS, once per request and status (the key), at once (transactional: the member is waiting)."""
    event = step_event(rescue.status)
    store = rescue.store
    context = {
        "name": rescue.member.name or rescue.member.real_name or "",
        "plate": rescue.vehicle.plate,
        "kind": rescue.get_kind_display(),
        "store": store.name if store else "",
        "store_phone": store.phone if store else "",
    }
    for channel in (Channel.INBOX, Channel.SMS):
        subject, body = resolve_text(event=event, channel=channel, language=language_of(rescue.member.user))
        queue_notification(
            recipient_id=rescue.member.user_id, event=event, subject=render(subject, context),
            body=render(body, context), dedupe_key=f"rescue:{rescue.pk}:{rescue.status}", channels=[channel],
            category=Category.TRANSACTIONAL, link=f"/me/rescue/{rescue.pk}/",
        )  # fmt: skip


@transaction.atomic
def apply_rescue_transition(*, rescue_id: int, name: str, actor, note: str = "") -> RescueRequest:
    """A staff step (``dispatch``, ``depart``, ``arrive``, ``complete``, ``cancel``) on a rescue the actor sees.
    Another store's rescue is not found; a step the status does not permit is 409 (cancelling after arrival too)."""
    if name not in TRANSITIONS:
        raise UnknownRescueStep
    get_rescue_for_staff(user=actor, rescue_id=rescue_id)  # another store's rescue: 404 before anything else
    if not may_move_rescues(user=actor):
        raise RescueRoleNotAllowed
    rescue = rescue_request_qs_select_for_update().select_related("member", "vehicle", "store").get(pk=rescue_id)
    sources, target = TRANSITIONS[name]
    if rescue.status not in sources:
        if name == "cancel" and rescue.status == RescueStatus.ARRIVED:
            raise RescueNotCancellable
        raise RescueStepNotAllowed
    return _move(rescue=rescue, target=target, actor=actor, note=note)


@transaction.atomic
def cancel_rescue_by_member(*, member, rescue_id: int) -> RescueRequest:
    """The member calls it off while help has not arrived; after that it is 409."""
    get_member_rescue(member=member, rescue_id=rescue_id)
    rescue = rescue_request_qs_select_for_update().select_related("member", "vehicle", "store").get(pk=rescue_id)
    if rescue.status not in CANCELLABLE_STATUSES:
        raise RescueNotCancellable
    return _move(rescue=rescue, target=RescueStatus.CANCELLED, actor=member.user, note="")
