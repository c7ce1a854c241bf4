"""Two nightly runs at once (beat and an operator by hand) on real PostgreSQL: the second waits for the first's lock
on the segment rules, then finds nothing left to change; no error, nothing twice."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from crm.segments.defaults import ensure_default_tags
from crm.segments.models import LifecycleChange, MemberSegment, TierChange
from crm.segments.services import compute_segments
from notifications.models import Notification
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
    barrier, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            barrier.wait()
            results.append(compute_segments(as_of=AS_OF))
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    # Ranks 0, 0.2, 0.4 …: diamond, silver, silver, then normal; each change recorded once.
    assert sorted(run.tier_changes for run in results) == [0, 3]
    assert TierChange.objects.count() == 3
    assert LifecycleChange.objects.count() == MemberSegment.objects.count() == 6
    assert Notification.objects.filter(event="segments.tier_up", channel="inbox").count() == 3
