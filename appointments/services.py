"""Writes of service appointments: book, cancel, confirm, record a no-show or the visit."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from appointments.enums import HOLDING_STATUSES, AppointmentKind, AppointmentStatus
from appointments.exceptions import (
    AlreadyBooked,
    AppointmentNotFound,
    AppointmentNotOpen,
    InvalidSlot,
    NotYourVehicle,
    SlotFull,
    StoreUnavailable,
)
from appointments.lock_objects import appointment_qs_select_for_update, service_capacity_qs_select_for_update
from appointments.models import Appointment, ServiceCapacity
from appointments.selectors import appointments_visible_to
from appointments.slots import bookable_dates, slot_starts
from members.selectors import list_active_stores
from vehicles import selectors as vehicle_selectors
from vehicles import services as vehicle_services
from vehicles.enums import InspectionResult, RecordSource


def _capacity_for_update(*, store_id: int) -> ServiceCapacity:
    """The store's capacity row, created with the default the first time, then locked: every booking of the store
    waits here, so counting the slot's places and taking one cannot interleave."""
    try:
        with transaction.atomic():
            ServiceCapacity.objects.get_or_create(store_id=store_id)
    except IntegrityError:
        pass  # created by a concurrent booking
    return service_capacity_qs_select_for_update().get(store_id=store_id)


@transaction.atomic
def book_appointment(
    *, member_id: int, vehicle_id: int, store_id: int, kind: str, date: datetime.date, slot: datetime.time, note=""
) -> Appointment:
    """Book a place in a store's hourly slot for one of the member's cars. A full slot is refused (409
    ``slot_full``); two bookings racing for the last place give one (the capacity row is locked first)."""
    if vehicle_selectors.get_member_vehicle(member_id=member_id, vehicle_id=vehicle_id) is None:
        raise NotYourVehicle()
    if kind not in AppointmentKind.values:
        raise ValueError(f"Unknown appointment kind {kind!r}")
    store = list_active_stores().filter(pk=store_id).first()
    if store is None:
        raise StoreUnavailable()
    first_day, last_day = bookable_dates(today=timezone.localdate())
    if not first_day <= date <= last_day or slot not in slot_starts(store.opening_hours):
        raise InvalidSlot()
    capacity = _capacity_for_update(store_id=store.pk)
    taken = Appointment.objects.filter(store=store, date=date, slot=slot, status__in=HOLDING_STATUSES).count()
    if taken >= capacity.cars_per_slot:
        raise SlotFull()
    if Appointment.objects.filter(vehicle_id=vehicle_id, date=date, status__in=HOLDING_STATUSES).exists():
        raise AlreadyBooked()
    try:
        with transaction.atomic():
            return Appointment.objects.create(
                member_id=member_id, vehicle_id=vehicle_id, store=store, kind=kind, date=date, slot=slot,
                note=note[:200],
            )  # fmt: skip
    except IntegrityError:
        # The same car booked at another store at this very moment (each store has its own lock).
        raise AlreadyBooked() from None


@transaction.atomic
def cancel_appointment(*, member_id: int, appointment_id: int) -> Appointment:
    appointment = appointment_qs_select_for_update().filter(pk=appointment_id, member_id=member_id).first()
    if appointment is None:
        raise AppointmentNotFound()
    if not appointment.is_open:
        raise AppointmentNotOpen()
    appointment.status = AppointmentStatus.CANCELLED
    appointment.save(update_fields=["status", "updated_at"])
    return appointment


def _staff_appointment_for_update(*, user, appointment_id: int) -> Appointment:
    """The booking, locked, if this staff account may see its store (another store's is "not found")."""
    visible = appointments_visible_to(user=user).filter(pk=appointment_id)
    appointment = appointment_qs_select_for_update().filter(pk__in=visible.values("pk")).first()
    if appointment is None:
        raise AppointmentNotFound()
    if not appointment.is_open:
        raise AppointmentNotOpen()
    return appointment


@transaction.atomic
def confirm_appointment(*, user, appointment_id: int) -> Appointment:
    appointment = _staff_appointment_for_update(user=user, appointment_id=appointment_id)
    appointment.status, appointment.handled_by = AppointmentStatus.CONFIRMED, user
    appointment.save(update_fields=["status", "handled_by", "updated_at"])
    return appointment


@transaction.atomic
def record_no_show(*, user, appointment_id: int) -> Appointment:
    appointment = _staff_appointment_for_update(user=user, appointment_id=appointment_id)
    appointment.status, appointment.handled_by = AppointmentStatus.NO_SHOW, user
    appointment.save(update_fields=["status", "handled_by", "updated_at"])
    return appointment


@transaction.atomic
def record_visit(
    *,
    user,
    appointment_id: int,
    mileage_km: int,
    description: str,
    customer_amount: Decimal = Decimal("0"),
    dealer_reference: str = "",
    tyres_replaced: bool = False,
) -> Appointment:
    """The car came: its service record is written (or the dealer system's work order linked, by its number), which
    moves the car's next due dates and emits ``vehicle.serviced`` (points by payer, surveys). An inspection visit
    also records a passed inspection. This closes the reminder cycle: the next reminders are for the next due."""
    appointment = _staff_appointment_for_update(user=user, appointment_id=appointment_id)
    is_maintenance = appointment.kind == AppointmentKind.MAINTENANCE
    record = vehicle_services.record_service_visit(
        vehicle_id=appointment.vehicle_id, dealer_reference=dealer_reference.strip() or f"APPT-{appointment.pk}",
        serviced_on=appointment.date, mileage_km=mileage_km, description=description[:200],
        is_maintenance=is_maintenance, amounts={"customer_amount": customer_amount}, tyres_replaced=tyres_replaced,
    )  # fmt: skip
    if appointment.kind == AppointmentKind.INSPECTION:
        vehicle_services.record_inspection(
            vehicle_id=appointment.vehicle_id, inspected_on=min(appointment.date, timezone.localdate()),
            result=InspectionResult.PASSED, source=RecordSource.STAFF, station=appointment.store.name,
        )  # fmt: skip
    appointment.status, appointment.handled_by, appointment.service_record = AppointmentStatus.VISITED, user, record
    appointment.save(update_fields=["status", "handled_by", "service_record", "updated_at"])
    return appointment


@transaction.atomic
def set_store_capacity(*, store_id: int, cars_per_slot: int) -> ServiceCapacity:
    capacity = _capacity_for_update(store_id=store_id)
    capacity.cars_per_slot = cars_per_slot
    capacity.save(update_fields=["cars_per_slot"])
    return capacity
