"""The member's cars and loans through the API."""

import datetime

import pytest
from django.utils import timezone

from tests.members.factories import MemberFactory
from vehicles.models import OwnedVehicle

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(cast):
    return cast.advance(cast.new_order(), "delivered")


def client_for(user):
    from rest_framework.test import APIClient

    from members.services import issue_access_token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=user)}")
    return client


def test_vehicles_list_masks_the_vin_and_gives_the_next_dates(cast, delivered):
    body = client_for(cast.member_user).get("/api/v1/vehicles/").json()
    [car] = body["results"]
    today = timezone.localdate()
    assert car["plate"] == "粤B·16888"
    assert car["vin"] == cast.unit.vin[:3] + "*" * 10 + cast.unit.vin[-4:]
    assert car["mileage"] == 0
    assert car["next_service_km"] == 5000
    assert car["next_service_on"][:4] in {str(today.year), str(today.year + 1)}
    assert car["insurance_due_on"] == today.replace(year=today.year + 1).isoformat()


def test_mileage_may_go_up_but_not_down(cast, delivered):
    client = client_for(cast.member_user)
    car_id = client.get("/api/v1/vehicles/").json()["results"][0]["id"]
    assert client.patch(f"/api/v1/vehicles/{car_id}/", {"mileage": 1200}, format="json").json()["mileage"] == 1200
    response = client.patch(f"/api/v1/vehicles/{car_id}/", {"mileage": 1100}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "mileage_cannot_decrease"
    assert client.patch(f"/api/v1/vehicles/{car_id}/", {"mileage": -5}, format="json").status_code == 400
    assert client.get("/api/v1/vehicles/").json()["results"][0]["mileage"] == 1200


def test_someone_elses_car_is_404(cast, delivered):
    car_id = client_for(cast.member_user).get("/api/v1/vehicles/").json()["results"][0]["id"]
    before = OwnedVehicle.objects.values().get(pk=car_id)
    response = client_for(MemberFactory().user).patch(f"/api/v1/vehicles/{car_id}/", {"mileage": 9}, format="json")
    assert response.status_code == 404
    assert OwnedVehicle.objects.values().get(pk=car_id) == before


def test_next_service_follows_the_last_maintenance(cast, delivered):
    from vehicles.models import OwnedVehicle
    from vehicles.services import record_service_visit

    car = OwnedVehicle.objects.get()
    record_service_visit(
        vehicle_id=car.pk, dealer_reference="WO-1", serviced_on=datetime.date(2027, 1, 10), mileage_km=4800,
        description="首保", is_maintenance=True, amounts={},
    )  # fmt: skip
    [row] = client_for(cast.member_user).get("/api/v1/vehicles/").json()["results"]
    assert (row["next_service_on"], row["next_service_km"]) == ("2028-01-10", 14800)
    assert row["service_records"][0]["description"] == "首保"


def test_loans_with_their_schedule(cast, delivered, django_assert_max_num_queries):
    client = client_for(cast.member_user)
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/loans/").json()
    [loan] = body["results"]
    assert loan["order"] == delivered.number
    assert len(loan["installments"]) == 36
    assert loan["installments"][0]["status"] == "due"
    assert client_for(MemberFactory().user).get("/api/v1/loans/").json()["count"] == 0


def test_passing_a_mileage_milestone_sends_one_message(cast, delivered):
    from notifications.models import Notification

    client = client_for(cast.member_user)
    car_id = client.get("/api/v1/vehicles/").json()["results"][0]["id"]
    client.patch(f"/api/v1/vehicles/{car_id}/", {"mileage": 9_990}, format="json")
    client.patch(f"/api/v1/vehicles/{car_id}/", {"mileage": 10_020}, format="json")
    client.patch(f"/api/v1/vehicles/{car_id}/", {"mileage": 10_500}, format="json")
    client.patch(f"/api/v1/vehicles/{car_id}/", {"mileage": 51_000}, format="json")
    milestones = Notification.objects.filter(event="vehicle.mileage_milestone", channel="inbox")
    assert sorted(milestones.values_list("dedupe_key", flat=True)) == [
        f"vehicle.mileage:{car_id}:10000:inbox", f"vehicle.mileage:{car_id}:30000:inbox",
        f"vehicle.mileage:{car_id}:50000:inbox",
    ]  # fmt: skip


def test_service_reminder_when_the_mileage_gets_close_before_the_date(cast, delivered):
    from notifications.models import Notification

    client = client_for(cast.member_user)
    car_id = client.get("/api/v1/vehicles/").json()["results"][0]["id"]
    client.patch(f"/api/v1/vehicles/{car_id}/", {"mileage": 4_000}, format="json")
    assert not Notification.objects.filter(event="vehicle.maintenance_due").exists()
    client.patch(f"/api/v1/vehicles/{car_id}/", {"mileage": 4_600}, format="json")  # first service at 5,000 km
    client.patch(f"/api/v1/vehicles/{car_id}/", {"mileage": 4_800}, format="json")
    sms = Notification.objects.filter(event="vehicle.maintenance_due", channel="sms")
    assert sms.count() == 1
    assert "5000" in sms.get().body
