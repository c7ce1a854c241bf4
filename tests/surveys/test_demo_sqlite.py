"""The demo database (SQLite) runs the satisfaction report's GROUP BY with the same figures, months counted in
local time, and the demo seeding of surveys and rescues: a subprocess with the demo's settings and a new file."""

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import sqlite_demo_env

ROOT = Path(__file__).resolve().parents[2]

SQLITE_SCRIPT = r"""
import datetime, json, zoneinfo
import django
django.setup()
from django.core.management import call_command
from django.db import connection

assert connection.vendor == "sqlite"
call_command("migrate", verbosity=0)
from crm.care.rescue.demo import seed_rescue_demo
from crm.care.rescue.models import RescueRequest
from crm.surveys.demo import seed_surveys_demo
from crm.surveys.models import SurveyInvitation, SurveyResponse
from crm.surveys.selectors import active_questionnaire, satisfaction_report
from members.models import Member, Store, User

tz = zoneinfo.ZoneInfo("Asia/Shanghai")
store = Store.objects.create(code="SZ01", name="深圳店", city="深圳", address="深南大道 1 号", phone="0755-1")
hq = User.objects.create(username="hq", is_staff=True, role="head_office")
user = User.objects.create(phone="+8613900000001")
member = Member.objects.create(user=user, invite_code="D1", preferred_store=store)
questionnaire = active_questionnaire(trigger="delivery")
# 23:30 local on 31 October is 15:30 UTC the same day; 00:30 local on 1 November is 16:30 UTC on 31 October.
moments = [datetime.datetime(2026, 10, 31, 23, 30, tzinfo=tz), datetime.datetime(2026, 11, 1, 0, 30, tzinfo=tz)]
for number, ((csat, nps), at) in enumerate(zip([(5, 10), (2, 3)], moments)):
    invitation = SurveyInvitation.objects.create(
        questionnaire=questionnaire, member=member, store=store, trigger="delivery", channel="link",
        subject=f"t:{number}", token_hash=f"{number:064d}", dedupe_key=f"t:{number}", expires_at=at, answered_at=at)
    SurveyResponse.objects.create(invitation=invitation, questionnaire=questionnaire, member=member, store=store,
                                  trigger="delivery", csat=csat, nps=nps, answered_by=member.user, answered_at=at)
report = satisfaction_report(user=hq, date_from=datetime.date(2026, 10, 1), date_to=datetime.date(2026, 11, 30))
link = seed_surveys_demo()
print(json.dumps({
    "total": [report.total.responses, str(report.total.csat), str(report.total.nps), report.total.is_thin],
    "months": [[m.month.isoformat(), m.responses] for m in report.months],
    "demo_link": bool(link and link.startswith("/s/")),
    "demo_responses": SurveyResponse.objects.count(),
    "rescues_without_a_car": (seed_rescue_demo(), RescueRequest.objects.count())[1],
}))
"""


def test_the_report_and_the_demo_seeding_run_on_sqlite(demo_sqlite, tmp_path):
    env = sqlite_demo_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "total": [2, "50.0", "0.0", True],
        "months": [["2026-10-01", 1], ["2026-11-01", 1]],
        "demo_link": True,
        "demo_responses": 2 + 12,
        "rescues_without_a_car": 0,
    }
