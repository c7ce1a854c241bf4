"""Two nightly runs at once (beat and an operator by hand) on real PostgreSQL: the second waits for the first's lock
on the segment rules, then finds nothing left to change; no error, nothing twice."""

import datetime
from decimal import Decimal

import pytest

from crm.segments.defaults import ensure_default_tags
from crm.segments.models import LifecycleChange, MemberSegment, TierChange
from crm.segments.services import compute_segments
from notifications.models import Notification
from tests.helpers import run_at_once
from tests.vehicles.factories import OwnedVehicleFactory
from vehicles.models import ServiceRecord

AS_OF = datetime.date(2026, 6, 30)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_compute_once():
    ensure_default_tags()
    for n in range(6):
        car = OwnedVehicleFactory(delivered_on=datetime.date(2025, 10, 1))
        ServiceRecord.objects.create(
            vehicle=car, dealer_reference=f"C{n}", serviced_on=datetime.date(2026, 5, 1), mileage_km=10,
            description="保养", customer_amount=Decimal(1000 * (n + 1)),
        )  # fmt: skip
    results, errors = run_at_once(lambda: compute_segments(as_of=AS_OF))
    assert errors == []
    # Ranks 0, 0.2, 0.4 …: diamond, silver, silver, then normal; each change recorded once.
    assert sorted(run.tier_changes for run in results) == [0, 3]
    assert TierChange.objects.count() == 3
    assert LifecycleChange.objects.count() == MemberSegment.objects.count() == 6
    assert Notification.objects.filter(event="segments.tier_up", channel="inbox").count() == 3
