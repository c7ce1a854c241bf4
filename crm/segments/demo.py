"""Demo segments: a few service visits of different sizes on the demo's cars (so tiers differ), a staff tag, then
the nightly computation as of today, so tiers, lifecycles and tags show in the admin, the back office and the API."""

import datetime
from decimal import Decimal

from django.utils import timezone

from crm.segments.defaults import ensure_default_tags
from crm.segments.services import add_staff_tag, compute_segments
from members.models import User
from vehicles.models import OwnedVehicle
from vehicles.services import record_service_visit

SPENDS = (Decimal("6800"), Decimal("3200"), Decimal("1500"), Decimal("800"), Decimal("300"))


def seed_segments_demo() -> None:
    ensure_default_tags()
    today = timezone.localdate()
    cars = list(OwnedVehicle.objects.order_by("pk"))
    for index, car in enumerate(cars):
        record_service_visit(
            vehicle_id=car.pk, dealer_reference=f"DEMO-SEG-{car.pk}", mileage_km=5000 + 1000 * index,
            serviced_on=max(car.delivered_on, today - datetime.timedelta(days=30 + 20 * index)),
            description="常规保养", is_maintenance=True,
            amounts={"customer_amount": SPENDS[index % len(SPENDS)]},
        )  # fmt: skip
    head_office = User.objects.filter(role="head_office").order_by("pk").first()
    if head_office is not None and cars:
        add_staff_tag(actor=head_office, member_id=cars[0].member_id, tag_code="owner_events")
    compute_segments(as_of=today)
