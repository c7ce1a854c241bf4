"""Complaint SLA benchmark: the SLA sweep over 100,000 open complaints against one plain SQL ``UPDATE`` of the same
rows, and the deadline computation of one complaint for short and long deadlines.

Run from the project root:

    .venv/bin/python bench/complaints_sla.py [--complaints 100000] [--rounds 3] [--json out.json]

What it does, with no manual step:

1. measures how busy the machine is (``--wait-for-idle`` waits for a quiet one), drops and recreates the bench
   database (its name must contain "bench"; default ``mc_bench_complaints``) and migrates it;
2. bulk-loads with set-based SQL (``INSERT … SELECT FROM generate_series``, explicit ids: no Django object per row)
   ``--stores`` stores with one manager each, one head-office account, N members and N open complaints (one each,
   stores ``n % stores``), all stored ``on_track`` and never escalated. At the sweep's moment every one of them has
   moved on: 1 % are past their resolution deadline (breached: the sweep escalates them to their store — a task
   and a message to the manager each), the rest have used 80 % of their time (at risk). 10 % still wait for the
   first response. Then VACUUM (FREEZE, ANALYZE);
3. ``--rounds`` paired rounds, alternating which side goes first. Before each side the complaints are put back as
   loaded (statuses, levels; the escalation's tasks and messages deleted), vacuumed and CHECKPOINTed. The sides:
   - the app: ``crm.care.complaints.services.sweep_complaint_slas(now=…)``, the code beat and ``run_reminders`` run
     (one ``UPDATE`` of the statuses, then the two escalation levels, set-based);
   - the ceiling: one hand-written ``UPDATE complaints_complaint SET sla_status = 'at_risk' WHERE status IN (…)``:
     the same rows, no condition, no escalation.
   The figure is the median app time ÷ the median ceiling time (target <= 2). The bench checks that both touch
   every open complaint and that the app's statuses, tasks and messages are the expected ones; then it runs the
   sweep once more at the same moment (nothing to change or escalate: the steady-state cost of a sweep);
4. deadline computation: ``compute_deadlines`` (the four SLA moments of one complaint) with a new
   ``WorkingCalendar`` each time, as the services build one per complaint, for deadlines of two business hours, a
   week, across Spring Festival (2026's make-up Saturdays and the nine-day holiday), across National Day, months
   (into 2027, a year the calendar library does not know yet: weekly hours plus the admin's dates) and years;
   ``--repeat`` times each; median and p99 (target: median < 1 ms each);
5. prints a table, optionally writes JSON, and drops the database unless ``--keep``.

Settings: config.settings.local with DATABASE_URL pointing at the bench database and DJANGO_DEBUG=false; nothing is
sent (the messages stay in the outbox). All traffic goes to 127.0.0.1 and ``--timeout`` bounds the run.
"""

import argparse
import contextlib
import datetime
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from _common import (
    BenchError,
    Timer,
    drop_database,
    migrate,
    percentile,
    recreate_database,
    run_bench,
)

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mc_bench_complaints"
TARGET_RATIO = 2.0
TARGET_DEADLINE_MS = 1.0
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
# The sweep's moment: a Tuesday afternoon, no holiday near.
NOW = datetime.datetime(2026, 9, 15, 15, 0, tzinfo=SHANGHAI)
MANAGER_ID_BASE = 100
HEAD_OFFICE_ID = 99
ACCOUNT_ID_BASE = 10_000


def load_steps(*, complaints: int, stores: int) -> list[tuple[str, str]]:
    """(name, SQL) of the set-based load; %(now)s is the sweep's moment."""
    return [
        (
            "stores",
            f"""
            INSERT INTO members_store (id, code, name, city, address, phone, opening_hours, is_active)
            SELECT s, 'S' || lpad(s::text, 3, '0'), '门店 ' || s, '城市 ' || s %% 10, '地址 ' || s, '0100000' || s,
                   '09:00-18:00', true
            FROM generate_series(1, {stores}) AS s
            """,  # noqa: S608  (our own SQL, numbers only)
        ),
        (
            "store managers and head office",
            f"""
            INSERT INTO members_user (id, password, is_superuser, username, phone, email, is_staff, is_active, role,
                                      date_joined, store_id)
            SELECT {MANAGER_ID_BASE} + s, '!', false, 'manager-' || s, NULL, '', true, true, 'store_manager', now(), s
            FROM generate_series(1, {stores}) AS s
            UNION ALL
            SELECT {HEAD_OFFICE_ID}, '!', false, 'hq', NULL, '', true, true, 'head_office', now(), NULL
            """,  # noqa: S608  (our own SQL, numbers only)
        ),
        (
            "member accounts",
            f"""
            INSERT INTO members_user (id, password, is_superuser, username, phone, email, is_staff, is_active, role,
                                      date_joined, store_id)
            SELECT {ACCOUNT_ID_BASE} + n, '!', false, NULL, '+86139' || lpad(n::text, 8, '0'), '', false, true, '',
                   now(), NULL
            FROM generate_series(1, {complaints}) AS n
            """,  # noqa: S608  (our own SQL, numbers only)
        ),
        (
            "members",
            f"""
            INSERT INTO members_member (id, name, gender, birthday, email, city, channel, channel_partner, invite_code,
                                        tier, verification_status, real_name, id_number_encrypted, id_number_hash,
                                        id_number_masked, verified_at, created_at, updated_at, referred_by_id,
                                        user_id, preferred_store_id, closed_at, retained_identity, retained_until)
            SELECT n, '会员' || n, '', NULL, '', '', 'online', '', 'B' || lpad(n::text, 11, '0'), 'standard',
                   'unverified', '', '', NULL, '', NULL, now(), now(), NULL, {ACCOUNT_ID_BASE} + n,
                   1 + n %% {stores}, NULL, '', NULL
            FROM generate_series(1, {complaints}) AS n
            """,  # noqa: S608  (our own SQL, numbers only)
        ),
        (
            "open complaints",
            f"""
            INSERT INTO complaints_complaint (
                id, status, number, category, severity, filed_by, description, solution, root_cause, prevention,
                received_at, clock_started_at, paused_business_seconds, first_responded_at, closed_at,
                first_response_due, first_response_risk_at, resolution_due, resolution_risk_at, paused_at,
                pause_reason, sla_status, escalation_level, escalated_at, source_key, created_at, updated_at,
                created_by_id, member_id, order_id, reopens_id, store_id, vehicle_id)
            SELECT n, CASE WHEN n %% 10 = 1 THEN 'received' ELSE 'investigating' END,
                   'CP20260910' || lpad(n::text, 8, '0'),
                   (ARRAY['sales', 'finance', 'vehicle_quality', 'service', 'staff_attitude', 'billing',
                          'other'])[1 + n %% 7],
                   'general', 'member', '保养后异响，已等待多日', '', '', '', r.received, r.received, 0,
                   CASE WHEN n %% 10 = 1 THEN NULL ELSE r.received + interval '2 hours' END, NULL,
                   -- awaiting the first response: its risk moment has passed too, its deadline not yet
                   %(now)s + interval '1 hour', %(now)s - interval '1 hour',
                   CASE WHEN n %% 100 = 0 THEN %(now)s - (1 + n %% 5) * interval '1 hour'
                        ELSE %(now)s + (1 + n %% 8) * interval '1 hour' END,
                   %(now)s - (1 + n %% 50) * interval '1 minute', NULL, '', 'on_track', 0, NULL, NULL,
                   r.received, r.received, {ACCOUNT_ID_BASE} + n, n, NULL, NULL, 1 + n %% {stores}, NULL
            FROM generate_series(1, {complaints}) AS n,
                 LATERAL (SELECT %(now)s - (2 + n %% 5) * interval '1 day' AS received) AS r
            """,  # noqa: S608  (our own SQL, numbers only)
        ),
    ]


def scalar(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchone()[0]


def execute(statement: str, params=None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.rowcount


def load(*, complaints: int, stores: int) -> dict:
    timings = {}
    execute("SET synchronous_commit = off")  # the load only; the measured phases use the default
    for name, statement in load_steps(complaints=complaints, stores=stores):
        with Timer() as timer:
            rows = execute(statement, {"now": NOW})
        timings[name] = round(timer.seconds, 2)
        print(f"  {name}: {rows:,} rows in {timer.seconds:.1f} s", flush=True)
    for table in ("members_store", "members_user", "members_member", "complaints_complaint"):
        execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
    execute("RESET synchronous_commit")
    with Timer() as timer:
        for table in ("members_store", "members_user", "members_member", "complaints_complaint"):
            execute(f"VACUUM (FREEZE, ANALYZE) {table}")
    timings["vacuum"] = round(timer.seconds, 2)
    return timings


def restore() -> None:
    """Every complaint back as loaded (on track, never escalated) and the escalation's rows gone, vacuumed."""
    execute(
        "UPDATE complaints_complaint SET sla_status = 'on_track', escalation_level = 0, escalated_at = NULL "
        "WHERE sla_status <> 'on_track' OR escalation_level <> 0"
    )
    execute("DELETE FROM staff_tasks_task")
    execute("DELETE FROM notifications_notification")
    for table in ("complaints_complaint", "staff_tasks_task", "notifications_notification"):
        execute(f"VACUUM (ANALYZE) {table}")
    execute("CHECKPOINT")


def open_statuses() -> list[str]:
    from crm.care.complaints.enums import OPEN_STATUSES

    return list(OPEN_STATUSES)


def run_app() -> tuple[float, dict]:
    from crm.care.complaints.services import sweep_complaint_slas

    with Timer() as timer:
        counts = sweep_complaint_slas(now=NOW)
    return timer.seconds, counts


def run_ceiling() -> tuple[float, int]:
    with Timer() as timer:
        rows = execute(
            "UPDATE complaints_complaint SET sla_status = 'at_risk' WHERE status = ANY(%s)", [open_statuses()]
        )
    return timer.seconds, rows


def check_app_result(counts: dict, *, complaints: int) -> list[str]:
    breached = complaints // 100
    expected = {
        "sla_refreshed": complaints,
        "escalated_store_complaints": breached,
        "escalated_store_tasks": breached,
        "escalated_store_messages": breached,
        "escalated_head_office_complaints": 0,
    }
    problems = [
        f"{key}: {counts.get(key)} (expected {value})" for key, value in expected.items() if counts.get(key) != value
    ]
    statuses = dict(_rows("SELECT sla_status, count(*) FROM complaints_complaint GROUP BY sla_status"))
    if statuses != {"breached": breached, "at_risk": complaints - breached}:
        problems.append(f"statuses after the sweep: {statuses}")
    return problems


def _rows(statement: str, params=None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall()


def measure_sweep(*, complaints: int, rounds: int) -> dict:
    app_runs, ceiling_runs, problems, counts = [], [], [], {}
    for round_number in range(rounds):
        sides = ("ceiling", "app") if round_number % 2 == 0 else ("app", "ceiling")
        for side in sides:
            restore()
            if side == "app":
                seconds, counts = run_app()
                app_runs.append(seconds)
                problems += check_app_result(counts, complaints=complaints)
            else:
                seconds, rows = run_ceiling()
                ceiling_runs.append(seconds)
                if rows != complaints:
                    problems.append(f"the ceiling updated {rows:,} rows, not {complaints:,}")
            print(f"  round {round_number + 1}, {side}: {seconds:.3f} s", flush=True)
    # Steady state: the sweep again at the same moment, after the app's own run.
    restore()
    run_app()
    with Timer() as again:
        from crm.care.complaints.services import sweep_complaint_slas

        again_counts = sweep_complaint_slas(now=NOW)
    if any(again_counts.values()):
        problems.append(f"the second sweep changed something: {again_counts}")
    app, ceiling = statistics.median(app_runs), statistics.median(ceiling_runs)
    return {
        "complaints": complaints,
        "app_runs_seconds": [round(value, 3) for value in app_runs],
        "ceiling_runs_seconds": [round(value, 3) for value in ceiling_runs],
        "app_seconds": round(app, 3),
        "ceiling_seconds": round(ceiling, 3),
        "ratio": round(app / ceiling, 2) if ceiling else None,
        "paired_ratios": [round(a / c, 2) for a, c in zip(app_runs, ceiling_runs, strict=True)],
        "app_counts": counts,
        "again_seconds": round(again.seconds, 3),
        "again_counts": again_counts,
        "problems": problems,
    }


DEADLINE_CASES = [
    # name, start (local), (first response, resolution) business hours
    ("two business hours (major, first response)", datetime.datetime(2026, 9, 15, 10, tzinfo=SHANGHAI), (2, 16)),
    ("a week (general: 8 h / 40 h)", datetime.datetime(2026, 9, 15, 10, tzinfo=SHANGHAI), (8, 40)),
    ("across Spring Festival 2026 (8 h / 40 h)", datetime.datetime(2026, 2, 12, 16, tzinfo=SHANGHAI), (8, 40)),
    ("across National Day 2026 (8 h / 40 h)", datetime.datetime(2026, 9, 29, 16, tzinfo=SHANGHAI), (8, 40)),
    ("months, into 2027 (8 h / 1,000 h)", datetime.datetime(2026, 9, 15, 10, tzinfo=SHANGHAI), (8, 1000)),
    ("years (8 h / 10,000 h)", datetime.datetime(2026, 9, 15, 10, tzinfo=SHANGHAI), (8, 10_000)),
]


def measure_deadlines(*, repeat: int) -> list[dict]:
    from crm.care.complaints.calendar import DayOverride, WorkingCalendar
    from crm.care.complaints.services import compute_deadlines

    # The admin's dates for 2027, which the library does not know yet (Spring Festival closed, one make-up day).
    overrides = [DayOverride(day=datetime.date(2027, 2, 6) + datetime.timedelta(days=offset), is_working=False)
                 for offset in range(9)] + [DayOverride(day=datetime.date(2027, 2, 20), is_working=True)]  # fmt: skip
    results = []
    for name, start, hours in DEADLINE_CASES:
        timings = []
        for _attempt in range(repeat):
            started = time.perf_counter()
            deadlines = compute_deadlines(start=start, hours=hours, calendar=WorkingCalendar(overrides=overrides))
            timings.append((time.perf_counter() - started) * 1000)
        first = timings[0]  # this case's years not yet computed in this process
        timings.sort()
        results.append({
            "case": name,
            "resolution_due": deadlines["resolution_due"].isoformat(),
            "first_call_ms": round(first, 4),
            "median_ms": round(statistics.median(timings), 4),
            "p99_ms": round(percentile(timings, 0.99), 4),
        })  # fmt: skip
    return results


def check_targets(args: argparse.Namespace) -> None:
    host = urlsplit(args.database_url).hostname or ""
    if host not in LOOPBACK_HOSTS:
        raise BenchError(f"--database-url must point at this machine's loopback (127.0.0.1), not {host!r}")
    name = urlsplit(args.database_url).path.lstrip("/")
    if "bench" not in name:
        raise BenchError(f"Refusing to drop database {name!r}: its name must contain 'bench'")
    if args.complaints < 1000 or args.complaints % 100:
        raise BenchError("--complaints must be a multiple of 100, at least 1,000 (1% of them are breached)")


def bench_env(database_url: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", DATABASE_URL=database_url, DJANGO_DEBUG="false")
    return env


def run(args: argparse.Namespace, busy_before: float) -> dict:
    env = bench_env(args.database_url)
    results: dict = {
        "command": " ".join([".venv/bin/python", "bench/complaints_sla.py", *sys.argv[1:]]),
        "config": {"complaints": args.complaints, "stores": args.stores, "rounds": args.rounds, "repeat": args.repeat},
        "machine": {
            "python": platform.python_version(),
            "cores": os.cpu_count(),
            "busy_percent_before_start": busy_before,
        },
    }
    recreate_database(args.database_url)
    try:
        with Timer() as timer:
            migrate(env, root=ROOT)
        print(f"  migrated in {timer.seconds:.1f} s", flush=True)
        os.environ.update(env)
        os.environ.pop("REDIS_URL", None)
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        results["machine"]["postgresql"] = scalar("SHOW server_version")
        with Timer() as timer:
            results["load"] = load(complaints=args.complaints, stores=args.stores)
        results["load"]["seconds"] = round(timer.seconds, 1)
        results["sweep"] = measure_sweep(complaints=args.complaints, rounds=args.rounds)
        results["deadlines"] = measure_deadlines(repeat=args.repeat)
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if not args.keep:
            drop_database(args.database_url)
    return results


def verdicts(results: dict) -> list[str]:
    sweep = results["sweep"]
    missed = list(sweep["problems"])
    if sweep["ratio"] is None or sweep["ratio"] > TARGET_RATIO:
        missed.append(f"sweep: {sweep['ratio']} x the plain UPDATE > {TARGET_RATIO}")
    missed += [
        f"deadline {case['case']}: median {case['median_ms']} ms >= {TARGET_DEADLINE_MS} ms"
        for case in results["deadlines"]
        if case["median_ms"] >= TARGET_DEADLINE_MS
    ]
    return missed


def print_table(results: dict) -> None:
    config, machine, sweep = results["config"], results["machine"], results["sweep"]
    print()
    print(f"Complaint SLA over {config['complaints']:,} open complaints, {config['stores']} stores; {machine['cores']} "
          f"cores, PostgreSQL {machine['postgresql']}; machine {machine['busy_percent_before_start']}% busy before the "
          f"start; load {results['load']['seconds']} s")  # fmt: skip
    header = f"{'':52}{'rows':>10}{'median s':>10}  runs"
    print(header)
    print("-" * (len(header) + 24))
    counts = sweep["app_counts"]
    print(f"{'sweep_complaint_slas (app: UPDATE + escalation)':52}{counts.get('sla_refreshed', 0):>10,}"
          f"{sweep['app_seconds']:>10.3f}  {sweep['app_runs_seconds']}")  # fmt: skip
    tasks, messages = counts.get("escalated_store_tasks", 0), counts.get("escalated_store_messages", 0)
    print(f"{'  of which escalated to the store':52}{counts.get('escalated_store_complaints', 0):>10,}{'':>10}  "
          f"{tasks:,} tasks, {messages:,} messages")  # fmt: skip
    ceiling = "plain UPDATE of sla_status (ceiling)"
    print(f"{ceiling:52}{config['complaints']:>10,}{sweep['ceiling_seconds']:>10.3f}  {sweep['ceiling_runs_seconds']}")
    print(f"{'ratio app / ceiling (target <= 2)':52}{'':>10}{sweep['ratio']:>10}  paired {sweep['paired_ratios']}")
    print(f"{'sweep again at the same moment (nothing to do)':52}{0:>10}{sweep['again_seconds']:>10.3f}")
    print()
    header = f"{'deadlines of one complaint (new calendar each)':52}{'first ms':>10}{'median ms':>11}{'p99 ms':>9}"
    print(header)
    print("-" * len(header))
    for case in results["deadlines"]:
        print(f"{case['case']:52}{case['first_call_ms']:>10.3f}{case['median_ms']:>11.4f}{case['p99_ms']:>9.3f}")
    missed = verdicts(results)
    print("ALL TARGETS MET" if not missed else "MISSED: " + "; ".join(missed))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--complaints", type=int, default=100_000, help="open complaints (one member each)")
    parser.add_argument("--stores", type=int, default=50, help="stores (one manager each)")
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds: app sweep and plain UPDATE")
    parser.add_argument("--repeat", type=int, default=2000, help="deadline computations per case")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="bench database (dropped!)")
    parser.add_argument("--timeout", type=float, default=1200, help="stop the run after this many seconds")
    parser.add_argument("--wait-for-idle", type=float, default=0, metavar="SECONDS",
                        help="wait up to this long for the machine to be under 10%% busy first")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    return run_bench(
        parse_args(argv),
        title="Complaint SLA bench",
        check_targets=check_targets,
        run=run,
        print_table=print_table,
        verdicts=verdicts,
    )


if __name__ == "__main__":
    sys.exit(main())
