"""Workbench benchmark: the staff task queues and the member 360 view over a million members, two million tasks and
a hundred thousand leads, against gunicorn; and the SOP task rules for a day against a hand-written INSERT.

Run from the project root:

    .venv/bin/python bench/workbench.py [--members 1000000] [--threads 10] [--requests 100] [--json out.json]

What it does, with no manual step:

1. measures how busy the machine is (``--wait-for-idle`` waits for a quiet one), drops and recreates the bench
   database (its name must contain "bench"; default ``mc_bench_workbench``), empties the bench Redis database and
   migrates;
2. bulk-loads with set-based SQL (``INSERT … SELECT FROM generate_series``, explicit ids: no Django object per row)
   50 stores with 10 staff each (one manager), 10 call-center agents, N members (preferred store ``n % 50``), 30% of
   them car owners (a delivered application, its vehicle unit and the owned car, handovers spread over 1,499 days:
   ~200 a day), 1% with calls switched off, 2N tasks (85% done over the last two years, 14% open and due later,
   0.8% open and overdue by up to 60 days, 0.2% due later today; assignees skewed over a store's staff so the
   lightest and the heaviest agent differ ~20-fold; 5% unassigned) and N/10 leads with one or two enquiries; then
   a light and a heavy subject of every kind (a small extra store; a member with one row of each section and one
   with many). Then VACUUM ANALYZE;
3. query counts: each endpoint once in this process through Django's test client, for the light and the heavy
   subject; they must be equal (the bench fails otherwise);
4. latency: gunicorn (``--workers`` sync workers) and ``--threads`` client threads, each with its own
   ``requests.Session`` and staff token, ``--requests`` requests each per endpoint against the heavy subject:
   "mine today" (store clerk), "overdue" (store manager, whole store), the 360 JSON (call-center agent and store
   clerk), then ``GET /`` (the landing page, no query) as the ceiling of the same server in the same run;
5. SOP rules for today: ``orders.task_rules.run_task_rules`` (the app's code, as ``run_reminders`` calls it) over
   the loaded data, then again (must open nothing), then ONE hand-written ``INSERT … SELECT … ON CONFLICT
   (dedupe_key) DO NOTHING`` of the same tasks into the same task table, after the app's tasks of the day are
   deleted and vacuumed away, with the foreign keys checked in the statement (``SET CONSTRAINTS ALL IMMEDIATE``),
   then rolled back (twice; the faster counts); both must hold the same rows; the ratio app ÷ hand-written is the
   figure (target <= 1.5);
6. prints a table, optionally writes JSON, stops gunicorn and drops the database (unless ``--keep``).

All traffic goes to 127.0.0.1 and ``--timeout`` bounds the run.
"""

import argparse
import contextlib
import datetime
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests
from _common import (
    BenchError,
    Timer,
    drop_database,
    flush_redis,
    log_tail,
    migrate,
    percentile,
    recreate_database,
    run_bench,
    stop_process_group,
    wait_for_quiet_machine,
)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
TARGET_P95_MS = 100
TARGET_RATIO = 1.5
STAFF_PER_STORE = 10
APP_ROWS_TABLE = "bench_app_rule_task"
REQUEST_TIMEOUT_SECONDS = 30
# Explicit ids keep the load set-based and the relations computable: staff 100.., agents 900.., members' accounts
# 10,000 + n, member n, car / unit / application n.
STAFF_ID_BASE = 100
AGENT_ID_BASE = 900
ACCOUNT_ID_BASE = 10_000
SMALL_STORE_OFFSET = 1  # the light store is stores + 1


def staff_id(store: int, k: int) -> int:
    return STAFF_ID_BASE + (store - 1) * STAFF_PER_STORE + k


# --------------------------------------------------------------------------------------------------------------------
# Load


def load_steps(*, members: int, stores: int, tasks: int, leads: int) -> list[tuple[str, str]]:
    small_store = stores + SMALL_STORE_OFFSET
    return [
        (
            "stores",
            f"""
            INSERT INTO members_store (id, code, name, city, address, phone, opening_hours, is_active)
            SELECT s, 'S' || lpad(s::text, 3, '0'), '门店 ' || s, '城市 ' || s %% 10, '地址 ' || s, '0100000' || s,
                   '09:00-18:00', true
            FROM generate_series(1, {small_store}) AS s
            """,  # noqa: S608  (our own SQL, numbers only)
        ),
        (
            "staff (10 per store, 1 manager) and call-center agents",
            f"""
            INSERT INTO members_user (id, password, is_superuser, username, phone, email, is_staff, is_active, role,
                                      date_joined, store_id, full_name, language)
            SELECT {STAFF_ID_BASE} + (s - 1) * {STAFF_PER_STORE} + k, '!', false, 'clerk-' || s || '-' || k, NULL,
                   '', true, true, CASE WHEN k = 0 THEN 'store_manager' ELSE 'store_staff' END, now(), s,
                   '店员 ' || s || '-' || k, ''
            FROM generate_series(1, {small_store}) AS s, generate_series(0, {STAFF_PER_STORE - 1}) AS k
            UNION ALL
            SELECT {AGENT_ID_BASE} + a, '!', false, 'agent-' || a, NULL, '', true, true, 'call_center', now(), NULL,
                   '客服 ' || a, ''
            FROM generate_series(0, 9) AS a
            """,  # noqa: S608  (our own SQL, numbers only)
        ),
        (
            "member accounts",
            f"""
            INSERT INTO members_user (id, password, is_superuser, username, phone, email, is_staff, is_active, role,
                                      date_joined, store_id, full_name, language)
            SELECT {ACCOUNT_ID_BASE} + n, '!', false, NULL, '+86139' || lpad(n::text, 8, '0'), '', false, true, '',
                   now() - (n %% 1100) * interval '1 day', NULL, '', ''

            FROM generate_series(1, {members}) AS n
            """,  # noqa: S608  (our own SQL, numbers only)
        ),
        (
            "members",
            f"""
            INSERT INTO members_member (id, name, gender, birthday, email, city, channel, channel_partner, invite_code,
                                        tier, verification_status, real_name, id_number_encrypted, id_number_hash,
                                        id_number_masked, verified_at, created_at, updated_at, referred_by_id,
                                        user_id, preferred_store_id, closed_at, retained_identity, retained_until)
            SELECT n, '会员' || n, '', NULL, '', '', 'online', '', 'B' || lpad(n::text, 11, '0'), 'normal',
                   'unverified', '', '', NULL, '', NULL, now() - (n %% 1100) * interval '1 day', now(), NULL,
                   {ACCOUNT_ID_BASE} + n, 1 + n %% {stores}, NULL, '', NULL
            FROM generate_series(1, {members}) AS n
            """,  # noqa: S608  (our own SQL, numbers only)
        ),
        (
            "calls switched off (1%)",
            f"""
            INSERT INTO notifications_preference (user_id, category, channel, is_enabled, updated_at)
            SELECT {ACCOUNT_ID_BASE} + n, 'service', 'call', false, now()
            FROM generate_series(1, {members}) AS n WHERE abs(hashint4(n)) %% 100 = 7
            """,  # noqa: S608  (our own SQL, numbers only)
        ),
        (
            "vehicle units of the owners (30%)",
            """
            INSERT INTO vehicles_vehicleunit (id, vin, color, status, arrived_at, store_id, trim_id)
            SELECT n, 'LBENCH' || lpad(n::text, 11, '0'), '白', 'delivered', now() - interval '1600 days',
                   1 + n %% %(stores)s, %(trim)s
            FROM generate_series(1, %(members)s) AS n WHERE n %% 10 < 3
            """,
        ),
        (
            "delivered applications",
            """
            INSERT INTO orders_order (id, state, number, channel, signing_at, plate, price, down_payment,
                                      monthly_payment, created_at, updated_at, created_by_id, member_id, plan_id,
                                      replaces_id, store_id, trim_id, vehicle_unit_id, annual_percentage_rate,
                                      total_interest, fees, down_payment_coupon_code, down_payment_deduction)
            SELECT n, 'delivered', 'MC' || lpad(n::text, 10, '0'), 'online', NULL,
                   '京A' || lpad((n %% 100000)::text, 5, '0'),
                   150000, 30000, 4000, now() - interval '1600 days', now(), %(creator)s, n, %(plan)s, NULL,
                   1 + n %% %(stores)s, %(trim)s, n, 5.13, 24000, 0, '', 0
            FROM generate_series(1, %(members)s) AS n WHERE n %% 10 < 3
            """,
        ),
        (
            "owned cars (handovers ~200 a day over 1,499 days)",
            """
            INSERT INTO vehicles_ownedvehicle (id, vin, plate, delivered_on, mileage_km, created_at, member_id, trim_id,
                                               inspection_due_on, insurance_due_on, next_service_km, next_service_on)
            SELECT n, 'LBENCH' || lpad(n::text, 11, '0'), '京A' || lpad((n %% 100000)::text, 5, '0'),
                   CAST(%(today)s AS date) - 1 - (n * 7) %% 1499, n %% 50000, now(), n, %(trim)s, NULL, NULL, NULL,
                   NULL
            FROM generate_series(1, %(members)s) AS n WHERE n %% 10 < 3
            """,
        ),
        (
            "tasks",
            # bucket b (a hash of t, 0-999): <8 open and overdue, <10 open due later today, <150 open and due
            # later, else done.
            # Assignee k = floor(sqrt(t / 1000 %% 100)): k 9 gets 19 times k 0's share; bucket >= 950 unassigned.
            f"""
            INSERT INTO staff_tasks_task (id, kind, title, status, subject_type, subject_id, contact_name,
                                          contact_phone, due_at, script, outcome, note, answers, next_contact_at,
                                          dedupe_key, completed_at, created_at, updated_at, assignee_id,
                                          completed_by_id, created_by_id, member_id, store_id, rule_id)
            SELECT t, s.kind, '回访：会员' || s.n, s.status, 'member', s.n, '', '', s.due_at,
                   '您好，请问是会员' || s.n || '吗？',
                   CASE WHEN s.status = 'done' THEN 'reached' ELSE '' END, '', NULL, NULL, 'load:' || t,
                   CASE WHEN s.status = 'done' THEN s.due_at + interval '1 hour' END, s.due_at - interval '3 days',
                   now(), s.assignee_id, CASE WHEN s.status = 'done' THEN s.assignee_id END, NULL, s.n,
                   1 + s.n %% {stores}, NULL
            FROM (
                SELECT t, n, b,
                       (ARRAY['return_visit', 'three_day_call', 'lead_follow_up', 'collection_call',
                              'churn_recall'])[1 + t %% 5] AS kind,
                       CASE WHEN b < 150 THEN 'open' ELSE 'done' END AS status,
                       CASE WHEN b < 8 THEN now() - (1 + t %% 60) * interval '1 day' - (t %% 600) * interval '1 minute'
                            WHEN b < 10 THEN LEAST(
                                now() + (t %% 60) * interval '1 minute',
                                date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai'
                                + interval '1 day' - interval '1 second')
                            WHEN b < 150 THEN now() + (1 + t %% 365) * interval '1 day'
                            ELSE now() - (1 + t %% 730) * interval '1 day' END AS due_at,
                       CASE WHEN b < 950 THEN {STAFF_ID_BASE} + (n %% {stores}) * {STAFF_PER_STORE}
                                              + floor(sqrt((t / 1000) %% 100))::int END AS assignee_id
                -- The bucket is a hash of t: t %% 1000 would tie it to the store (both follow t's residues).
                FROM (SELECT t, 1 + (t * 7919::bigint) %% {members} AS n, abs(hashint4(t)) %% 1000 AS b
                      FROM generate_series(1, {tasks}) AS t) AS g
            ) AS s
            """,  # noqa: S608  (our own SQL, numbers only)
        ),
        (
            "leads (one or two enquiries)",
            f"""
            INSERT INTO leads_lead (id, name, phone, city, model_text, channel, status, enquiries_count,
                                    last_enquiry_at, converted_at, created_at, updated_at, assignee_id, car_model_id,
                                    created_by_id, member_id, store_id, team_id, partner_id)
            SELECT l, '客户' || l, '+86138' || lpad(l::text, 8, '0'), '城市', '轿车', 'web_quick_submit',
                   (ARRAY['new', 'contacting', 'interested', 'unreached', 'not_interested'])[1 + l %% 5],
                   1 + (l %% 5 = 0)::int, now() - (l %% 300) * interval '1 day', NULL,
                   now() - (l %% 300) * interval '1 day', now(),
                   {STAFF_ID_BASE} + (l %% {stores}) * {STAFF_PER_STORE} + l %% {STAFF_PER_STORE}, NULL, NULL, NULL,
                   1 + l %% {stores}, NULL, NULL
            FROM generate_series(1, {leads}) AS l
            """,  # noqa: S608  (our own SQL, numbers only)
        ),
        (
            "lead enquiries",
            """
            INSERT INTO leads_leadenquiry (channel, external_id, city, model_text, created_at, created_by_id, lead_id,
                                           partner_id)
            SELECT 'web_quick_submit', NULL, '城市', '轿车', l.created_at + (e - 1) * interval '2 days', NULL, l.id,
                   NULL
            FROM leads_lead l, generate_series(1, 2) AS e WHERE e <= l.enquiries_count
            """,
        ),
    ]


def load(*, members: int, stores: int, tasks: int, leads: int, today: datetime.date) -> dict:
    from django.db import connection

    timings = {}
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")  # the load only
        cursor.execute(
            """
            WITH brand AS (INSERT INTO vehicles_brand (name, sort_order) VALUES ('Bench', 0) RETURNING id),
                 model AS (INSERT INTO vehicles_carmodel (brand_id, name, body_type, energy, description, picture,
                                                          is_active, first_service_months, first_service_km,
                                                          service_interval_months, service_interval_km,
                                                          tyre_interval_months, tyre_interval_km)
                           SELECT id, 'Bench Sedan', 'sedan', 'petrol', '', '', true, 6, 5000, 12, 10000, 60, 50000
                           FROM brand
                           RETURNING id)
            INSERT INTO vehicles_trim (car_model_id, name, guide_price, is_active)
            SELECT id, 'Standard', 150000, true FROM model RETURNING id
            """
        )
        trim_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO vehicles_financeplan (name, down_payment_ratio, term_months, annual_rate, fees, is_active,"
            " trim_id) VALUES ('36 期', 0.2, 36, 0.05, 0, true, %s) RETURNING id",
            [trim_id],
        )
        plan_id = cursor.fetchone()[0]
        params = {"members": members, "stores": stores, "trim": trim_id, "plan": plan_id,
                  "creator": AGENT_ID_BASE, "today": today}  # fmt: skip
        for name, statement in load_steps(members=members, stores=stores, tasks=tasks, leads=leads):
            with Timer() as timer:
                cursor.execute(statement, params)
            timings[name] = round(timer.seconds, 1)
            print(f"  {name}: {cursor.rowcount:,} rows in {timer.seconds:.1f} s", flush=True)
        for table in ("members_store", "members_user", "members_member", "vehicles_vehicleunit", "orders_order",
                      "vehicles_ownedvehicle", "staff_tasks_task", "leads_lead", "leads_leadenquiry"):  # fmt: skip
            # Explicit ids: move each identity past them so that the app's own inserts get fresh ones.
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            )
        cursor.execute("RESET synchronous_commit")
    return timings


def add_light_and_heavy(*, stores: int, today: datetime.date) -> dict:
    """A small store (3 overdue tasks, one of them the light clerk's today), and two car owners of store 1: the
    light one with one row in every section, the heavy one with many. Returns their ids."""
    from django.db import connection

    small_store = stores + SMALL_STORE_OFFSET
    with connection.cursor() as cursor:
        # Owners whose preferred store is store 1 (n %% stores == 0): 10 * stores and 20 * stores.
        light, heavy = 10 * stores, 20 * stores
        cursor.execute("SELECT count(*) FROM vehicles_ownedvehicle WHERE id IN (%s, %s)", [light, heavy])
        if cursor.fetchone()[0] != 2:
            raise BenchError("the light and heavy members must own a car (members too few?)")
        clerk_small = staff_id(small_store, 1)
        cursor.execute(
            """
            INSERT INTO staff_tasks_task (kind, title, status, subject_type, subject_id, contact_name, contact_phone,
                                          due_at, script, outcome, note, dedupe_key, created_at, updated_at,
                                          assignee_id, member_id, store_id)
            SELECT 'return_visit', '小店回访', 'open', 'member', %(light)s, '', '', now() - k * interval '1 day',
                   '', '', '', NULL, now(), now(), CASE WHEN k = 1 THEN %(clerk)s END, %(light)s, %(store)s
            FROM generate_series(1, 3) AS k
            """,
            {"light": light, "clerk": clerk_small, "store": small_store},
        )
        # The heavy member: 60 more open and 60 more done tasks, 8 converted leads with 3 enquiries and 5 contacts.
        cursor.execute(
            """
            INSERT INTO staff_tasks_task (kind, title, status, subject_type, subject_id, contact_name, contact_phone,
                                          due_at, script, outcome, note, dedupe_key, created_at, updated_at,
                                          assignee_id, completed_by_id, completed_at, member_id, store_id)
            SELECT 'return_visit', '回访', CASE WHEN k <= 60 THEN 'open' ELSE 'done' END, 'member', %(heavy)s, '', '',
                   now() + (k - 60) * interval '1 day', '', CASE WHEN k > 60 THEN 'reached' ELSE '' END, '', NULL,
                   now(), now(), %(clerk)s, CASE WHEN k > 60 THEN %(clerk)s END,
                   CASE WHEN k > 60 THEN now() END, %(heavy)s, 1
            FROM generate_series(1, 120) AS k
            """,
            {"heavy": heavy, "clerk": staff_id(1, 9)},
        )
        for member, count, contacts in ((light, 1, 1), (heavy, 8, 5)):
            cursor.execute(
                """
                WITH lead AS (
                    INSERT INTO leads_lead (name, phone, city, model_text, channel, status, enquiries_count,
                                            last_enquiry_at, converted_at, created_at, updated_at, assignee_id,
                                            member_id, store_id)
                    SELECT '会员', '+86139' || lpad(%(member)s::text, 8, '0'), '', '', 'call_center', 'converted',
                           3, now(), now(), now() - k * interval '1 day', now(), %(clerk)s, %(member)s, 1
                    FROM generate_series(1, %(count)s) AS k RETURNING id
                ), enquiry AS (
                    INSERT INTO leads_leadenquiry (channel, city, model_text, created_at, lead_id)
                    SELECT 'call_center', '', '', now(), lead.id FROM lead, generate_series(1, 3)
                )
                INSERT INTO leads_leadcontact (outcome, carrier_result, note, created_at, contacted_by_id, lead_id)
                SELECT 'no_answer', '', '', now(), %(clerk)s, lead.id FROM lead, generate_series(1, %(contacts)s)
                """,
                {"member": member, "count": count, "contacts": contacts, "clerk": staff_id(1, 9)},
            )
            cursor.execute(
                """
                INSERT INTO orders_orderevent (transition, from_state, to_state, reason, created_at, actor_id, order_id)
                SELECT 'deliver', 'signed', 'delivered', '', now(), %(clerk)s, %(member)s
                FROM generate_series(1, %(count)s)
                """,
                {"member": member, "count": 1 if member == light else 12, "clerk": staff_id(1, 9)},
            )
    return {
        "light_member": light,
        "heavy_member": heavy,
        "light_store": small_store,
        "heavy_store": 1,
        "light_clerk": clerk_small,
        "heavy_clerk": staff_id(1, 9),
    }


ANALYZED_TABLES = (
    "members_user", "members_member", "vehicles_vehicleunit", "orders_order", "vehicles_ownedvehicle",
    "staff_tasks_task", "leads_lead", "leads_leadenquiry", "leads_leadcontact", "notifications_preference",
    "orders_orderevent", "members_store",
)  # fmt: skip


def forget_rule_tasks() -> None:
    """For ``--reuse``: delete the tasks the rules opened in an earlier run and vacuum, so that the app starts from
    the state a fresh load leaves."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM staff_tasks_task WHERE rule_id IS NOT NULL")
        cursor.execute("VACUUM ANALYZE staff_tasks_task")


def vacuum_analyze() -> float:
    from django.db import connection

    with Timer() as timer, connection.cursor() as cursor:
        for table in ANALYZED_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
    return timer.seconds


def scalar(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchone()[0]


# --------------------------------------------------------------------------------------------------------------------
# Endpoints, tokens, query counts


def issue_tokens(subjects: dict) -> dict:
    from django.contrib.auth import get_user_model

    from members.services import issue_access_token

    user_model = get_user_model()
    accounts = {
        "light_clerk": subjects["light_clerk"],
        "heavy_clerk": subjects["heavy_clerk"],
        "light_manager": staff_id(subjects["light_store"], 0),
        "heavy_manager": staff_id(subjects["heavy_store"], 0),
        "agent": AGENT_ID_BASE,
        "store1_clerk": staff_id(1, 5),
    }
    return {name: issue_access_token(user=user_model.objects.get(pk=pk)) for name, pk in accounts.items()}


def endpoints(subjects: dict) -> list[dict]:
    """Each measured endpoint: the light and the heavy caller and path (latency uses the heavy one)."""
    mine = "/api/v1/backoffice/tasks/?due=today&assignee=me"
    overdue = "/api/v1/backoffice/tasks/?due=overdue"
    member = "/api/v1/backoffice/members/{}/"
    light, heavy = subjects["light_member"], subjects["heavy_member"]
    return [
        {"name": "mine today (store clerk)", "light": ("light_clerk", mine), "heavy": ("heavy_clerk", mine)},
        {"name": "overdue (store manager)", "light": ("light_manager", overdue), "heavy": ("heavy_manager", overdue)},
        {"name": "member 360 (call-center agent)", "light": ("agent", member.format(light)),
         "heavy": ("agent", member.format(heavy))},
        {"name": "member 360 (store clerk)", "light": ("store1_clerk", member.format(light)),
         "heavy": ("store1_clerk", member.format(heavy))},
    ]  # fmt: skip


CPU_SAMPLES = 30


def cpu_ms_per_request(client, path: str, *, token: str) -> float:
    """This process's CPU per request (Django's test client, the whole stack but the HTTP server; the database's
    work not included): the median of CPU_SAMPLES requests, a figure that depends less on how busy the machine is."""
    samples = []
    for _ in range(CPU_SAMPLES):
        started = time.process_time()
        client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
        samples.append(time.process_time() - started)
    return round(statistics.median(samples) * 1000, 1)


def count_queries(tokens: dict, endpoint_list: list[dict]) -> dict:
    """Each endpoint once per light / heavy caller in this process: status, rows returned, number of queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for endpoint in endpoint_list:
        figures = {}
        for weight in ("light", "heavy"):
            caller, path = endpoint[weight]
            client.get(path, HTTP_AUTHORIZATION=f"Bearer {tokens[caller]}")  # warm: first-use queries aside
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {tokens[caller]}")
            if response.status_code != 200:
                raise BenchError(
                    f"{endpoint['name']} ({weight}) answered {response.status_code}: {response.content[:300]}"
                )
            body = response.json()
            rows = (
                body["count"]
                if "count" in body
                else sum(len(body[key]) for key in ("orders", "cars", "open_tasks", "contact_history", "leads"))
            )
            figures[weight] = {"queries": len(captured.captured_queries), "rows": rows, "path": path}
        figures["heavy"]["cpu_ms"] = cpu_ms_per_request(client, path, token=tokens[caller])
        figures["equal"] = figures["light"]["queries"] == figures["heavy"]["queries"]
        counts[endpoint["name"]] = figures
        print(f"  {endpoint['name']}: light {figures['light']['rows']} rows / {figures['light']['queries']} queries, "
              f"heavy {figures['heavy']['rows']} rows / {figures['heavy']['queries']} queries, "
              f"{figures['heavy']['cpu_ms']} ms CPU", flush=True)  # fmt: skip
    return counts


# --------------------------------------------------------------------------------------------------------------------
# Latency against gunicorn


def start_gunicorn(env: dict, *, workers: int, port: int, workdir: Path) -> subprocess.Popen:
    log_file = (workdir / "gunicorn.log").open("wb")
    try:
        command = [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
                   "--workers", str(workers), "--worker-class", "sync", "--timeout", "60"]  # fmt: skip
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
    finally:
        log_file.close()


def wait_for_server(base_url: str, process: subprocess.Popen, workdir: Path, timeout: float) -> None:
    probe = requests.Session()
    probe.trust_env = False
    deadline = time.monotonic() + timeout
    try:
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited with {process.returncode}:\n{log_tail(workdir / 'gunicorn.log')}")
            with contextlib.suppress(requests.RequestException):
                if probe.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise BenchError(
                    f"gunicorn did not answer within {timeout:.0f} s:\n{log_tail(workdir / 'gunicorn.log')}"
                )
            time.sleep(0.2)
    finally:
        probe.close()


def measure_latency(base_url: str, path: str, token: str | None, *, threads: int, per_thread: int,
                    deadline: float) -> dict:  # fmt: skip
    """``threads`` threads, each with its own session, ``per_thread`` sequential GETs each; every answer must be 200."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    def worker() -> None:
        session = requests.Session()
        session.trust_env = False  # never a proxy: straight to 127.0.0.1
        session.headers.update(headers)
        try:
            for _ in range(per_thread):
                if time.monotonic() > deadline:
                    with lock:
                        errors["global timeout"] = errors.get("global timeout", 0) + 1
                    return
                started = time.perf_counter()
                try:
                    response = session.get(base_url + path, timeout=REQUEST_TIMEOUT_SECONDS)
                    error = None if response.status_code == 200 else f"HTTP {response.status_code}"
                except requests.RequestException as exception:
                    error = type(exception).__name__
                elapsed_ms = (time.perf_counter() - started) * 1000
                with lock:
                    if error:
                        errors[error] = errors.get(error, 0) + 1
                    else:
                        latencies.append(elapsed_ms)
        finally:
            session.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": threads * per_thread,
        "ok": len(ordered),
        "errors": errors,
        "wall_seconds": round(wall, 2),
        "per_second": round(len(ordered) / wall, 1) if wall else None,
        "p50_ms": _round(percentile(ordered, 0.50)),
        "p95_ms": _round(percentile(ordered, 0.95)),
        "p99_ms": _round(percentile(ordered, 0.99)),
        "max_ms": _round(ordered[-1] if ordered else None),
    }


def _round(value):
    return None if value is None else round(value, 1)


# --------------------------------------------------------------------------------------------------------------------
# SOP rules against the hand-written INSERT


# The same tasks as orders/task_rules.py's handover and quarterly rules, written by hand in one statement: every
# active handover rule whose offset matches the car's handover day, and the quarterly rule on every whole multiple of
# its days; the store that handed the car over; nobody who switched calls off. The collection rule reads
# installments, of which the bench loads none.
CEILING_SQL = """
    INSERT INTO staff_tasks_task (kind, title, status, store_id, member_id, subject_type, subject_id, contact_name,
                                 contact_phone, due_at, script, outcome, note, rule_id, dedupe_key, created_at,
                                 updated_at)
    SELECT r.kind,
           SUBSTR(replace(replace(r.title, '{name}', c.name), '{plate}', c.plate), 1, 200),
           'open', c.store_id, c.member_id, 'vehicle', c.car_id, '', '',
           (%(day)s::date + make_interval(hours => r.due_hour)) AT TIME ZONE 'Asia/Shanghai',
           replace(replace(r.script, '{name}', c.name), '{plate}', c.plate), '', '', r.id,
           'rule:' || r.code || ':vehicle:' || c.car_id || ':' || %(day)s, now(), now()
    FROM (
        SELECT v.id AS car_id, v.member_id, o.store_id, v.plate, v.delivered_on,
               COALESCE(NULLIF(m.name, ''), NULLIF(m.real_name, ''), u.phone) AS name
        FROM vehicles_ownedvehicle v
        JOIN members_member m ON m.id = v.member_id
        JOIN members_user u ON u.id = m.user_id AND u.is_active
        LEFT JOIN vehicles_vehicleunit vu ON vu.vin = v.vin
        LEFT JOIN orders_order o ON o.vehicle_unit_id = vu.id AND o.state = 'delivered'
        WHERE NOT EXISTS (SELECT 1 FROM notifications_preference p
                          WHERE p.user_id = m.user_id AND p.channel = 'call' AND NOT p.is_enabled)
    ) AS c
    JOIN staff_tasks_taskrule r ON r.is_active AND (
        (r.trigger = 'handover' AND c.delivered_on = %(day)s::date - r.offset_days)
        OR (r.trigger = 'owner_quarterly' AND r.offset_days > 0 AND %(day)s::date - c.delivered_on > 0
            AND (%(day)s::date - c.delivered_on) %% r.offset_days = 0)
    )
    ON CONFLICT (dedupe_key) DO NOTHING
"""  # noqa: S608  (our own SQL)

COMPARED_COLUMNS = ("kind, title, status, store_id, member_id, subject_type, subject_id, contact_name, contact_phone, "
                    "due_at, script, outcome, note, rule_id, dedupe_key")  # fmt: skip


def run_rules(day: datetime.date) -> dict:
    from django.db import connection, transaction

    from orders.task_rules import run_task_rules
    from staff_tasks.enums import RuleTrigger

    triggers = scalar("SELECT string_agg(DISTINCT trigger, ',') FROM staff_tasks_taskrule WHERE is_active")
    if "owner_quarterly" not in triggers or RuleTrigger.HANDOVER not in triggers:
        raise BenchError(f"the task rules changed: {triggers}")
    # Warm the source tables the same way for both sides: one read of the cars the rules join.
    scalar("SELECT count(*) FROM vehicles_ownedvehicle v JOIN members_member m ON m.id = v.member_id")
    with Timer() as app:
        created = run_task_rules(day=day)
    app_rows = sum(created.values())
    print(f"  app rules for {day}: {app_rows:,} tasks in {app.seconds:.2f} s ({created})", flush=True)
    with Timer() as again:
        created_again = run_task_rules(day=day)
    print(f"  same day again: {sum(created_again.values())} new in {again.seconds:.2f} s", flush=True)
    # The ceiling writes the same rows into the same table the app wrote into — its indexes, its two million rows,
    # its foreign keys checked in the statement (they are deferred to the commit otherwise, and a rolled-back
    # transaction never commits) — and is rolled back. The app's tasks of the day are kept aside for the comparison
    # and deleted first, or ON CONFLICT would skip every row.
    app_key = "rule:%:" + day.isoformat()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {APP_ROWS_TABLE}")
        cursor.execute(
            f"CREATE TABLE {APP_ROWS_TABLE} AS SELECT {COMPARED_COLUMNS} FROM staff_tasks_task "  # noqa: S608
            "WHERE dedupe_key LIKE %s",
            [app_key],
        )
        cursor.execute("DELETE FROM staff_tasks_task WHERE dedupe_key LIKE %s", [app_key])
        cursor.execute("VACUUM ANALYZE staff_tasks_task")
    ceiling_runs = []
    for _round_number in range(2):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            with Timer() as ceiling:
                cursor.execute(CEILING_SQL, {"day": day.isoformat()})
                ceiling_rows = cursor.rowcount
            ceiling_runs.append(ceiling.seconds)
            cursor.execute(
                f"SELECT count(*) FROM (SELECT {COMPARED_COLUMNS} FROM {APP_ROWS_TABLE} EXCEPT "  # noqa: S608
                f"SELECT {COMPARED_COLUMNS} FROM staff_tasks_task WHERE dedupe_key LIKE %s) AS d",
                [app_key],
            )
            missing = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT count(*) FROM (SELECT {COMPARED_COLUMNS} FROM staff_tasks_task WHERE dedupe_key LIKE %s "  # noqa: S608
                f"EXCEPT SELECT {COMPARED_COLUMNS} FROM {APP_ROWS_TABLE}) AS d",
                [app_key],
            )
            extra = cursor.fetchone()[0]
            transaction.set_rollback(True)
        print(f"  hand-written INSERT: {ceiling_rows:,} rows in {ceiling.seconds:.2f} s (rolled back)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {APP_ROWS_TABLE}")
    ceiling_seconds = min(ceiling_runs)
    return {
        "day": day.isoformat(),
        "app_created": created,
        "app_rows": app_rows,
        "app_seconds": round(app.seconds, 3),
        "again_created": sum(created_again.values()),
        "again_seconds": round(again.seconds, 3),
        "ceiling_rows": ceiling_rows,
        "ceiling_runs_seconds": [round(value, 3) for value in ceiling_runs],
        "ceiling_seconds": round(ceiling_seconds, 3),
        "app_rows_not_in_ceiling": missing,
        "ceiling_rows_not_in_app": extra,
        "ratio": round(app.seconds / ceiling_seconds, 2) if ceiling_seconds else None,
    }


# --------------------------------------------------------------------------------------------------------------------
# The run


def check_targets(args: argparse.Namespace) -> None:
    for url, what in ((args.database_url, "--database-url"), (args.redis_url, "--redis-url")):
        host = urlsplit(url).hostname or ""
        if host not in LOOPBACK_HOSTS:
            raise BenchError(f"{what} must point at this machine's loopback (127.0.0.1), not {host!r}")
    name = urlsplit(args.database_url).path.lstrip("/")
    if "bench" not in name:
        raise BenchError(f"Refusing to drop database {name!r}: its name must contain 'bench'")
    if urlsplit(args.redis_url).path.strip("/") in {"", "0", "15"}:
        raise BenchError("--redis-url must name a Redis database reserved for the bench, e.g. redis://127.0.0.1:6379/3")
    if args.members < 10_000:
        raise BenchError("--members must be at least 10,000 (the light and heavy subjects are owners of store 1)")
    if not (BIN / "gunicorn").exists():
        raise BenchError(f"{BIN / 'gunicorn'} is missing: run from the project's virtualenv")


def bench_env(args: argparse.Namespace) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local", DATABASE_URL=args.database_url, REDIS_URL=args.redis_url,
        CACHE_KEY_PREFIX="mc-bench", DJANGO_DEBUG="false", ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )  # fmt: skip
    return env


def run(args: argparse.Namespace, busy_before: float) -> dict:  # noqa: PLR0915  (one run, step by step)
    deadline = time.monotonic() + args.timeout
    env = bench_env(args)
    tasks, leads = args.members * 2, args.members // 10
    results: dict = {
        "command": " ".join([".venv/bin/python", "bench/workbench.py", *sys.argv[1:]]),
        "config": {
            "members": args.members,
            "tasks": tasks,
            "leads": leads,
            "stores": args.stores,
            "staff_per_store": STAFF_PER_STORE,
            "gunicorn_workers": args.workers,
            "client_threads": args.threads,
            "requests_per_thread": args.requests,
        },  # fmt: skip
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "busy_percent_before_start": busy_before,
        },  # fmt: skip
    }
    redis_version = flush_redis(args.redis_url)
    if not args.reuse:
        recreate_database(args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="mc-bench-workbench-"))
    gunicorn = None
    succeeded = False
    try:
        migrate(env, root=ROOT)
        print("  migrated", flush=True)
        os.environ.update(env)
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.db import connection
        from django.utils import timezone

        today = timezone.localdate()
        results["machine"].update(postgresql=scalar("SHOW server_version"), redis=redis_version,
                                  shared_buffers=scalar("SHOW shared_buffers"))  # fmt: skip
        if args.reuse:
            forget_rule_tasks()
            subjects, results["load"] = {}, {"seconds": 0, "reused": True}
        else:
            with Timer() as timer:
                results["load"] = load(members=args.members, stores=args.stores, tasks=tasks, leads=leads, today=today)
                subjects = add_light_and_heavy(stores=args.stores, today=today)
                results["load"]["vacuum_analyze"] = round(vacuum_analyze(), 1)
            results["load"]["seconds"] = round(timer.seconds, 1)
        results["subjects"] = subjects
        results["sizes"] = {
            table: scalar(f"SELECT pg_size_pretty(pg_total_relation_size('{table}'))")  # noqa: S608
            for table in ("members_member", "staff_tasks_task", "leads_lead")
        }
        print(f"  loaded in {results['load']['seconds']} s; sizes {results['sizes']}", flush=True)
        if args.rules_only:
            print("== SOP rules for today", flush=True)
            results["rules"] = run_rules(today)
            succeeded = True
            return results
        tokens = issue_tokens(subjects)
        endpoint_list = endpoints(subjects)
        print("== query counts (light / heavy)", flush=True)
        results["query_counts"] = count_queries(tokens, endpoint_list)
        connection.close()

        # The load and the counts above are not timed against the clock; the latency phases are: wait (up to
        # --wait-for-idle) until other work on the machine has settled, and record how busy it was.
        results["machine"]["busy_percent_before_latency"] = wait_for_quiet_machine(
            threshold=10, timeout=args.wait_for_idle if args.wait_before_latency is None else args.wait_before_latency
        )
        print(f"  machine {results['machine']['busy_percent_before_latency']}% busy before the latency phases",
              flush=True)  # fmt: skip
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        gunicorn = start_gunicorn(env, workers=args.workers, port=port, workdir=workdir)
        wait_for_server(base_url, gunicorn, workdir, timeout=60)
        print(f"== latency: gunicorn {args.workers} sync workers, {args.threads} threads x {args.requests} requests",
              flush=True)  # fmt: skip
        for endpoint in endpoint_list:  # warm every worker on every view
            caller, path = endpoint["heavy"]
            measure_latency(base_url, path, tokens[caller], threads=args.workers, per_thread=3, deadline=deadline)
        latency = {}
        for endpoint in endpoint_list:
            caller, path = endpoint["heavy"]
            latency[endpoint["name"]] = measure_latency(base_url, path, tokens[caller], threads=args.threads,
                                                        per_thread=args.requests, deadline=deadline)  # fmt: skip
            print(f"  {endpoint['name']}: {latency[endpoint['name']]}", flush=True)
        latency["ceiling GET /"] = measure_latency(base_url, "/", None, threads=args.threads,
                                                   per_thread=args.requests, deadline=deadline)  # fmt: skip
        print(f"  ceiling GET /: {latency['ceiling GET /']}", flush=True)
        results["latency"] = latency
        stop_process_group(gunicorn, "gunicorn")
        gunicorn = None

        print("== SOP rules for today", flush=True)
        results["rules"] = run_rules(today)
        succeeded = True
        return results
    finally:
        signal.alarm(0)
        stop_process_group(gunicorn, "gunicorn")
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if not args.keep:
            drop_database(args.database_url)
        if succeeded:
            for path in workdir.iterdir():
                path.unlink()
            workdir.rmdir()
        else:
            print(f"  gunicorn log kept in {workdir}", file=sys.stderr)


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def verdicts(results: dict) -> list[str]:
    """What missed: unequal query counts, errors, p95 over the target, the rules over the ratio or not identical."""
    missed = []
    for name, figures in results.get("query_counts", {}).items():
        if not figures["equal"]:
            missed.append(f"{name}: {figures['light']['queries']} queries light, {figures['heavy']['queries']} heavy")
    for name, figures in results.get("latency", {}).items():
        if figures["errors"]:
            missed.append(f"{name}: errors {figures['errors']}")
        if name != "ceiling GET /" and (figures["p95_ms"] is None or figures["p95_ms"] > TARGET_P95_MS):
            missed.append(f"{name}: p95 {figures['p95_ms']} ms > {TARGET_P95_MS} ms")
    rules = results["rules"]
    if rules["again_created"]:
        missed.append(f"rules: the second run opened {rules['again_created']} tasks")
    if (
        rules["app_rows_not_in_ceiling"]
        or rules["ceiling_rows_not_in_app"]
        or rules["ceiling_rows"] != rules["app_rows"]
    ):
        missed.append("rules: the app's tasks and the hand-written ones differ")
    if rules["ratio"] is None or rules["ratio"] > TARGET_RATIO:
        missed.append(f"rules: {rules['ratio']} x the hand-written INSERT > {TARGET_RATIO}")
    return missed


def print_table(results: dict) -> None:
    config, machine = results["config"], results["machine"]
    print()
    print(f"Workbench over {config['members']:,} members, {config['tasks']:,} tasks, {config['leads']:,} leads, "
          f"{config['stores']} stores; {machine['cores']} cores, PostgreSQL {machine['postgresql']}; "
          f"machine {machine['busy_percent_before_start']}% busy before the start; "
          f"load {results['load']['seconds']} s")  # fmt: skip
    header = (
        f"{'endpoint':34}{'queries l/h':>12}{'rows l/h':>12}{'CPU ms':>8}{'req/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}"
        f"{'errors':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, figures in results.get("latency", {}).items():
        counts = results.get("query_counts", {}).get(name)
        queries = f"{counts['light']['queries']}/{counts['heavy']['queries']}" if counts else "-"
        rows = f"{counts['light']['rows']}/{counts['heavy']['rows']}" if counts else "-"
        cpu = f"{counts['heavy']['cpu_ms']:.1f}" if counts else "-"
        errors = sum(figures["errors"].values())
        print(f"{name:34}{queries:>12}{rows:>12}{cpu:>8}{figures['per_second'] or 0:>8.1f}"
              f"{figures['p50_ms'] or 0:>8.1f}{figures['p95_ms'] or 0:>8.1f}{figures['p99_ms'] or 0:>8.1f}"
              f"{errors:>8}")  # fmt: skip
    rules = results["rules"]
    print(f"SOP rules for {rules['day']}: app {rules['app_rows']:,} tasks in {rules['app_seconds']:.2f} s "
          f"(again: {rules['again_created']} new in {rules['again_seconds']:.2f} s); hand-written "
          f"{rules['ceiling_rows']:,} rows in {rules['ceiling_seconds']:.2f} s (runs {rules['ceiling_runs_seconds']}); "
          f"ratio {rules['ratio']} (target <= {TARGET_RATIO}); rows differing: {rules['app_rows_not_in_ceiling']} / "
          f"{rules['ceiling_rows_not_in_app']}")  # fmt: skip
    missed = verdicts(results)
    print("ALL TARGETS MET" if not missed else "MISSED: " + "; ".join(missed))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--members", type=int, default=1_000_000, help="members; tasks are 2x, leads 1/10")
    parser.add_argument("--stores", type=int, default=50, help="stores (10 staff each), at most 79")
    parser.add_argument("--threads", type=int, default=10, help="concurrent client threads")
    parser.add_argument("--requests", type=int, default=100, help="requests per thread and endpoint")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/mc_bench_workbench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3", help="a Redis database for the bench only")
    parser.add_argument("--timeout", type=float, default=2400, help="stop the run after this many seconds")
    parser.add_argument(
        "--wait-for-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait up to this long for the machine to be under 10%% busy, at the start and before the latency phases",
    )
    parser.add_argument("--wait-before-latency", type=float, default=None, metavar="SECONDS",
                        help="the wait before the latency phases alone (default: --wait-for-idle)")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--rules-only", action="store_true", help="only the SOP rules: no query counts, no latency")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse a --keep run's data (its rule tasks deleted first), do not reload")  # fmt: skip
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args(argv)
    if not 1 <= args.stores <= 79:
        parser.error("--stores must be between 1 and 79 (staff ids are computed from the store)")
    if args.reuse and not args.rules_only:
        parser.error("--reuse goes with --rules-only (the latency phases need a fresh load)")
    return args


def main(argv: list[str] | None = None) -> int:
    return run_bench(
        parse_args(argv),
        title="Workbench bench",
        check_targets=check_targets,
        run=run,
        print_table=print_table,
        verdicts=verdicts,
    )


if __name__ == "__main__":
    sys.exit(main())
