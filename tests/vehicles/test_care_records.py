"""Insurance and inspection records roll the due dates forward, so their reminders come every year; tyre reminders
come once per due date, by date and by distance."""

import datetime
from decimal import Decimal

import pytest

from crm.services import run_reminders
from notifications.models import Notification
from tests.vehicles.factories import OwnedVehicleFactory
from vehicles.exceptions import InspectionInFuture, InvalidPolicyDates, PolicyNumberTaken, VehicleNotFound
from vehicles.maintenance import next_inspection_due
from vehicles.models import InspectionRule, InsurancePolicy
from vehicles.services import record_inspection, record_insurance_policy, record_service_visit, update_mileage

pytestmark = pytest.mark.django_db

D = datetime.date


def _reminders(vehicle, event):
    return sorted(
        Notification.objects.filter(event=event, dedupe_key__contains=f":{vehicle.pk}:", channel="inbox").values_list(
            "dedupe_key", flat=True
        )
    )


def test_inspection_schedule_follows_the_rules_for_private_cars():
    rules = [(0, 72), (6, 48), (10, 12)]
    registered = D(2016, 5, 1)
    assert next_inspection_due(registered_on=registered, last_passed_on=None, rules=rules) == D(2022, 5, 1)
    # Inspected within the three months before the due date: that due date is done.
    assert next_inspection_due(registered_on=registered, last_passed_on=D(2022, 3, 20), rules=rules) == D(2026, 5, 1)
    assert next_inspection_due(registered_on=registered, last_passed_on=D(2026, 4, 28), rules=rules) == D(2027, 5, 1)
    assert next_inspection_due(registered_on=registered, last_passed_on=D(2027, 6, 3), rules=rules) == D(2028, 5, 1)
    # The older schedule (every year after six, every six months after fifteen) is just other rows.
    older = [(0, 24), (6, 12), (15, 6)]
    assert next_inspection_due(registered_on=registered, last_passed_on=D(2031, 4, 20), rules=older) == D(2031, 11, 1)


def test_edited_inspection_rules_set_the_next_due_date():
    InspectionRule.objects.all().delete()
    InspectionRule.objects.bulk_create([InspectionRule(from_age_years=0, interval_months=24),
                                        InspectionRule(from_age_years=6, interval_months=12)])  # fmt: skip
    car = OwnedVehicleFactory(delivered_on=D(2022, 8, 1))
    record_inspection(vehicle_id=car.pk, inspected_on=D(2024, 7, 15), result="passed", source="staff")
    car.refresh_from_db()
    assert car.inspection_due_on == D(2026, 8, 1)


def test_insurance_renewals_bring_the_reminder_every_year_of_run_reminders():
    car = OwnedVehicleFactory(delivered_on=D(2020, 3, 10), insurance_due_on=D(2021, 3, 10))
    due = car.insurance_due_on
    for year in range(4):
        run_reminders(day=due - datetime.timedelta(days=7))
        run_reminders(day=due - datetime.timedelta(days=7))  # a second run the same day adds nothing
        run_reminders(day=due - datetime.timedelta(days=1))
        record_insurance_policy(
            vehicle_id=car.pk, insurer="平安保险", policy_number=f"PDAA{2021 + year}", starts_on=due,
            ends_on=due.replace(year=due.year + 1), premium=Decimal("4200.00"), source="member",
            member_id=car.member_id,
        )  # fmt: skip
        car.refresh_from_db()
        assert car.insurance_due_on == due.replace(year=due.year + 1)
        due = car.insurance_due_on
    keys = _reminders(car, "vehicle.insurance_due")
    assert len(keys) == 8  # four years × (7 days and 1 day before)
    assert {key.split(":")[2] for key in keys} == {"2021-03-10", "2022-03-10", "2023-03-10", "2024-03-10"}
    notification = Notification.objects.filter(event="vehicle.insurance_due").first()
    assert notification.link == "/me/appointments/new/?kind=insurance"


def test_inspections_roll_forward_by_the_rules_and_a_failure_keeps_the_due_date():
    car = OwnedVehicleFactory(delivered_on=D(2014, 5, 1), inspection_due_on=D(2020, 5, 1))
    run_reminders(day=D(2020, 4, 24))
    record_inspection(vehicle_id=car.pk, inspected_on=D(2020, 4, 20), result="failed", source="staff")
    car.refresh_from_db()
    assert car.inspection_due_on == D(2020, 5, 1)
    record_inspection(vehicle_id=car.pk, inspected_on=D(2020, 4, 25), result="passed", source="staff")
    car.refresh_from_db()
    assert car.inspection_due_on == D(2024, 5, 1)  # inspected at six years; the next at ten
    for year in (2024, 2025, 2026):
        run_reminders(day=D(year, 4, 24))
        record_inspection(vehicle_id=car.pk, inspected_on=D(year, 4, 28), result="passed", source="member")
        car.refresh_from_db()
        assert car.inspection_due_on == D(year + 1, 5, 1)  # past ten years: every year
    assert [key.split(":")[2] for key in _reminders(car, "vehicle.inspection_due")] == [
        "2020-05-01", "2024-05-01", "2025-05-01", "2026-05-01",
    ]  # fmt: skip


def test_the_same_inspection_twice_is_recorded_once():
    car = OwnedVehicleFactory(delivered_on=D(2018, 1, 1))
    first = record_inspection(vehicle_id=car.pk, inspected_on=D(2024, 1, 2), result="passed", source="staff")
    again = record_inspection(vehicle_id=car.pk, inspected_on=D(2024, 1, 2), result="passed", source="dealer_system")
    assert first.pk == again.pk
    assert car.inspections.count() == 1


def test_policy_refusals_change_nothing():
    car = OwnedVehicleFactory(insurance_due_on=D(2026, 3, 1))
    other = OwnedVehicleFactory()
    with pytest.raises(InvalidPolicyDates):
        record_insurance_policy(vehicle_id=car.pk, insurer="人保", policy_number="A1", starts_on=D(2026, 3, 1),
                                ends_on=D(2026, 3, 1), source="staff")  # fmt: skip
    record_insurance_policy(vehicle_id=car.pk, insurer="人保", policy_number="A1", starts_on=D(2026, 3, 1),
                            ends_on=D(2027, 3, 1), source="staff")  # fmt: skip
    with pytest.raises(PolicyNumberTaken):
        record_insurance_policy(vehicle_id=other.pk, insurer="人保", policy_number="a1", starts_on=D(2026, 3, 1),
                                ends_on=D(2027, 3, 1), source="staff")  # fmt: skip
    # A member cannot record a policy on someone else's car.
    with pytest.raises(VehicleNotFound):
        record_insurance_policy(vehicle_id=other.pk, insurer="人保", policy_number="B2", starts_on=D(2026, 3, 1),
                                ends_on=D(2027, 3, 1), source="member", member_id=car.member_id)  # fmt: skip
    assert InsurancePolicy.objects.count() == 1
    other.refresh_from_db()
    assert other.insurance_policies.count() == 0


def test_an_inspection_in_the_future_is_refused():
    car = OwnedVehicleFactory()
    with pytest.raises(InspectionInFuture):
        record_inspection(vehicle_id=car.pk, inspected_on=D(2999, 1, 1), result="passed", source="member")
    assert car.inspections.count() == 0


def test_a_tyre_reminder_fires_once_per_due_date_and_new_tyres_start_the_next_cycle():
    car = OwnedVehicleFactory(delivered_on=D(2021, 6, 1), tyres_due_on=D(2026, 6, 1), tyres_due_km=50000)
    for _run in range(3):
        run_reminders(day=D(2026, 5, 25))
    assert _reminders(car, "vehicle.tyres_due") == [f"vehicle.tyres_due:{car.pk}:2026-06-01:7:inbox"]
    # By distance: crossing 500 km before the due mileage, once however often the mileage is reported.
    update_mileage(vehicle_id=car.pk, member_id=car.member_id, mileage_km=49_600)
    update_mileage(vehicle_id=car.pk, member_id=car.member_id, mileage_km=49_800)
    assert (
        Notification.objects.filter(dedupe_key__startswith=f"vehicle.tyres_km:{car.pk}:50000", channel="sms").count()
        == 1
    )
    record_service_visit(
        vehicle_id=car.pk, dealer_reference="WO-TYRE-1", serviced_on=D(2026, 5, 28), mileage_km=49_900,
        description="更换四条轮胎", is_maintenance=False, amounts={"customer_amount": Decimal("3200")},
        tyres_replaced=True,
    )  # fmt: skip
    car.refresh_from_db()
    assert (car.tyres_due_on, car.tyres_due_km) == (D(2031, 5, 28), 99_900)
    run_reminders(day=D(2031, 5, 21))
    assert [key for key in _reminders(car, "vehicle.tyres_due") if key.startswith("vehicle.tyres_due:")] == [
        f"vehicle.tyres_due:{car.pk}:2026-06-01:7:inbox", f"vehicle.tyres_due:{car.pk}:2031-05-28:7:inbox",
    ]  # fmt: skip


def test_a_member_enters_a_renewed_policy_in_the_member_center(client):
    car = OwnedVehicleFactory(insurance_due_on=D(2026, 3, 1))
    client.force_login(car.member.user)
    form = {"insurer": "太平洋保险", "policy_number": "CPIC-1", "starts_on": "2026-03-01", "ends_on": "2027-03-01"}
    assert client.post(f"/me/cars/{car.pk}/insurance/", form).status_code == 302
    car.refresh_from_db()
    assert car.insurance_due_on == D(2027, 3, 1)
    assert car.insurance_policies.get().source == "member"
    # Someone else's car: nothing recorded.
    other = OwnedVehicleFactory()
    client.post(f"/me/cars/{other.pk}/insurance/", {**form, "policy_number": "CPIC-2"})
    assert other.insurance_policies.count() == 0
