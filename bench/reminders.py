"""Reminders benchmark: ``run_reminders`` for one day over a million members with cars, against a hand-written
``INSERT … SELECT … ON CONFLICT DO NOTHING`` of the same rows (the ceiling). Issue 5, figure (1).

Run from the project root:

    .venv/bin/python bench/reminders.py [--members 1000000] [--keep] [--explain] [--json out.json]

What it does, with no manual step:

1. checks that PostgreSQL answers on the loopback, drops and recreates the bench database (its name must contain
   "bench"; default ``mc_bench_reminders``) and migrates it (``manage.py migrate`` in a subprocess, so the bench
   process's memory starts clean);
2. bulk-loads N accounts + members + one owned car each with set-based SQL (``INSERT … SELECT FROM
   generate_series``: no Django object per row). Every member is active; members joined over the last 1,100 days
   (~900 a day: welcome and follow-ups have work), birthdays spread over the year (~1/365 a day, 10% unknown), cars
   delivered over 1,500 days (the 3-day call), service / inspection / insurance dates spread over 400 days (~2,500
   a day each), 1% of members (by a hash) switched marketing SMS off and 1% service SMS off. Then VACUUM (FREEZE,
   ANALYZE);
3. phase "normal day": ``run_reminders(day=2026-09-15)`` (no holiday), with the time of every rule (each rule is
   one ``bulk_queue_notifications`` call; the bench wraps those calls to time them, the app is unchanged) and of
   every INSERT statement (``connection.execute_wrapper``); then the same day again (must create nothing);
4. phase "holiday": CHECKPOINT, then ``run_reminders(day=2026-10-01)``: National Day greets every active member on
   inbox + SMS (~2,000,000 rows); the greeting rule's time is reported apart, split into its two INSERTs (one per
   channel) and the commit (the outbox's foreign key to the account is DEFERRABLE INITIALLY DEFERRED, so it is
   checked at commit); then the same day again (must create nothing: the cost of idempotency);
5. phase "next day": ``run_reminders(day=2026-10-02)`` with ~2,000,000 rows now in the outbox;
6. phase "ceiling": a fresh copy of the outbox table (``LIKE … INCLUDING ALL`` + the same deferred foreign key),
   CHECKPOINT, then ONE hand-written ``INSERT … SELECT … FROM members_member JOIN members_user … ON CONFLICT
   (dedupe_key) DO NOTHING`` producing the greeting's inbox rows, + COMMIT. The copy is then compared with the
   app's rows column by column (they must be identical) and the ratio app-per-channel ÷ ceiling is computed
   (target <= 1.5);
7. the dispatcher's claim query (``dispatch_due_notifications``)
   with ~1,000,000 pending SMS rows in the outbox, under EXPLAIN ANALYZE (rolled back);
   with ``--explain`` also the app's inbox INSERT of the greeting under EXPLAIN (ANALYZE, BUFFERS, WAL), into
   another fresh copy, rolled back;
8. prints a table with the peak RSS of this Python process (``resource.getrusage``) after every phase (it must
   stay flat: no Python object per row), optionally writes JSON, and drops the database unless ``--keep``.

Settings: config.settings.local with DATABASE_URL pointing at the bench database and DJANGO_DEBUG=false (no query
log in memory); no REDIS_URL is needed (nothing is sent). All traffic goes to 127.0.0.1; ``--timeout`` bounds the run.
"""

import argparse
import contextlib
import datetime
import os
import platform
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from _common import BenchError, drop_database, machine_busy_percent, migrate, recreate_database, run_bench

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mc_bench_reminders"
NORMAL_DAY = datetime.date(2026, 9, 15)
HOLIDAY = datetime.date(2026, 10, 1)
NEXT_DAY = datetime.date(2026, 10, 2)
HOLIDAY_EVENT = "member.holiday.national_day"
TARGET_RATIO = 1.5
CEILING_TABLE = "bench_ceiling_notification"
EXPLAIN_TABLE = "bench_explain_notification"


# --------------------------------------------------------------------------------------------------------------------
# Measurements


def peak_rss_mib() -> float:
    """Peak resident set of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def current_rss_mib(pid: int | str = "self") -> float | None:
    return _proc_status_mib(pid, "VmRSS")


def _proc_status_mib(pid: int | str, field: str) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


class Timer:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __enter__(self):
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._started


class StatementLog:
    """``connection.execute_wrapper``: the duration and row count of every outbox INSERT the app runs."""

    def __init__(self) -> None:
        self.inserts: list[dict] = []

    def __call__(self, execute, statement, params, many, context):
        started = time.perf_counter()
        result = execute(statement, params, many, context)
        if statement.lstrip().startswith("INSERT INTO notifications_notification"):
            self.inserts.append(
                {
                    "event": params[1],
                    "channel": params[2],
                    "seconds": time.perf_counter() - started,
                    "rows": max(context["cursor"].rowcount, 0),
                    "sql": statement,
                    "params": list(params),
                }
            )
        return result


class RuleTimer:
    """Wraps ``bulk_queue_notifications`` where the reminder modules imported it, to time each rule (one call).
    Only this process's module attributes are replaced; the app's code is not changed."""

    MODULES = ("vehicles.reminders", "orders.reminders", "crm.reminders")

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self._originals: dict = {}

    def install(self) -> None:
        import importlib

        for name in self.MODULES:
            module = importlib.import_module(name)
            original = module.bulk_queue_notifications
            self._originals[name] = original
            module.bulk_queue_notifications = self._wrap(original)

    def _wrap(self, original):
        def timed(**kwargs):
            started = time.perf_counter()
            created = original(**kwargs)
            self.calls.append({"event": kwargs["event"], "seconds": time.perf_counter() - started, "created": created})
            return created

        return timed


# --------------------------------------------------------------------------------------------------------------------
# Database set-up


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def check_targets(args: argparse.Namespace) -> None:
    host = urlsplit(args.database_url).hostname or ""
    if host not in LOOPBACK_HOSTS:
        raise BenchError(f"--database-url must point at this machine's loopback (127.0.0.1), not {host!r}")
    if "bench" not in database_name(args.database_url):
        raise BenchError(
            f"Refusing to drop database {database_name(args.database_url)!r}: its name must contain 'bench'"
        )
    if args.members < 1000:
        raise BenchError("--members must be at least 1000 (the rules need a spread of dates)")


def bench_env(database_url: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", DATABASE_URL=database_url, DJANGO_DEBUG="false")
    return env


LOAD_STEPS = [
    (
        "accounts",
        """
        INSERT INTO members_user (password, last_login, is_superuser, username, phone, email, is_staff, is_active,
                                  role, date_joined, store_id)
        SELECT '!', NULL, false, NULL, '+86139' || lpad(n::text, 8, '0'), '', false, true, '',
               %(joined)s - (n %% 1100) * interval '1 day', NULL
        FROM generate_series(1, %(members)s) AS n
        """,
    ),
    (
        "members",
        """
        INSERT INTO members_member (name, gender, birthday, email, city, channel, channel_partner, invite_code, tier,
                                    verification_status, real_name, id_number_encrypted, id_number_hash,
                                    id_number_masked, verified_at, created_at, updated_at, referred_by_id, user_id,
                                    preferred_store_id, retained_identity)
        SELECT CASE WHEN s.n %% 10 = 0 THEN '' ELSE '会员' || s.n END, '',
               CASE WHEN s.n %% 10 = 3 THEN NULL ELSE make_date(1960 + s.n %% 40, 1, 1) + (s.n / 40) %% 365 END,
               '', '', 'online', '', 'B' || lpad(s.n::text, 11, '0'), 'normal', 'unverified', '', '', NULL, '',
               NULL, s.joined, s.joined, NULL, s.id, NULL, ''
        FROM (
            SELECT u.id, CAST(substr(u.phone, 7) AS integer) AS n,
                   %(joined)s - (CAST(substr(u.phone, 7) AS integer) %% 1100) * interval '1 day'
                   - (CAST(substr(u.phone, 7) AS integer) %% 600) * interval '1 minute' AS joined
            FROM members_user u WHERE u.phone LIKE '+86139%%'
        ) AS s
        """,
    ),
    (
        "cars",
        """
        INSERT INTO vehicles_ownedvehicle (vin, plate, delivered_on, mileage_km, created_at, member_id, trim_id,
                                           inspection_due_on, insurance_due_on, next_service_km, next_service_on)
        SELECT 'LBENCH' || lpad(s.n::text, 11, '0'), '京A' || lpad((s.n %% 100000)::text, 5, '0'),
               %(last_day)s - s.n %% 1500, s.n %% 50000, now(), s.id, %(trim)s,
               %(first_due)s + (s.n * 7) %% 400, %(first_due)s + (s.n * 13) %% 400,
               s.n %% 50000 + 5000, %(first_due)s + s.n %% 400
        FROM (SELECT m.id, CAST(substr(m.invite_code, 2) AS integer) AS n FROM members_member m) AS s
        """,
    ),
    (
        "preferences (2% SMS off)",
        """
        INSERT INTO notifications_preference (user_id, category, channel, is_enabled, updated_at)
        SELECT s.id, CASE WHEN s.bucket = 1 THEN 'marketing' ELSE 'service' END, 'sms', false, now()
        FROM (
            -- A hash, not n %% 100: that would pick whole join days (n %% 1100) and empty some rules' SMS.
            SELECT u.id, abs(hashint4(CAST(substr(u.phone, 7) AS integer))) %% 100 AS bucket
            FROM members_user u WHERE u.phone LIKE '+86139%%'
        ) AS s
        WHERE s.bucket IN (1, 2)
        """,
    ),
]


def load(members: int) -> dict:
    """Bulk-load accounts, members, cars and preferences with set-based SQL; returns the seconds of each step."""
    from django.db import connection

    timings = {}
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")  # the load only; measured phases use the default
        cursor.execute(
            """
            WITH brand AS (INSERT INTO vehicles_brand (name, sort_order) VALUES ('Bench', 0) RETURNING id),
                 model AS (INSERT INTO vehicles_carmodel (brand_id, name, body_type, energy, description, picture,
                                                          is_active, first_service_months, first_service_km,
                                                          service_interval_months, service_interval_km)
                           SELECT id, 'Bench Sedan', 'sedan', 'petrol', '', '', true, 6, 5000, 12, 10000 FROM brand
                           RETURNING id)
            INSERT INTO vehicles_trim (car_model_id, name, guide_price, is_active)
            SELECT id, 'Standard', 150000, true FROM model RETURNING id
            """
        )
        trim_id = cursor.fetchone()[0]
        params = {
            "members": members,
            "joined": datetime.datetime(2026, 9, 30, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
            "trim": trim_id,
            "last_day": datetime.date(2026, 9, 30),
            "first_due": datetime.date(2026, 9, 1),
        }
        for name, statement in LOAD_STEPS:
            with Timer() as timer:
                cursor.execute(statement, params)
            timings[name] = round(timer.seconds, 1)
            print(f"  {name}: {cursor.rowcount:,} rows in {timer.seconds:.1f} s", flush=True)
        with Timer() as timer:
            for table in ("members_user", "members_member", "vehicles_ownedvehicle", "notifications_preference"):
                cursor.execute(f"VACUUM (FREEZE, ANALYZE) {table}")
        timings["vacuum_analyze"] = round(timer.seconds, 1)
        print(f"  VACUUM (FREEZE, ANALYZE): {timer.seconds:.1f} s", flush=True)
        cursor.execute("RESET synchronous_commit")
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('members_user')), "
            "pg_size_pretty(pg_total_relation_size('members_member')), "
            "pg_size_pretty(pg_total_relation_size('vehicles_ownedvehicle'))"
        )
        sizes = cursor.fetchone()
    timings["sizes"] = {"members_user": sizes[0], "members_member": sizes[1], "vehicles_ownedvehicle": sizes[2]}
    return timings


# --------------------------------------------------------------------------------------------------------------------
# Phases


def scalar(statement: str, params: list | None = None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchone()[0]


def checkpoint() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def backend_peak_rss_mib() -> float | None:
    """Peak RSS of this connection's PostgreSQL backend (VmHWM: it counts the shared buffers it touched too)."""
    return _proc_status_mib(scalar("SELECT pg_backend_pid()"), "VmHWM")


def run_day(day: datetime.date, *, rules: RuleTimer, log: StatementLog, label: str) -> dict:
    from crm.services import run_reminders

    rules.calls.clear()
    log.inserts.clear()
    rss_before = peak_rss_mib()
    with Timer() as timer:
        created = run_reminders(day=day)
    # Each outbox rule is one bulk call, timed here by its event (a vehicle rule makes two calls, 7 and 1 days
    # before); the other jobs run_reminders runs (task rules, card upgrades, the complaint sweep…) are counted.
    per_rule: dict[str, dict] = {}
    for call in rules.calls:
        rule = per_rule.setdefault(call["event"], {"created": 0, "seconds": 0.0, "statements": {}})
        rule["created"] += call["created"]
        rule["seconds"] = round(rule["seconds"] + call["seconds"], 3)
        rule["statements"] = {  # the last call's statements
            insert["channel"]: {"seconds": round(insert["seconds"], 3), "rows": insert["rows"]}
            for insert in log.inserts
            if insert["event"] == call["event"]
        }
    if not per_rule:
        raise BenchError("run_reminders made no bulk outbox call")
    total = sum(created.values())
    result = {
        "day": day.isoformat(),
        "seconds": round(timer.seconds, 2),
        "created": total,
        "rows_per_second": round(total / timer.seconds) if timer.seconds else None,
        "rules": per_rule,
        "jobs": created,
        "python_peak_rss_mib_before": rss_before,
        "python_peak_rss_mib_after": peak_rss_mib(),
        "python_rss_mib_now": current_rss_mib(),
        "postgres_backend_peak_rss_mib": backend_peak_rss_mib(),
    }
    print(f"  {label} ({day}): {total:,} rows in {timer.seconds:.2f} s; peak RSS {peak_rss_mib()} MiB", flush=True)
    return result


def holiday_split(result: dict, log_inserts: list[dict]) -> dict:
    rule = result["rules"]["member.holiday.national_day"]
    statements = rule["statements"]
    statement_seconds = sum(entry["seconds"] for entry in statements.values())
    return {
        "rule_seconds": rule["seconds"],
        "inbox_insert_seconds": statements["inbox"]["seconds"],
        "inbox_rows": statements["inbox"]["rows"],
        "sms_insert_seconds": statements["sms"]["seconds"],
        "sms_rows": statements["sms"]["rows"],
        "commit_seconds": round(rule["seconds"] - statement_seconds, 3),
        "rest_of_run_seconds": round(result["seconds"] - rule["seconds"], 3),
    }


def ceiling_texts() -> dict:
    """The greeting's subject and body as the app renders them (the event's text from the catalog, the holiday's
    name filled in), split around ``{name}`` for the hand-written statement."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext as _

    from crm.holidays import holidays_on
    from notifications.bulk import reminder_time
    from notifications.catalog import resolve_text

    with translation.override(settings.LANGUAGE_CODE):
        [(code, holiday)] = holidays_on(HOLIDAY)
        dear = _("Dear member")
    subject, body = resolve_text(event=f"member.holiday.{code}", channel="inbox", language=settings.LANGUAGE_CODE)
    subject, body = subject.replace("{holiday}", holiday), body.replace("{holiday}", holiday)
    if "{" in subject or body.count("{name}") != 1 or "{" in body.replace("{name}", ""):
        raise BenchError(f"the greeting's text changed shape: {subject!r} / {body!r}")
    before, after = body.split("{name}")
    return {
        "event": f"member.holiday.{code}",
        "subject": subject[:200],
        "before": before,
        "after": after,
        "dear": dear,
        "send_after": reminder_time(HOLIDAY),
        "year": str(HOLIDAY.year),
    }


def copy_outbox_table(name: str) -> None:
    """A fresh, empty copy of the outbox: same columns, defaults, indexes, checks, and the same deferred FK."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TABLE {name} (LIKE notifications_notification INCLUDING ALL)")
        cursor.execute(
            f"ALTER TABLE {name} ADD FOREIGN KEY (recipient_id) REFERENCES members_user (id) "
            "DEFERRABLE INITIALLY DEFERRED"
        )


CEILING_SQL = """
    INSERT INTO {table} (recipient_id, category, event, channel, subject, body, link, dedupe_key, status, send_after,
                         attempts, last_error, provider_message_id, provider_status, created_at, sent_at)
    SELECT m.user_id, 'marketing', %(event)s, 'inbox', %(subject)s,
           %(before)s || COALESCE(NULLIF(m.name, ''), %(dear)s) || %(after)s, '',
           %(event)s || ':' || m.id || ':' || %(year)s || ':inbox', 'sent', %(send_after)s, 0, '', '', '', now(), now()
    FROM members_member m JOIN members_user u ON u.id = m.user_id
    WHERE u.is_active
    ON CONFLICT (dedupe_key) DO NOTHING
"""


def timed_insert(table: str, statement: str, params) -> dict:
    """Into a fresh copy of the outbox, after a CHECKPOINT: the INSERT, then the COMMIT (deferred FK checks)."""
    from django.db import connection, transaction

    copy_outbox_table(table)
    checkpoint()
    with Timer() as total, transaction.atomic(), connection.cursor() as cursor:
        with Timer() as insert:
            cursor.execute(statement, params)
        rows = cursor.rowcount
    return {"rows": rows, "insert_seconds": insert.seconds, "commit_seconds": total.seconds - insert.seconds,
            "seconds": total.seconds}  # fmt: skip


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def run_ceiling(app: dict, holiday_inserts: list[dict], *, rounds: int) -> dict:
    """The hand-written statement into a fresh copy of the outbox; then, ``rounds`` times in alternating order, the
    ceiling and the app's own greeting INSERT (the exact SQL and parameters it ran, captured) into fresh copies, so
    the two statements are compared under the same conditions on a shared machine."""
    from django.db import connection

    texts = ceiling_texts()
    ceiling_sql = CEILING_SQL.format(table=CEILING_TABLE)
    [inbox] = [
        insert for insert in holiday_inserts if insert["event"] == HOLIDAY_EVENT and insert["channel"] == "inbox"
    ]
    app_sql = inbox["sql"].replace("INSERT INTO notifications_notification", f"INSERT INTO {EXPLAIN_TABLE}", 1)
    rss_before = peak_rss_mib()
    ceilings, apps = [], []
    first = timed_insert(CEILING_TABLE, ceiling_sql, texts)
    ceilings.append(first)
    identical = scalar(
        f"""
        SELECT count(*) FROM {CEILING_TABLE} c JOIN notifications_notification n USING (dedupe_key)
        WHERE n.recipient_id = c.recipient_id AND n.category = c.category AND n.event = c.event
          AND n.channel = c.channel AND n.subject = c.subject AND n.body = c.body AND n.link = c.link
          AND n.status = c.status AND n.send_after = c.send_after AND n.sent_at IS NOT NULL
        """  # noqa: S608  (our own table name)
    )
    print(f"  ceiling: {first['rows']:,} rows in {first['seconds']:.2f} s ({identical:,} identical to the app's)",
          flush=True)  # fmt: skip
    for index in range(rounds):
        order = ("app", "ceiling") if index % 2 == 0 else ("ceiling", "app")
        for which in order:
            if which == "app":
                apps.append(timed_insert(EXPLAIN_TABLE, app_sql, inbox["params"]))
            else:
                ceilings.append(timed_insert(CEILING_TABLE, ceiling_sql, texts))
            print(f"  paired round {index + 1}: {which} {(apps if which == 'app' else ceilings)[-1]['seconds']:.2f} s",
                  flush=True)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {CEILING_TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {EXPLAIN_TABLE}")
    ceiling_seconds = median([run["seconds"] for run in ceilings])
    ceiling_insert = median([run["insert_seconds"] for run in ceilings])
    app_one_channel = app["inbox_insert_seconds"] + app["commit_seconds"] / 2
    result = {
        "rows": first["rows"],
        "identical_to_app_rows": identical,
        "ceiling_runs": [_rounded(run) for run in ceilings],
        "app_statement_runs": [_rounded(run) for run in apps],
        "seconds": round(ceiling_seconds, 3),
        "insert_seconds": round(ceiling_insert, 3),
        "app_inbox_insert_seconds": app["inbox_insert_seconds"],
        "app_one_channel_seconds": round(app_one_channel, 3),
        # In the real run: the greeting's inbox INSERT + half its commit, over the ceiling (median).
        "ratio_app_channel_to_ceiling": round(app_one_channel / ceiling_seconds, 2),
        "ratio_app_insert_to_ceiling_insert": round(app["inbox_insert_seconds"] / ceiling_insert, 2),
        "ratio_app_rule_to_ceiling": round(app["rule_seconds"] / ceiling_seconds, 2),
        # Paired: the app's own statement and the ceiling, same conditions, alternating (medians).
        "ratio_app_statement_to_ceiling_paired": (
            round(median([run["seconds"] for run in apps]) / ceiling_seconds, 2) if apps else None
        ),
        "python_peak_rss_mib_before": rss_before,
        "python_peak_rss_mib_after": peak_rss_mib(),
    }
    print(f"  app per channel {app_one_channel:.2f} s / ceiling {ceiling_seconds:.2f} s -> ratio "
          f"{result['ratio_app_channel_to_ceiling']}; paired {result['ratio_app_statement_to_ceiling_paired']}",
          flush=True)  # fmt: skip
    return result


def _rounded(run: dict) -> dict:
    return {key: round(value, 3) if isinstance(value, float) else value for key, value in run.items()}


def explain(statement: str, params, *, options: str = "ANALYZE, BUFFERS") -> tuple[list[str], float | None]:
    """EXPLAIN the statement in a transaction that is rolled back; returns the plan and its execution time (ms)."""
    from django.db import connection, transaction

    plan = []
    with contextlib.suppress(_Rollback), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({options}) {statement}", params)
        plan = [row[0] for row in cursor.fetchall()]
        raise _Rollback
    execution_ms = None
    for line in plan:
        if line.strip().startswith("Execution Time:"):
            execution_ms = float(line.split(":")[1].split()[0])
    return plan, execution_ms


class _Rollback(Exception):
    pass


def explain_queries(holiday_inserts: list[dict], *, with_insert: bool) -> dict:
    """The dispatcher's claim with ~1,000,000 pending SMS rows; optionally the app's INSERT."""
    from django.db import connection, transaction

    from notifications.models import Notification, Status
    from notifications.services import SENT_BY_TASK

    now = datetime.datetime.combine(HOLIDAY, datetime.time(10), tzinfo=datetime.UTC)
    claim = (
        Notification.objects.filter(
            status=Status.PENDING, channel__in=SENT_BY_TASK, send_after__lte=now, enqueued_at__isnull=True
        )
        .order_by("send_after", "pk")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:1000]
    )
    with transaction.atomic():  # the compiler refuses FOR UPDATE outside a transaction
        claim_sql, claim_params = claim.query.sql_with_params()
    pending = scalar("SELECT count(*) FROM notifications_notification WHERE status = 'pending'")
    claim_plan, claim_ms = explain(claim_sql, claim_params)
    print(f"  dispatcher claim of 1,000 rows among {pending:,} pending: {claim_ms} ms", flush=True)
    total_rows = scalar("SELECT count(*) FROM notifications_notification")
    result = {
        "pending_rows": pending,
        "outbox_rows": total_rows,
        "dispatch_claim_ms": claim_ms,
        "dispatch_claim_plan": claim_plan,
    }
    if with_insert:
        [inbox] = [
            insert for insert in holiday_inserts if insert["event"] == HOLIDAY_EVENT and insert["channel"] == "inbox"
        ]
        copy_outbox_table(EXPLAIN_TABLE)
        checkpoint()
        statement = inbox["sql"].replace("INSERT INTO notifications_notification", f"INSERT INTO {EXPLAIN_TABLE}", 1)
        plan, insert_ms = explain(statement, inbox["params"], options="ANALYZE, BUFFERS, WAL")
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {EXPLAIN_TABLE}")
        result["app_inbox_insert_explain_ms"] = insert_ms
        result["app_inbox_insert_plan"] = plan
        print(f"  EXPLAIN ANALYZE of the app's greeting INSERT (inbox): {insert_ms} ms", flush=True)
    return result


def run(args: argparse.Namespace) -> dict:
    env = bench_env(args.database_url)
    results: dict = {
        "config": {
            "members": args.members,
            "database": database_name(args.database_url),
            "normal_day": NORMAL_DAY.isoformat(),
            "holiday": HOLIDAY.isoformat(),
            "next_day": NEXT_DAY.isoformat(),
        },
        "machine": {
            "python": platform.python_version(),
            "cores": os.cpu_count(),
            "busy_percent_before_start": machine_busy_percent(3.0),
        },
    }
    print(f"Reminders bench: {args.members:,} members with cars in {database_name(args.database_url)}", flush=True)
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
        from django.db import connection

        from crm.holidays import holidays_on

        if holidays_on(NORMAL_DAY) or holidays_on(NEXT_DAY) or not holidays_on(HOLIDAY):
            raise BenchError("the bench days no longer match the holiday calendar")
        with connection.cursor() as cursor:
            cursor.execute("SELECT version(), current_setting('shared_buffers'), current_setting('max_wal_size')")
            version, shared_buffers, max_wal_size = cursor.fetchone()
        results["machine"].update(postgres=version.split(" on ")[0], shared_buffers=shared_buffers,
                                  max_wal_size=max_wal_size)  # fmt: skip
        with Timer() as timer:
            results["load"] = load(args.members)
        results["load"]["seconds"] = round(timer.seconds, 1)
        results["python_peak_rss_mib_after_load"] = peak_rss_mib()

        rules, log = RuleTimer(), StatementLog()
        rules.install()
        with connection.execute_wrapper(log):
            results["normal_day"] = run_day(NORMAL_DAY, rules=rules, log=log, label="normal day")
            results["normal_day_again"] = run_day(NORMAL_DAY, rules=rules, log=log, label="normal day again")
            checkpoint()
            results["holiday"] = run_day(HOLIDAY, rules=rules, log=log, label="holiday")
            holiday_inserts = list(log.inserts)
            results["holiday"]["greeting"] = holiday_split(results["holiday"], holiday_inserts)
            results["holiday_again"] = run_day(HOLIDAY, rules=rules, log=log, label="holiday again")
            results["holiday_again"]["greeting"] = holiday_split(results["holiday_again"], log.inserts)
            results["next_day"] = run_day(NEXT_DAY, rules=rules, log=log, label="next day")
        results["ceiling"] = run_ceiling(results["holiday"]["greeting"], holiday_inserts, rounds=args.rounds)
        results["queries"] = explain_queries(holiday_inserts, with_insert=args.explain)
        results["outbox_size"] = scalar("SELECT pg_size_pretty(pg_total_relation_size('notifications_notification'))")
        results["python_peak_rss_mib_end"] = peak_rss_mib()
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if not args.keep:
            drop_database(args.database_url)
    return results


# --------------------------------------------------------------------------------------------------------------------
# Report


def print_table(results: dict) -> None:
    normal, holiday = results["normal_day"], results["holiday"]
    greeting, ceiling = holiday["greeting"], results["ceiling"]
    print()
    print(f"Reminders over {results['config']['members']:,} members with cars (PostgreSQL)")
    print(f"  machine busy before the start: {results['machine']['busy_percent_before_start']}%")
    print(f"  load: {results['load']['seconds']} s ({results['load']})")
    print()
    print(f"{'rule':42} {'normal rows':>12} {'s':>8} {'holiday rows':>13} {'s':>8}")
    for key, rule in normal["rules"].items():
        other = holiday["rules"].get(key, {})
        print(
            f"{key:42} {rule['created']:>12,} {_fmt(rule['seconds'], 3):>8} "
            f"{other.get('created', 0):>13,} {_fmt(other.get('seconds'), 3):>8}"
        )
    for key, rule in holiday["rules"].items():
        if key not in normal["rules"]:
            print(f"{key:42} {'':>12} {'':>8} {rule['created']:>13,} {_fmt(rule['seconds'], 3):>8}")
    print()
    rows = [
        ("run_reminders, normal day", normal),
        ("  same day again (idempotent)", results["normal_day_again"]),
        ("run_reminders, National Day", holiday),
        ("  same day again (idempotent)", results["holiday_again"]),
        ("run_reminders, next day (after the greeting)", results["next_day"]),
    ]
    print(f"{'phase':42} {'rows':>12} {'seconds':>9} {'rows/s':>9} {'peak RSS MiB':>13}")
    for label, phase in rows:
        print(
            f"{label:42} {phase['created']:>12,} {phase['seconds']:>9.2f} {_fmt(phase['rows_per_second'], 0):>9} "
            f"{phase['python_peak_rss_mib_after']:>13}"
        )
    print()
    print("National Day greeting (one rule, two channels, one transaction)")
    print(f"  inbox INSERT {greeting['inbox_rows']:,} rows: {greeting['inbox_insert_seconds']:.2f} s")
    print(f"  sms INSERT   {greeting['sms_rows']:,} rows: {greeting['sms_insert_seconds']:.2f} s")
    print(f"  commit (deferred FK checks): {greeting['commit_seconds']:.2f} s; rule {greeting['rule_seconds']:.2f} s")
    again = results["holiday_again"]["greeting"]
    print(f"  again (all conflicts): rule {again['rule_seconds']:.2f} s")
    runs = ", ".join(f"{run['seconds']:.2f}" for run in ceiling["ceiling_runs"])
    print(
        f"  ceiling (hand-written, inbox, fresh table): {ceiling['rows']:,} rows, median {ceiling['seconds']:.2f} s "
        f"(INSERT {ceiling['insert_seconds']:.2f} s; runs {runs}); {ceiling['identical_to_app_rows']:,} identical to "
        "the app's rows"
    )
    verdict = "OK" if ceiling["ratio_app_channel_to_ceiling"] <= TARGET_RATIO else "MISSED"
    print(
        f"  app per channel (inbox INSERT + half the commit) {ceiling['app_one_channel_seconds']:.2f} s / ceiling "
        f"= {ceiling['ratio_app_channel_to_ceiling']} (target <= {TARGET_RATIO}: {verdict}); INSERT alone "
        f"{ceiling['ratio_app_insert_to_ceiling_insert']}; whole rule (2 channels) / ceiling "
        f"{ceiling['ratio_app_rule_to_ceiling']}"
    )
    if ceiling["app_statement_runs"]:
        runs = ", ".join(f"{run['seconds']:.2f}" for run in ceiling["app_statement_runs"])
        print(
            f"  paired (the app's captured INSERT into a fresh copy, alternating with the ceiling): runs {runs} s; "
            f"median ratio {ceiling['ratio_app_statement_to_ceiling_paired']}"
        )
    queries = results["queries"]
    print()
    print(f"  dispatcher claim (1,000 of {queries['pending_rows']:,} pending): {queries['dispatch_claim_ms']} ms")
    if "app_inbox_insert_explain_ms" in queries:
        print(f"  EXPLAIN ANALYZE app inbox INSERT: {queries['app_inbox_insert_explain_ms']} ms")
        for line in queries["app_inbox_insert_plan"]:
            print(f"    {line}")
    print(
        f"  Python peak RSS: after load {results['python_peak_rss_mib_after_load']} MiB, "
        f"end {results['python_peak_rss_mib_end']} MiB; outbox size {results['outbox_size']}"
    )


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000, help="members (each with one car)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="bench database (dropped!)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--explain", action="store_true", help="also EXPLAIN ANALYZE the app's greeting INSERT")
    parser.add_argument("--rounds", type=int, default=2, help="paired rounds: app statement vs ceiling, fresh tables")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--timeout", type=float, default=1500, help="stop the run after this many seconds")
    parser.add_argument("--wait-for-idle", type=float, default=0, help="seconds to wait for a quiet machine")
    return parser.parse_args(argv)


def verdicts(results: dict) -> list[str]:
    """What failed: rules that opened work again on a second run, or a ceiling that wrote other rows."""
    misses = []
    if results["normal_day_again"]["created"] or results["holiday_again"]["created"]:
        misses.append("a second run of the same day created reminders")
    if results["ceiling"]["identical_to_app_rows"] != results["ceiling"]["rows"]:
        misses.append("the hand-written INSERT wrote other rows than the app")
    return misses


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_bench(
        args, title="Reminders bench", check_targets=check_targets, run=lambda args, _busy: run(args),
        print_table=print_table, verdicts=verdicts,
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
