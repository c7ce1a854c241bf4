"""Booking a service: the API per the contract, refusals that change nothing, the back office scoped by store, and a
visit that closes the reminder cycle."""

import datetime
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.utils import timezone

from appointments.exceptions import AppointmentNotFound
from appointments.models import Appointment, ServiceCapacity
from appointments.services import book_appointment, confirm_appointment, record_no_show, record_visit
from domain_events.models import DomainEvent
from members.services import issue_access_token
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory
from tests.vehicles.factories import OwnedVehicleFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/appointments/"


def _tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def car(member):
    return OwnedVehicleFactory(member=member, delivered_on=datetime.date(2025, 1, 10), next_service_km=5000)


def _body(car, store, **changes):
    return {"vehicle": car.pk, "store": store.pk, "kind": "maintenance", "date": _tomorrow().isoformat(),
            "slot": "10:00", **changes}  # fmt: skip


def test_a_member_books_a_slot_and_lists_it(member_client, car, store):
    response = member_client.post(URL, _body(car, store), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["vehicle"], body["store"], body["kind"], body["slot"], body["status"]) == (
        car.pk, store.pk, "maintenance", "10:00", "booked",
    )  # fmt: skip
    listed = member_client.get(URL).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]


def test_a_full_slot_is_409_and_books_nothing(member_client, car, store):
    ServiceCapacity.objects.create(store=store, cars_per_slot=1)
    other = OwnedVehicleFactory()
    book_appointment(member_id=other.member_id, vehicle_id=other.pk, store_id=store.pk, kind="repair",
                     date=_tomorrow(), slot=datetime.time(10))  # fmt: skip
    response = member_client.post(URL, _body(car, store), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "slot_full"
    assert not Appointment.objects.filter(vehicle=car).exists()
    # The next hour is free.
    assert member_client.post(URL, _body(car, store, slot="11:00"), format="json").status_code == 201


def test_a_car_of_someone_else_is_400(member_client, store):
    someone_elses = OwnedVehicleFactory()
    response = member_client.post(URL, _body(someone_elses, store), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "not_your_vehicle"
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(
    ("slot", "days_ahead"),
    [("10:30", 1), ("08:00", 1), ("18:00", 1), ("10:00", 0), ("10:00", 61)],
)
def test_slots_start_on_the_hour_within_opening_hours_from_tomorrow(member_client, car, store, slot, days_ahead):
    date = timezone.localdate() + datetime.timedelta(days=days_ahead)
    response = member_client.post(URL, _body(car, store, slot=slot, date=date.isoformat()), format="json")
    assert response.status_code == 400
    assert response.json()["code"] in ("invalid_slot", "invalid")
    assert Appointment.objects.count() == 0


def test_the_last_slot_ends_at_closing_time(member_client, car, store):
    assert member_client.post(URL, _body(car, store, slot="17:00"), format="json").status_code == 201


def test_one_booking_per_car_and_day(member_client, car, store):
    assert member_client.post(URL, _body(car, store), format="json").status_code == 201
    response = member_client.post(URL, _body(car, store, slot="14:00"), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "already_booked"


def test_a_visit_closes_the_reminder_cycle_and_emits_vehicle_serviced(car, store):
    staff = StaffFactory(role="store_staff", store=store)
    appointment = book_appointment(member_id=car.member_id, vehicle_id=car.pk, store_id=store.pk,
                                   kind="maintenance", date=_tomorrow(), slot=datetime.time(9))  # fmt: skip
    confirm_appointment(user=staff, appointment_id=appointment.pk)
    record_visit(user=staff, appointment_id=appointment.pk, mileage_km=4800, description="首保",
                 customer_amount=Decimal("380.00"))  # fmt: skip
    appointment.refresh_from_db()
    car.refresh_from_db()
    assert appointment.status == "visited"
    record = appointment.service_record
    assert (record.dealer_reference, record.mileage_km, record.customer_amount) == (
        f"APPT-{appointment.pk}", 4800, Decimal("380.00"),
    )  # fmt: skip
    # The next service is counted from this visit: the reminders now wait for the next due date.
    interval = car.trim.car_model.service_interval_months
    assert car.next_service_on == _tomorrow() + relativedelta(months=interval)
    assert car.next_service_km == 4800 + car.trim.car_model.service_interval_km
    assert DomainEvent.objects.filter(name="vehicle.serviced", payload={"service_record_id": record.pk}).exists()


def test_an_inspection_visit_records_a_passed_inspection(car, store):
    staff = StaffFactory(role="store_staff", store=store)
    appointment = book_appointment(member_id=car.member_id, vehicle_id=car.pk, store_id=store.pk,
                                   kind="inspection", date=_tomorrow(), slot=datetime.time(9))  # fmt: skip
    record_visit(user=staff, appointment_id=appointment.pk, mileage_km=90_000, description="年检")
    assert car.inspections.filter(result="passed").count() == 1


def test_staff_of_another_store_can_neither_see_nor_handle_a_booking(car, store):
    other_store = StoreFactory()
    outsider = StaffFactory(role="store_staff", store=other_store)
    appointment = book_appointment(member_id=car.member_id, vehicle_id=car.pk, store_id=store.pk,
                                   kind="maintenance", date=_tomorrow(), slot=datetime.time(9))  # fmt: skip
    for action in (confirm_appointment, record_no_show):
        with pytest.raises(AppointmentNotFound) as refused:
            action(user=outsider, appointment_id=appointment.pk)
        assert refused.value.code == "not_found"
    client = Client()
    client.force_login(outsider)
    page = client.get(f"/backoffice/appointments/?date={_tomorrow().isoformat()}")
    assert page.status_code == 200
    assert list(page.context["page"]) == []
    response = client.post(f"/backoffice/appointments/{appointment.pk}/confirm/", {"date": _tomorrow().isoformat()})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_store_staff_confirm_and_record_a_no_show_in_the_back_office(car, store):
    staff = StaffFactory(role="store_staff", store=store)
    appointment = book_appointment(member_id=car.member_id, vehicle_id=car.pk, store_id=store.pk,
                                   kind="maintenance", date=_tomorrow(), slot=datetime.time(9))  # fmt: skip
    client = Client()
    client.force_login(staff)
    page = client.get(f"/backoffice/appointments/?date={_tomorrow().isoformat()}")
    assert [row.pk for row in page.context["page"]] == [appointment.pk]
    client.post(f"/backoffice/appointments/{appointment.pk}/confirm/", {"date": _tomorrow().isoformat()})
    appointment.refresh_from_db()
    assert appointment.status == "confirmed"
    client.post(f"/backoffice/appointments/{appointment.pk}/no-show/", {"date": _tomorrow().isoformat()})
    appointment.refresh_from_db()
    assert appointment.status == "no_show"
    # A closed booking frees its place and cannot be handled again.
    response = client.post(f"/backoffice/appointments/{appointment.pk}/visit/",
                           {"mileage_km": 100, "description": "x", "customer_amount": "0"})  # fmt: skip
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "no_show"
    assert appointment.service_record is None


def test_the_member_books_through_the_page(car, store):
    client = Client()
    client.force_login(car.member.user)
    query = {"vehicle": car.pk, "kind": "maintenance", "store": store.pk, "date": _tomorrow().isoformat()}
    page = client.get("/me/appointments/new/", query)
    assert page.status_code == 200
    assert [slot.strftime("%H:%M") for slot, _free in page.context["slots"]][:2] == ["09:00", "10:00"]
    response = client.post("/me/appointments/new/", {**query, "slot": "09:00"})
    assert response.status_code == 302
    assert Appointment.objects.get(vehicle=car).slot == datetime.time(9)


def test_a_member_token_reaches_only_their_own_bookings(car, store, api_client):
    other = MemberFactory()
    book_appointment(member_id=car.member_id, vehicle_id=car.pk, store_id=store.pk, kind="maintenance",
                     date=_tomorrow(), slot=datetime.time(9))  # fmt: skip
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=other.user)}")
    assert api_client.get(URL).json()["results"] == []
