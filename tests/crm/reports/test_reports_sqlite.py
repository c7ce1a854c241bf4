"""The reports' hand-written SQL runs on the embedded demo database (SQLite) too, with the same figures: a
subprocess with the demo's settings and a new file."""

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import sqlite_demo_env

ROOT = Path(__file__).resolve().parents[3]

SQLITE_SCRIPT = r"""
import datetime, json, zoneinfo
from decimal import Decimal
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

assert connection.vendor == "sqlite"
call_command("migrate", verbosity=0)
from crm.leads.models import Lead
from crm.models import Campaign
from crm.reports import selectors, services
from members.models import Member, Store, User
from notifications.models import Notification
from orders.models import Order, OrderEvent
from points.models import PointsAccount, Reward
from vehicles.models import Brand, CarModel, FinancePlan, OwnedVehicle, Trim

tz = zoneinfo.ZoneInfo("Asia/Shanghai")
at = lambda day: datetime.datetime(2026, 11, day, 10, tzinfo=tz)
store = Store.objects.create(code="SZ01", name="深圳店", city="深圳", address="深南大道 1 号", phone="0755-1")
hq = User.objects.create(username="hq", is_staff=True, role="head_office")
agent = User.objects.create(username="agent", is_staff=True, role="call_center")

def member(n, created, **fields):
    user = User.objects.create(phone=f"+861390000{n:04d}")
    m = Member.objects.create(user=user, invite_code=f"S{n:06d}", preferred_store=store, **fields)
    Member.objects.filter(pk=m.pk).update(created_at=created)
    return Member.objects.get(pk=m.pk)

Lead.objects.create(name="甲", phone="+8613800000001", channel="call_center", status="not_interested",
                    lost_reason="price", store=store, assignee=agent, last_enquiry_at=at(2))
Lead.objects.filter(name="甲").update(created_at=at(2))
buyer = member(1, at(3), name="乙", gender="male", birthday=datetime.date(1990, 1, 1), city="深圳",
               verification_status="verified", id_number_hash="h1", id_number_masked="4401**********1234",
               verified_at=at(3))
brand = Brand.objects.create(name="品牌")
model = CarModel.objects.create(brand=brand, name="车型")
trim = Trim.objects.create(car_model=model, name="豪华型", guide_price=Decimal("100000"))
plan = FinancePlan.objects.create(trim=trim, name="方案", term_months=36, down_payment_ratio=Decimal("0.3"),
                                  annual_rate=Decimal("0.05"))
order = Order.objects.create(number="N1", member=buyer, trim=trim, plan=plan, store=store, created_by=buyer.user,
                             price=Decimal("100000"),
                             down_payment=Decimal("30000"), monthly_payment=Decimal("2000"), state="delivered")
Order.objects.filter(pk=order.pk).update(created_at=at(15))
for before, after in (("draft", "submitted"), ("submitted", "approved"), ("approved", "delivered")):
    OrderEvent.objects.create(order=order, transition="step", from_state=before, to_state=after)
november = {"date_from": datetime.date(2026, 11, 1), "date_to": datetime.date(2026, 11, 30)}
funnel = selectors.acquisition_funnel(user=hq, **november)
aggregated_rows = services.refresh_funnel_days(today=datetime.date(2026, 11, 16))
aggregated = selectors.acquisition_funnel(user=hq, **november)

car = OwnedVehicle.objects.create(member=buyer, trim=trim, vin="V1", plate="粤B00001",
                                  delivered_on=timezone.localdate() - datetime.timedelta(days=500))
from vehicles.services import record_service_visit
record_service_visit(vehicle_id=car.pk, dealer_reference="R1", mileage_km=1000, is_maintenance=False,
                     serviced_on=timezone.localdate() - datetime.timedelta(days=300), description="保养",
                     amounts={"customer_amount": Decimal("800.00")})
value = selectors.lifetime_value_report(user=hq)
assert services.refresh_member_value_days() > 0
assert selectors.lifetime_value_report(user=hq).rows == value.rows
first = services.open_recall_tasks(actor=hq, months=6)
again = services.open_recall_tasks(actor=hq, months=6)

campaign = Campaign.objects.create(name="活动", subject="s", body="b", state="scheduled", scheduled_at=at(10),
                                   cost=Decimal("1000"))
Notification.objects.create(recipient=buyer.user, event=campaign.event, channel="sms", subject="s", body="b",
                            dedupe_key="c1", status="sent")
campaigns = selectors.campaign_report(user=hq, **november)
stored_campaigns = services.refresh_campaign_results()
assert selectors.campaign_report(user=hq, **november).rows == campaigns.rows

PointsAccount.objects.update_or_create(member=buyer, defaults={"balance": 1250})
Reward.objects.all().update(is_active=False)
Reward.objects.create(name="券", kind="service_coupon", cost_points=500, face_value=Decimal("50"))
closed = member(9, datetime.datetime(2025, 1, 1, tzinfo=tz))
PointsAccount.objects.update_or_create(member=closed, defaults={"balance": 1250})
Member.objects.filter(pk=closed.pk).update(closed_at=at(4))
points = selectors.points_liability_report(user=hq)
store_points = selectors.points_liability_report(user=hq, store=store.pk)

from crm.care.complaints.models import Complaint
for n, hours in enumerate((3, 8)):
    Complaint.objects.create(number=f"C{n}", member=buyer, store=store, category="service", filed_by="member",
                             description="…", received_at=at(5), clock_started_at=at(5), status="closed",
                             sla_status="met", closed_at=at(5) + datetime.timedelta(hours=hours),
                             first_response_due=at(6), first_response_risk_at=at(6), resolution_due=at(8),
                             resolution_risk_at=at(8))
complaints = selectors.complaint_report(user=hq, **november)
print(json.dumps({
    "funnel": [step["count"] for step in funnel.extra["steps"]],
    "funnel_aggregated": [aggregated_rows > 0, aggregated.extra == funnel.extra],
    "drop_outs": [[d["step"], d["reason"], d["count"]] for d in funnel.extra["drop_outs"]],
    "value": str(value.total["spend"]),
    "recall": [first, again],
    "campaign": [stored_campaigns, campaigns.rows[0]["reached"], campaigns.rows[0]["converted"],
                 str(campaigns.rows[0]["roi"])],
    "points": [points.total["points_outstanding"], points.rows[0]["coupons"],
               store_points.total["points_outstanding"], store_points.total["members_with_points"]],
    "complaints": [complaints.total["closed"], complaints.total["average_resolution_hours"]],
}))
"""


def test_the_reports_give_the_same_figures_on_sqlite(demo_sqlite, tmp_path):
    env = sqlite_demo_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "funnel": [2, 1, 1, 1, 1, 1, 1],
        "funnel_aggregated": [True, True],
        "drop_outs": [["lead", "price", 1]],
        # Service paid by the member, and the down payment of the delivered car.
        "value": "30800.00",
        "recall": [1, 0],
        "campaign": [1, 1, 1, "99.0000"],
        # The closed account's 1,250 points are left out, for head office and for the store alike.
        "points": [1250, 2, 1250, 1],
        "complaints": [2, 5.5],
    }
