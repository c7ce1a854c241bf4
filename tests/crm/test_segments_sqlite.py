"""The segment computation's SQL (window functions, upserts, temporary tables) runs on the embedded demo database
(SQLite) too, with the same results: a subprocess with the demo's settings and a new file."""

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import sqlite_demo_env

ROOT = Path(__file__).resolve().parents[2]

SQLITE_SCRIPT = r"""
import datetime, json
from decimal import Decimal
import django
django.setup()
from django.core.management import call_command
from django.db import connection

assert connection.vendor == "sqlite"
call_command("migrate", verbosity=0)
from crm.segments.models import MemberSegment, MemberTag, TierChange
from crm.segments.services import compute_segments
from members.models import Member, User
from staff_tasks.models import Task
from vehicles.models import Brand, CarModel, OwnedVehicle, ServiceRecord, Trim

model = CarModel.objects.create(brand=Brand.objects.create(name="比亚迪"), name="汉", body_type="sedan", energy="ev")
trim = Trim.objects.create(car_model=model, name="旗舰版", guide_price=Decimal("200000"))
as_of = datetime.date(2026, 6, 30)
members = []
for n, amount in enumerate(["9000", "9000", "7000"] + ["100"] * 17):
    user = User.objects.create(phone=f"+8613900000{n:03d}")
    member = Member.objects.create(user=user, invite_code=f"S{n:05d}", city="深圳")
    car = OwnedVehicle.objects.create(member=member, trim=trim, vin=f"VIN{n:014d}", plate=f"粤B{n:05d}",
                                      delivered_on=datetime.date(2022, 1, 1))
    ServiceRecord.objects.create(vehicle=car, dealer_reference=f"D{n}", serviced_on=datetime.date(2026, 3, 1),
                                 mileage_km=1000, description="保养", customer_amount=Decimal(amount))
    members.append(member)
# The second member: an open complaint this quarter, a poorly rated one, a detractor answer.
from crm.care.complaints.models import Complaint, ComplaintRating
from crm.care.complaints.services import file_complaint
from crm.surveys.defaults import ensure_default_questionnaires
from crm.surveys.models import SurveyInvitation, SurveyResponse
from crm.surveys.selectors import active_questionnaire
from django.utils import timezone
at = timezone.make_aware(datetime.datetime(2026, 6, 1, 10))
unhappy = members[1]
for closed in (False, True):
    complaint = file_complaint(member=unhappy, category="service", description="异响", filed_by="member",
                               actor=unhappy.user)
    Complaint.objects.filter(pk=complaint.pk).update(received_at=at, status="closed" if closed else "received",
                                                     closed_at=at if closed else None)
ComplaintRating.objects.filter(pk=ComplaintRating.objects.create(complaint=complaint, score=1).pk).update(created_at=at)
ensure_default_questionnaires()
questionnaire = active_questionnaire(trigger="delivery")
invitation = SurveyInvitation.objects.create(questionnaire=questionnaire, member=unhappy, trigger="delivery",
    channel="link", subject="t:1", token_hash="0" * 64, dedupe_key="t:1", expires_at=at, answered_at=at)
SurveyResponse.objects.create(invitation=invitation, questionnaire=questionnaire, member=unhappy, trigger="delivery",
                              nps=4, answered_by=unhappy.user, answered_at=at)
first = compute_segments(as_of=as_of)
again = compute_segments(as_of=as_of)
rows = {s.member_id: s for s in MemberSegment.objects.all()}
print(json.dumps({
    "tiers": [rows[m.pk].tier for m in members[:4]] + [rows[members[10].pk].tier],
    "lifecycle": rows[members[0].pk].lifecycle, "loyalty": rows[members[0].pk].loyalty,
    "reasons": rows[members[0].pk].churn_reason_codes, "score": rows[members[0].pk].churn_score,
    "unhappy": [rows[unhappy.pk].churn_reason_codes, rows[unhappy.pk].churn_score,
                MemberTag.objects.filter(member=unhappy, tag__code="complained_this_quarter").exists()],
    "tags": sorted(MemberTag.objects.filter(member=members[0]).values_list("tag__code", flat=True)),
    "changes": TierChange.objects.count(), "again": [again.tier_changes, again.messages, again.tasks, again.tags_added],
    "member_tier": Member.objects.get(pk=members[0].pk).tier, "tasks": Task.objects.filter(kind="churn_recall").count(),
}))
"""


def test_segments_give_the_same_results_on_sqlite(demo_sqlite, tmp_path):
    env = sqlite_demo_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout.strip().splitlines()[-1])
    # 20 ranked: the tie at the top shares diamond, 2/19 = 0.105 → gold, the 17 at 100 tie at 3/19 → gold.
    assert got["tiers"] == ["diamond", "diamond", "gold", "gold", "gold"]
    assert got["member_tier"] == "diamond"
    # Served since 2022 but a break of more than a year before March 2026: continuous only since then.
    assert (got["lifecycle"], got["loyalty"]) == ("active", "low")
    assert got["reasons"] == ["no_sign_in"]
    assert got["score"] == 15
    assert got["unhappy"] == [
        ["no_sign_in", "open_complaint", "poorly_rated_complaint", "detractor_answer"],
        15 + 20 + 20 + 15,
        True,
    ]
    assert got["tags"] == ["city:深圳", "lifecycle:active", "loyalty:low", f"model:{1}", "tier:diamond"]
    assert got["changes"] == 20
    assert got["again"] == [0, 0, 0, 0]
    assert got["tasks"] == 1  # the unhappy member's score (70) reached the at-risk threshold: one recall task
