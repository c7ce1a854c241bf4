"""Writes of the vehicles app: stock reservations and owned vehicles."""

import datetime
import re

from dateutil.relativedelta import relativedelta
from django.db import transaction

from vehicles.enums import UnitStatus
from vehicles.exceptions import (
    InvalidPlate,
    MileageCannotDecrease,
    NoVehicleInStock,
    VehicleNotFound,
    VehicleUnitUnavailable,
)
from vehicles.lock_objects import vehicle_unit_qs_select_for_update
from vehicles.models import OwnedVehicle, Trim, VehicleUnit

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
    return OwnedVehicle.objects.create(
        member_id=member_id, trim=unit.trim, vin=unit.vin, plate=normalize_plate(plate), delivered_on=delivered_on,
        # A new car's first inspection is due after six years in mainland China; its insurance after one.
        inspection_due_on=delivered_on + relativedelta(years=6), insurance_due_on=delivered_on + relativedelta(years=1),
    )  # fmt: skip


@transaction.atomic
def update_mileage(*, vehicle_id: int, member_id: int, mileage_km: int) -> OwnedVehicle:
    """The member reports their mileage; it may stay the same or go up, never down."""
    vehicle = OwnedVehicle.objects.select_for_update().filter(pk=vehicle_id, member_id=member_id).first()
    if vehicle is None:
        raise VehicleNotFound()
    if mileage_km < vehicle.mileage_km:
        raise MileageCannotDecrease()
    vehicle.mileage_km = mileage_km
    vehicle.save(update_fields=["mileage_km"])
    return vehicle
