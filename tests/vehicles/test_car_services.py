"""Services around the car: traffic violations and aftermarket bookings through the local providers, a
value-added-service coupon used with a booking."""

import datetime

import pytest
from django.utils import timezone

from members.services import ensure_role_groups
from points.models import Coupon
from points.services import adjust_points, redeem_reward
from tests.helpers import row_counts
from tests.members.factories import MemberFactory, StaffFactory
from tests.points.factories import RewardFactory
from tests.vehicles.factories import OwnedVehicleFactory
from vehicles.models import AftermarketBooking
from vehicles.providers import LocalViolationProvider

pytestmark = pytest.mark.django_db


def issue_service_coupon(member, *, tag="a") -> Coupon:
    """A value-added-service coupon the way a member gets one: points from staff, then a redemption."""
    staff = StaffFactory(username=f"hq-{tag}-{member.pk}", role="head_office")
    staff.groups.set([ensure_role_groups()["head_office"]])
    adjust_points(member_id=member.pk, points=500, reason="测试", actor=staff)
    reward = RewardFactory(kind="service_coupon", cost_points=500, name="免费洗车券")
    return redeem_reward(member_id=member.pk, reward_id=reward.pk, idempotency_key=f"svc-{tag}-{member.pk}").coupon


# Violations -------------------------------------------------------------------------------------------------------


def test_violations_of_own_car_come_from_the_provider(member, member_client):
    car = OwnedVehicleFactory(member=member, vin="LGXCE4CB0Q0000017")
    expected = LocalViolationProvider().list_violations(plate=car.plate, vin=car.vin)
    assert expected  # a VIN not ending in 0 has at least one

    answer = member_client.get(f"/api/v1/vehicles/{car.pk}/violations/")

    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [row["behaviour"] for row in rows] == [violation.behaviour for violation in expected]
    assert rows[0].keys() == {"occurred_at", "place", "behaviour", "fine", "points", "handled"}
    assert rows[-1]["handled"] is True
    assert rows[0]["fine"] == str(expected[0].fine)


def test_the_local_provider_answers_the_same_every_time_and_nothing_for_a_vin_ending_in_zero():
    provider = LocalViolationProvider()
    assert provider.list_violations(plate="粤B1", vin="LGXCE4CB0Q0000017") == provider.list_violations(
        plate="粤B1", vin="LGXCE4CB0Q0000017"
    )
    assert provider.list_violations(plate="粤B1", vin="LGXCE4CB0Q0000010") == []


def test_violations_of_someone_elses_car_are_not_found(member_client):
    car = OwnedVehicleFactory(member=MemberFactory())
    answer = member_client.get(f"/api/v1/vehicles/{car.pk}/violations/")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


def test_a_provider_outage_is_503(member, member_client, settings):
    settings.VIOLATION_PROVIDER = "tests.vehicles.test_car_services.DownProvider"
    car = OwnedVehicleFactory(member=member)
    answer = member_client.get(f"/api/v1/vehicles/{car.pk}/violations/")
    assert answer.status_code == 503
    assert answer.json()["code"] == "provider_unavailable"


class DownProvider(LocalViolationProvider):
    def list_violations(self, *, plate, vin):
        from vehicles.providers import ProviderDown

        raise ProviderDown("timeout")


# Aftermarket ------------------------------------------------------------------------------------------------------


def test_member_books_a_car_wash_with_a_service_coupon(member, member_client, django_capture_on_commit_callbacks):
    car = OwnedVehicleFactory(member=member)
    coupon = issue_service_coupon(member)
    services_offered = member_client.get("/api/v1/aftermarket/services/").json()["results"]
    assert {row["kind"] for row in services_offered} == {"car_wash", "maintenance_package", "tyres", "insurance_quote"}

    with django_capture_on_commit_callbacks(execute=True):
        answer = member_client.post(
            "/api/v1/aftermarket/bookings/",
            {"vehicle": car.pk, "service": "wash-basic", "date": str(timezone.localdate()), "coupon": coupon.code},
            format="json",
        )

    assert answer.status_code == 201, answer.json()
    booking = AftermarketBooking.objects.get()
    assert (booking.coupon_code, booking.status) == (coupon.code, "confirmed")
    assert booking.partner_reference.startswith("LOCAL-")
    coupon.refresh_from_db()
    assert (coupon.status, coupon.used_for) == ("used", f"aftermarket:{booking.pk}")


def test_a_used_coupon_refuses_the_whole_booking(member, member_client):
    car = OwnedVehicleFactory(member=member)
    coupon = issue_service_coupon(member)
    body = {"vehicle": car.pk, "service": "wash-basic", "date": str(timezone.localdate()), "coupon": coupon.code}
    assert member_client.post("/api/v1/aftermarket/bookings/", body, format="json").status_code == 201
    before = row_counts(AftermarketBooking)
    again = member_client.post("/api/v1/aftermarket/bookings/", body, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "coupon_not_usable"
    assert row_counts(AftermarketBooking) == before


def test_booking_for_someone_elses_car_or_an_unknown_service_or_date_is_400(member, member_client):
    own = OwnedVehicleFactory(member=member)
    foreign = OwnedVehicleFactory(member=MemberFactory())
    today = timezone.localdate()
    cases = [
        ({"vehicle": foreign.pk, "service": "wash-basic", "date": str(today)}, "not_your_vehicle"),
        ({"vehicle": own.pk, "service": "no-such", "date": str(today)}, "unknown_service"),
        ({"vehicle": own.pk, "service": "wash-basic", "date": str(today - datetime.timedelta(days=1))},
         "invalid_booking_date"),
    ]  # fmt: skip
    for body, code in cases:
        answer = member_client.post("/api/v1/aftermarket/bookings/", body, format="json")
        assert (answer.status_code, answer.json()["code"]) == (400, code)
    assert AftermarketBooking.objects.count() == 0


# Pages ------------------------------------------------------------------------------------------------------------


def test_violations_page_of_own_car_and_404_for_another(client, member):
    car = OwnedVehicleFactory(member=member, vin="LGXCE4CB0Q0000017")
    other = OwnedVehicleFactory(member=MemberFactory())
    client.force_login(member.user)
    page = client.get(f"/me/cars/{car.pk}/violations/")
    assert page.status_code == 200
    first = LocalViolationProvider().list_violations(plate=car.plate, vin=car.vin)[0]
    assert first.behaviour in page.content.decode()
    assert client.get(f"/me/cars/{other.pk}/violations/").status_code == 404


def test_member_books_a_service_from_the_page_with_a_coupon(client, member):
    car = OwnedVehicleFactory(member=member)
    coupon = issue_service_coupon(member)
    client.force_login(member.user)
    assert coupon.code in client.get("/me/car-services/").content.decode()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        "/me/car-services/", {"vehicle": car.pk, "service": "maint-10k", "date": tomorrow, "coupon": coupon.code}
    )
    assert response.status_code == 302
    booking = AftermarketBooking.objects.get()
    assert (booking.service_code, booking.coupon_code) == ("maint-10k", coupon.code)
