"""The task-execution report's one GROUP BY runs on the embedded demo database (SQLite) too, with the same figures:
a subprocess with the demo's settings and a new file."""

from tests.helpers import run_on_sqlite

SQLITE_SCRIPT = r"""
import datetime, json, zoneinfo
import django
django.setup()
from django.core.management import call_command
from django.db import connection

assert connection.vendor == "sqlite"
call_command("migrate", verbosity=0)
from crm.supervision.selectors import task_execution_report
from members.models import Store, User
from staff_tasks.models import Task

tz = zoneinfo.ZoneInfo("Asia/Shanghai")
at = lambda day, hour=0, minute=0: datetime.datetime(2026, 11, day, hour, minute, tzinfo=tz)
store = Store.objects.create(code="SZ01", name="深圳店", city="深圳", address="深南大道 1 号", phone="0755-1")
hq = User.objects.create(username="hq", is_staff=True, role="head_office")
agent = User.objects.create(username="store.a", is_staff=True, role="store_staff", store=store)
rows = [  # created, due, completed, outcome, status
    (at(1), at(3, 18), at(3, 10), "reached", "done"),
    (at(5, 9), at(6, 18), at(7, 9), "no_answer", "done"),
    (at(10, 9), at(12, 18), None, "", "open"),
    (at(20, 9), at(21, 18), at(21, 18), "reached", "done"),
    (at(30, 23, 59), datetime.datetime(2030, 1, 1, tzinfo=tz), None, "", "open"),
]
for created, due, done, outcome, status in rows:
    Task.objects.create(kind="return_visit", title="回访", store=store, assignee=agent, created_at=created, due_at=due,
                        completed_at=done, outcome=outcome, status=status)
Task.objects.create(kind="return_visit", title="回访", store=store, created_at=at(30, 16), due_at=at(28, 18))
report = task_execution_report(user=hq, date_from=datetime.date(2026, 11, 1), date_to=datetime.date(2026, 11, 30),
                               now=datetime.datetime(2026, 12, 1, 10, tzinfo=tz))
print(json.dumps([[r.store_code, r.assignee, r.created, r.done, r.done_on_time, r.overdue, r.reached,
                   str(r.reach_rate), r.score] for r in report.rows]))
"""


def test_the_report_gives_the_same_figures_on_sqlite(demo_sqlite, tmp_path):
    got = run_on_sqlite(SQLITE_SCRIPT, tmp_path=tmp_path)
    # store.a: 5 created, 3 done, 2 on time (one exactly at its due time), 2 overdue (one late, one open past due),
    # 2 reached of 3 done; nobody's: 1 created, open past due. Unassigned rows come last.
    assert got == [
        ["SZ01", "store.a", 5, 3, 2, 2, 2, "0.6667", 70],
        ["SZ01", None, 1, 0, 0, 1, 0, "None", 0],
    ]


REFRESH_SCRIPT = SQLITE_SCRIPT.replace(
    "report = task_execution_report(",
    """from crm.reports.services import refresh_task_days
from crm.supervision.models import TaskDay
written = [refresh_task_days(today=datetime.date(2026, 12, 1)), refresh_task_days(today=datetime.date(2026, 12, 1))]
days = sorted([str(d.created_on), d.assignee_id is not None, d.created, d.done, d.done_on_time, d.done_late,
               d.open_overdue, d.reached] for d in TaskDay.objects.all())
live = task_execution_report(user=hq, date_from=datetime.date(2026, 11, 1), date_to=datetime.date(2026, 11, 30))
aggregated = task_execution_report(user=hq, date_from=datetime.date(2026, 11, 1), date_to=datetime.date(2026, 11, 30),
                                   covers_until=datetime.date(2026, 12, 1))
same = [vars(r) == vars(a) for r, a in zip(live.rows, aggregated.rows, strict=True)]
same.append(vars(live.total) == vars(aggregated.total))
print(json.dumps({"written": written, "days": days, "same": same}))
raise SystemExit
report = task_execution_report(""",
)


def test_the_nightly_refresh_runs_on_sqlite_with_the_same_figures(demo_sqlite, tmp_path):
    got = run_on_sqlite(REFRESH_SCRIPT, tmp_path=tmp_path)
    assert got["written"] == [6, 6]  # a re-run rebuilds the same rows
    # Local days (UTC+8 on UTC text): the task of 23:59 on November 30th is November 30th's.
    assert got["days"] == [
        ["2026-11-01", True, 1, 1, 1, 0, 0, 1],
        ["2026-11-05", True, 1, 1, 0, 1, 0, 0],
        ["2026-11-10", True, 1, 0, 0, 0, 1, 0],
        ["2026-11-20", True, 1, 1, 1, 0, 0, 1],
        ["2026-11-30", False, 1, 0, 0, 0, 1, 0],
        ["2026-11-30", True, 1, 0, 0, 0, 0, 0],
    ]
    assert got["same"] == [True, True, True]
