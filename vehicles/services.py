"""Writes of the vehicles app: stock reservations and owned vehicles."""

import datetime
import re

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils.translation import gettext as _

from domain_events.services import record_event
from notifications.catalog import language_of, render, resolve_text
from notifications.models import Category, Channel
from notifications.services import queue_notification
from vehicles.enums import UnitStatus
from vehicles.exceptions import (
    InvalidPlate,
    MileageCannotDecrease,
    MileageTooHigh,
    NoVehicleInStock,
    VehicleNotFound,
    VehicleUnitUnavailable,
)
from vehicles.lock_objects import vehicle_unit_qs_select_for_update
from vehicles.maintenance import next_service_due
from vehicles.models import OwnedVehicle, ServiceRecord, Trim, VehicleUnit

# Mainland plates: province character, a letter, then 5 (petrol) or 6 (new energy) letters/digits.
_PLATE = re.compile(r"^[\u4e00-\u9fa5][A-Z][·.]?[A-Z0-9]{5,6}$")


@transaction.atomic
def reserve_vehicle_unit(*, store_id: int, trim: Trim, vin: str = "") -> VehicleUnit:
    """Reserve a car for an order: the given VIN, or the longest-waiting unit of the trim in the store.

    The row lock means one unit is never reserved twice; skip_locked lets a concurrent reservation take the next car.
    """
    if vin:
        unit = vehicle_unit_qs_select_for_update().filter(vin=vin.strip().upper()).first()
        if unit is None or unit.status != UnitStatus.IN_STOCK or unit.trim_id != trim.pk or unit.store_id != store_id:
            raise VehicleUnitUnavailable()
    else:
        unit = (
            VehicleUnit.objects.filter(store_id=store_id, trim=trim, status=UnitStatus.IN_STOCK)
            .order_by("arrived_at", "pk")
            .select_for_update(of=("self",), skip_locked=True)
            .first()
        )
        if unit is None:
            raise NoVehicleInStock()
    unit.status = UnitStatus.RESERVED
    unit.save(update_fields=["status"])
    return unit


@transaction.atomic
def release_vehicle_unit(*, unit_id: int) -> VehicleUnit:
    unit = vehicle_unit_qs_select_for_update().get(pk=unit_id)
    if unit.status == UnitStatus.RESERVED:
        unit.status = UnitStatus.IN_STOCK
        unit.save(update_fields=["status"])
    return unit


def normalize_plate(raw: str) -> str:
    plate = (raw or "").strip().upper().replace(" ", "").replace(".", "·")
    if not _PLATE.match(plate):
        raise InvalidPlate()
    return plate if "·" in plate else f"{plate[:2]}·{plate[2:]}"


@transaction.atomic
def hand_over_vehicle_unit(*, unit_id: int, member_id: int, plate: str, delivered_on: datetime.date) -> OwnedVehicle:
    """Mark the reserved unit delivered and record it as the member's car (mileage 0)."""
    unit = vehicle_unit_qs_select_for_update().get(pk=unit_id)
    if unit.status != UnitStatus.RESERVED:
        raise VehicleUnitUnavailable()
    unit.status = UnitStatus.DELIVERED
    unit.save(update_fields=["status"])
    first_service = next_service_due(
        delivered_on=delivered_on, last_service_on=None, last_service_km=None, car_model=unit.trim.car_model
    )
    return OwnedVehicle.objects.create(
        member_id=member_id, trim=unit.trim, vin=unit.vin, plate=normalize_plate(plate), delivered_on=delivered_on,
        next_service_on=first_service.on, next_service_km=first_service.at_km,
        # A new car's first inspection is due after six years in mainland China; its insurance after one.
        inspection_due_on=delivered_on + relativedelta(years=6), insurance_due_on=delivered_on + relativedelta(years=1),
    )  # fmt: skip


# No car in service drives further: a larger number is a typing mistake (the API's schema says the same).
MAX_MILEAGE_KM = 2_000_000


@transaction.atomic
def update_mileage(*, vehicle_id: int, member_id: int, mileage_km: int) -> OwnedVehicle:
    """The member reports their mileage; it may stay the same or go up, never down."""
    vehicle = (
        OwnedVehicle.objects.select_for_update(of=("self",))
        .select_related("member")
        .filter(pk=vehicle_id, member_id=member_id)
        .first()
    )
    if vehicle is None:
        raise VehicleNotFound()
    if mileage_km > MAX_MILEAGE_KM:
        raise MileageTooHigh()
    if mileage_km < vehicle.mileage_km:
        raise MileageCannotDecrease()
    previous = vehicle.mileage_km
    vehicle.mileage_km = mileage_km
    vehicle.save(update_fields=["mileage_km"])
    _congratulate_milestones(vehicle=vehicle, previous_km=previous)
    _remind_service_by_distance(vehicle=vehicle, previous_km=previous)
    return vehicle


# "Whichever comes first": the date rule runs each morning; the distance rule fires when the mileage gets close.
SERVICE_DUE_WITHIN_KM = 500


def _remind_service_by_distance(*, vehicle: OwnedVehicle, previous_km: int) -> None:
    if not vehicle.next_service_km:
        return
    threshold = vehicle.next_service_km - SERVICE_DUE_WITHIN_KM
    if previous_km < threshold <= vehicle.mileage_km:
        context = {
            "name": vehicle.member.name or _("Dear member"),
            "plate": vehicle.plate,
            "due": vehicle.next_service_on.isoformat() if vehicle.next_service_on else "",
            "km": vehicle.next_service_km,
        }
        for channel in (Channel.INBOX, Channel.SMS):
            subject, body = resolve_text(
                event="vehicle.maintenance_due", channel=channel, language=language_of(vehicle.member.user)
            )
            queue_notification(
                recipient_id=vehicle.member.user_id, event="vehicle.maintenance_due", subject=render(subject, context),
                body=render(body, context), dedupe_key=f"vehicle.maintenance_km:{vehicle.pk}:{vehicle.next_service_km}",
                channels=(channel,), category=Category.SERVICE, link="/me/cars/",
            )  # fmt: skip


MILEAGE_MILESTONES_KM = (10_000, 30_000, 50_000)


def _congratulate_milestones(*, vehicle: OwnedVehicle, previous_km: int) -> None:
    """A message when the car passes 10,000 / 30,000 / 50,000 km, once per milestone (its dedupe key)."""
    for milestone in MILEAGE_MILESTONES_KM:
        if previous_km < milestone <= vehicle.mileage_km:
            context = {"plate": vehicle.plate, "km": f"{milestone:,}"}
            for channel in (Channel.INBOX, Channel.SMS):
                subject, body = resolve_text(
                    event="vehicle.mileage_milestone", channel=channel, language=language_of(vehicle.member.user)
                )
                queue_notification(
                    recipient_id=vehicle.member.user_id, event="vehicle.mileage_milestone",
                    subject=render(subject, context), body=render(body, context),
                    dedupe_key=f"vehicle.mileage:{vehicle.pk}:{milestone}", channels=(channel,),
                    category=Category.SERVICE, link="/me/cars/",
                )  # fmt: skip


@transaction.atomic
def record_service_visit(
    *,
    vehicle_id: int,
    dealer_reference: str,
    serviced_on,
    mileage_km: int,
    description: str,
    is_maintenance: bool,
    amounts: dict,
) -> ServiceRecord:
    """Record a repair or maintenance visit (e.g. from a dealer export); maintenance moves the next-service date and
    the mileage never goes down. The same dealer reference twice records once."""
    existing = ServiceRecord.objects.filter(dealer_reference=dealer_reference).first()
    if existing is not None:
        return existing
    vehicle = OwnedVehicle.objects.select_for_update().select_related("trim__car_model").get(pk=vehicle_id)
    record = ServiceRecord.objects.create(
        vehicle=vehicle, dealer_reference=dealer_reference, serviced_on=serviced_on, mileage_km=mileage_km,
        description=description, is_maintenance=is_maintenance, **amounts,
    )  # fmt: skip
    vehicle.mileage_km = max(vehicle.mileage_km, mileage_km)
    if is_maintenance:
        due = next_service_due(
            delivered_on=vehicle.delivered_on, last_service_on=serviced_on, last_service_km=mileage_km,
            car_model=vehicle.trim.car_model,
        )  # fmt: skip
        vehicle.next_service_on, vehicle.next_service_km = due.on, due.at_km
    vehicle.save(update_fields=["mileage_km", "next_service_on", "next_service_km"])
    # Service spend earns points by who paid (points' rule): a domain event in this transaction, handled after
    # commit by vehicles.handlers, once per dealer reference.
    record_event(name="vehicle.serviced", payload={"service_record_id": record.pk})
    return record
