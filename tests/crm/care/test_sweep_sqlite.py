"""The SLA sweep and both escalation levels (raw SQL: the status UPDATE, the task and message INSERT … SELECT) run
on the embedded demo database (SQLite) too: a subprocess with the demo's settings and a new file."""

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import sqlite_demo_env

ROOT = Path(__file__).resolve().parents[3]

SQLITE_SCRIPT = r"""
import datetime, json
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

assert connection.vendor == "sqlite"
call_command("migrate", verbosity=0)
from crm.care.complaints.models import Complaint
from crm.care.complaints.services import file_complaint, sweep_complaint_slas
from members.models import Member, Store, User
from notifications.models import Notification
from staff_tasks.models import Task

store = Store.objects.create(code="SZ01", name="深圳店", city="深圳", address="深南大道 1 号", phone="0755-1")
manager = User.objects.create(username="manager", is_staff=True, role="store_manager", store=store)
hq = User.objects.create(username="hq", is_staff=True, role="head_office")
member = Member.objects.create(user=User.objects.create(phone="+8613800000001"), name="李娜", preferred_store=store,
                               invite_code="SQLITE01")
complaints = [file_complaint(member=member, category="service", description=f"异响 {n}", filed_by="member",
                             actor=member.user) for n in range(2)]
on_time = file_complaint(member=member, category="billing", description="多收费", filed_by="member",
                         actor=member.user)
far = timezone.now() + datetime.timedelta(days=90)
Complaint.objects.filter(pk=on_time.pk).update(resolution_due=far, resolution_risk_at=far, first_response_due=far,
                                               first_response_risk_at=far)
start = timezone.now()
late = start + datetime.timedelta(days=30)
first = sweep_complaint_slas(now=late)
again = sweep_complaint_slas(now=late + datetime.timedelta(minutes=5))
head = sweep_complaint_slas(now=late + datetime.timedelta(hours=25))
message = Notification.objects.get(event="complaint.escalated_store", body__contains=complaints[0].number)
due = timezone.localtime(complaints[0].resolution_due).strftime("%m-%d %H:%M")
print(json.dumps({
    "first": first, "again": again, "head": head,
    "levels": sorted(Complaint.objects.values_list("escalation_level", flat=True)),
    "statuses": sorted(Complaint.objects.values_list("sla_status", flat=True)),
    "tasks": sorted([task.store_id or 0, task.subject_id] for task in Task.objects.all()),
    "complaint_ids": [complaint.pk for complaint in complaints], "store_id": store.pk,
    "recipients": sorted(Notification.objects.values_list("recipient__username", "event")),
    "due_in_message": due in message.body,
}))
"""


def test_the_sweep_and_escalation_run_on_sqlite(demo_sqlite, tmp_path):
    env = sqlite_demo_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    first, second = figures["complaint_ids"]
    assert figures["first"]["sla_refreshed"] == 2  # the two late ones breach
    assert (figures["first"]["escalated_store_tasks"], figures["first"]["escalated_store_messages"]) == (2, 2)
    assert figures["again"]["escalated_store_complaints"] == 0
    assert (figures["head"]["escalated_head_office_tasks"], figures["head"]["escalated_head_office_messages"]) == (2, 2)
    assert figures["levels"] == [0, 2, 2]
    assert figures["statuses"] == ["breached", "breached", "on_track"]
    store = figures["store_id"]
    assert figures["tasks"] == [[0, first], [0, second], [store, first], [store, second]]  # 0: head office
    assert (
        figures["recipients"]
        == [["hq", "complaint.escalated_head_office"]] * 2 + [["manager", "complaint.escalated_store"]] * 2
    )
    assert figures["due_in_message"]
