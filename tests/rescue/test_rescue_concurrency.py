"""Two rescue requests for one car at once, on real PostgreSQL connections: one request, the other 409."""

import pytest

from crm.care.rescue import services as rescue_services
from crm.care.rescue.exceptions import RescueAlreadyOpen
from crm.care.rescue.models import RescueRequest
from tests.surveys.test_answer_concurrency import _race
from tests.vehicles.factories import OwnedVehicleFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_rescue_requests_for_one_car_at_once_open_one():
    car = OwnedVehicleFactory()
    member = car.member

    outcomes = _race(4, lambda: rescue_services.request_rescue(
        member=member, vehicle_id=car.pk, kind="tow", actor=member.user, location="京港澳高速"
    ))  # fmt: skip

    assert sorted(outcomes) == ["RescueAlreadyOpen"] * 3 + ["ok"]
    assert RescueRequest.objects.count() == 1
    assert RescueAlreadyOpen.status_code == 409
