"""The demo shows car life: cards for the demo members, owner events with a waiting list, a car with violations."""

import pytest
from django.core.management import call_command

from crm.owner_events.models import EventRegistration, OwnerEvent
from members.models import MembershipCard
from vehicles.models import OwnedVehicle
from vehicles.selectors import list_vehicle_violations

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_cards_events_and_a_car_with_violations_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    call_command("seed_demo")

    holders = set(MembershipCard.objects.filter(status="active").values_list("member__user__phone", flat=True))
    assert {"+8613800000002", "+8613800000003", "+8613800000024"} <= {str(phone) for phone in holders}
    assert OwnerEvent.objects.count() == 3
    car_club = OwnerEvent.objects.get(kind="car_club")
    statuses = sorted(EventRegistration.objects.filter(event=car_club).values_list("status", flat=True))
    assert statuses == ["registered", "registered", "registered", "waitlisted"]
    car = OwnedVehicle.objects.get(member__user__phone="+8613800000024")
    assert list_vehicle_violations(member_id=car.member_id, vehicle_id=car.pk)
