"""Car-care demo data, loaded idempotently: insurance policies, inspections and service bookings for the demo's cars."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from appointments.enums import AppointmentKind
from appointments.models import Appointment
from appointments.services import book_appointment
from appointments.slots import slot_starts
from members.selectors import list_active_stores
from vehicles.enums import InspectionResult, RecordSource
from vehicles.models import OwnedVehicle
from vehicles.services import record_inspection, record_insurance_policy

INSURERS = ("中国平安", "中国人保", "太平洋保险")


@transaction.atomic
def seed_car_care_demo() -> None:
    today = timezone.localdate()
    stores = list(list_active_stores())
    if not stores:
        return
    cars = list(OwnedVehicle.objects.order_by("pk")[:6])
    for index, car in enumerate(cars):
        starts_on = today - relativedelta(months=11) + datetime.timedelta(days=index)
        record_insurance_policy(
            vehicle_id=car.pk, insurer=INSURERS[index % len(INSURERS)], policy_number=f"DEMO{car.pk:06d}",
            starts_on=starts_on, ends_on=starts_on + relativedelta(years=1), source=RecordSource.STAFF,
        )  # fmt: skip
        record_inspection(
            vehicle_id=car.pk, inspected_on=min(car.delivered_on, today), result=InspectionResult.PASSED,
            source=RecordSource.STAFF, station="深圳市机动车检测站",
        )  # fmt: skip
        if Appointment.objects.filter(vehicle=car).exists():
            continue
        kind = (AppointmentKind.MAINTENANCE, AppointmentKind.INSURANCE, AppointmentKind.REPAIR)[index % 3]
        store = stores[index % len(stores)]
        slots = slot_starts(store.opening_hours)
        book_appointment(
            member_id=car.member_id, vehicle_id=car.pk, store_id=store.pk, kind=kind,
            date=today + datetime.timedelta(days=1 + index % 3), slot=slots[index % len(slots)], note="演示预约",
        )  # fmt: skip
