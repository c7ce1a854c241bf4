"""On the embedded demo database (SQLite): the old call tasks migrate into tasks, and the set-based rules run there
too (their date arithmetic and modulo are written per dialect; several rules share one statement and are counted
each). A subprocess with the demo's settings, a new file."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SQLITE_SCRIPT = r"""
import datetime, json
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

assert connection.vendor == "sqlite"
before = [("notifications", "0011_inbox_sql_functions_current"), ("staff_tasks", "0002_default_task_rules")]
for app, name in before:
    call_command("migrate", app, name, verbosity=0)
old = MigrationExecutor(connection).loader.project_state(before).apps
Store, User, Member = (old.get_model("members", name) for name in ("Store", "User", "Member"))
Notification = old.get_model("notifications", "Notification")
StaffCallTask = old.get_model("notifications", "StaffCallTask")
store = Store.objects.create(code="SZ01", name="深圳店", city="深圳", address="深南大道 1 号", phone="0755-1")
user = User.objects.create(phone="+8613900000001")
member = Member.objects.create(user=user, name="王先生", invite_code="INV001", preferred_store=store)
agent = User.objects.create(username="agent", is_staff=True, role="call_center")
now = timezone.now()
for event, key, state in (("vehicle.three_day_call", "vehicle.three_day_call:7:call", "open"),
                          ("repayment.overdue_7", "repayment.overdue_7:99:call", "done")):
    row = Notification.objects.create(recipient=user, event=event, channel="call", subject=f"{event} 标题",
                                      body="请致电", dedupe_key=key, status="sent", send_after=now)
    StaffCallTask.objects.create(notification=row, member_user=user, subject=row.subject, script="请致电",
                                 state=state, outcome="客户承诺周五还款" if state == "done" else "",
                                 closed_by=agent if state == "done" else None,
                                 closed_at=now if state == "done" else None)
call_command("migrate", verbosity=0)

from staff_tasks.models import Task
migrated = [
    [t.kind, t.status, t.title, t.member_id == member.pk, t.store_id == store.pk, t.subject_type, t.subject_id,
     t.note, t.completed_by_id == agent.pk, t.due_at == now]
    for t in Task.objects.order_by("pk")
]

from orders.task_rules import run_task_rules
from tests.vehicles.factories import TrimFactory
from vehicles.models import OwnedVehicle
day0 = datetime.date(2026, 3, 1)
trim = TrimFactory()
OwnedVehicle.objects.create(member_id=member.pk, trim=trim, vin="LSVAA4182E2123456", plate="粤B·12345",
                            delivered_on=day0)
# A second car, handed over four days earlier: its 7-day visit falls on the first car's 3-day call.
OwnedVehicle.objects.create(member_id=member.pk, trim=trim, vin="LSVAA4182E2123457", plate="粤B·12346",
                            delivered_on=day0 - datetime.timedelta(days=4))
first = run_task_rules(day=day0 + datetime.timedelta(days=3))
counts = [first["three_day_call"], first["return_visit_7"],
          run_task_rules(day=day0 + datetime.timedelta(days=3))["three_day_call"],
          run_task_rules(day=day0 + datetime.timedelta(days=90))["owner_quarterly_visit"],
          run_task_rules(day=day0 + datetime.timedelta(days=91))["owner_quarterly_visit"]]
three_day = Task.objects.get(kind="three_day_call", rule__isnull=False)
print(json.dumps({"migrated": migrated, "counts": counts, "title": three_day.title,
                  "due": timezone.localtime(three_day.due_at).isoformat()}, ensure_ascii=False))
"""


def test_on_sqlite_old_call_tasks_migrate_and_the_rules_run(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["migrated"] == [
        ["three_day_call", "open", "vehicle.three_day_call 标题", True, True, "vehicle", 7, "", False, True],
        ["collection_call", "done", "repayment.overdue_7 标题", True, True, "installment", 99, "客户承诺周五还款", True,
         True],
    ]  # fmt: skip
    assert answer["counts"] == [1, 1, 0, 1, 0]
    assert answer["title"] == "交车 3 日回访（3DC）：王先生（粤B·12345）"
    assert answer["due"] == "2026-03-04T18:00:00+08:00"
