"""The tier, churn and complaint-rate reports (month truncation of dates and local timestamps, the
history's changes added up, live and from the nightly aggregate) give the same figures on the embedded demo database
(SQLite): a subprocess with the demo's settings."""

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import sqlite_demo_env

ROOT = Path(__file__).resolve().parents[3]

SQLITE_SCRIPT = r"""
import datetime, json, zoneinfo
import django
django.setup()
from django.core.management import call_command
from django.db import connection

assert connection.vendor == "sqlite"
call_command("migrate", verbosity=0)
from crm.care.complaints.models import Complaint
from crm.care.complaints.services import file_complaint
from crm.reports.segment_reports import churn_report, complaint_rate_report, tier_report
from crm.segments.models import LifecycleChange, TierChange
from members.models import Member, Store, User

tz = zoneinfo.ZoneInfo("Asia/Shanghai")
store = Store.objects.create(code="SZ01", name="深圳店", city="深圳", address="深南大道 1 号", phone="0755-1")
hq = User.objects.create(username="hq", is_staff=True, role="head_office")
members = []
for n in range(3):
    user = User.objects.create(phone=f"+861390000{n:04d}")
    member = Member.objects.create(user=user, invite_code=f"S{n:06d}", preferred_store=store)
    Member.objects.filter(pk=member.pk).update(created_at=datetime.datetime(2026, 5, 1, tzinfo=tz))
    members.append(member)
day = datetime.date.fromisoformat
# Each change from the stage the one before left, as the nightly segment run writes them.
for member, as_of, before, stage in (
    (members[0], "2026-06-01", "", "active"), (members[0], "2026-10-15", "active", "churned"),
    (members[1], "2026-06-01", "", "at_risk"), (members[2], "2026-10-05", "", "new"),
):
    LifecycleChange.objects.create(member=member, from_lifecycle=before, to_lifecycle=stage, as_of=day(as_of))
TierChange.objects.create(member=members[0], from_tier="normal", to_tier="gold", spend_12_months=0,
                          as_of=day("2026-10-10"))
# 1 November 00:30 local is still 31 October in UTC: it must count in November.
for received in (datetime.datetime(2026, 10, 3, 10, tzinfo=tz), datetime.datetime(2026, 11, 1, 0, 30, tzinfo=tz)):
    complaint = file_complaint(member=members[1], category="service", description="异响", filed_by="member",
                               actor=members[1].user)
    Complaint.objects.filter(pk=complaint.pk).update(received_at=received, clock_started_at=received)
period = {"user": hq, "date_from": day("2026-10-01"), "date_to": day("2026-11-30")}
live = [report(**period).rows for report in (churn_report, complaint_rate_report, tier_report)]
# The nightly sums per day on SQLite: the days before 20 October from them, the rest from the history.
from crm.reports.services import refresh_segment_days
refresh_segment_days(today=day("2026-10-20"))
churn = churn_report(**period)
rate = complaint_rate_report(**period)
tiers = tier_report(**period)
assert [churn.rows, rate.rows, tiers.rows] == live, ([churn.rows, rate.rows, tiers.rows], live)
print(json.dumps({
    "churn": [[r["month"].isoformat(), r["in_service"], r["churned"], str(r["churn_rate"])] for r in churn.rows],
    "rate": [[r["month"].isoformat(), r["complaints"], r["in_service"], str(r["per_100"])] for r in rate.rows],
    "tiers": {r["tier"]: [r["members"], r["moved_up_in"]] for r in tiers.rows},
    "months": [[m["month"].isoformat(), m["moved_up"]] for m in tiers.sections[0][2]],
}))
"""


def test_segment_reports_give_the_same_figures_on_sqlite(demo_sqlite, tmp_path):
    env = sqlite_demo_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got["churn"] == [["2026-10-01", 2, 1, "0.5000"], ["2026-11-01", 2, 0, "0.0000"]]
    assert got["rate"] == [["2026-10-01", 1, 2, "50.00"], ["2026-11-01", 1, 2, "50.00"]]
    assert got["tiers"]["gold"] == [1, 1]
    assert got["tiers"]["normal"] == [2, 0]
    assert got["months"] == [["2026-10-01", 1], ["2026-11-01", 0]]
