"""Segments benchmark: ``compute_segments`` over a million members with five million service records and paid
installments, against ONE hand-written SQL statement that computes the same tiers and lifecycles, in the same run.

Run from the project root:

    .venv/bin/python bench/segments.py [--members 1000000] [--json out.json] [--keep]

What it does, with no manual step:

1. drops and recreates the bench database (its name must contain "bench"; default ``mc_bench_segments``) and
   migrates;
2. bulk-loads with set-based SQL (``INSERT … SELECT FROM generate_series``, no Django object per row): 50 stores,
   N member accounts (half signed in within the last 200 days) and members, 60 % of them car owners (handovers
   spread over four years), 3.5 N service visits on those cars (spread over two years, customer and insurance
   amounts), a quarter of the members with a loan of 12 installments of which 6 are paid (five through payment
   rows, one settled without) and the 7th partly paid (1.5 N payment rows), and the down payment recorded; 2 %
   opted out of marketing SMS. Then VACUUM ANALYZE;
3. runs ``manage.py compute_segments --date`` in a child process (wall time and its peak resident memory), then a
   second time (it must change nothing);
4. runs the hand-written statement (``CREATE TEMP TABLE … AS WITH … percent_rank() …``, the app's settings) for
   the same date before the first run and after the second, and checks that every member's tier and lifecycle
   match what the app stored;
5. prints the figures (and JSON with ``--json``): the app's comparable step (facts, rank, tier, loyalty, lifecycle,
   churn score) ÷ the hand-written statement, first and second run (target <= 2), the whole command likewise, the
   load average before and after; then drops the database (unless ``--keep``).
"""

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from _common import BenchError, drop_database, machine_busy_percent, migrate, recreate_database

ROOT = Path(__file__).resolve().parents[1]
STORES = 50
ACCOUNT_ID_BASE = 10_000_000
# crm.segments.compute.TRANSACTION_SETTINGS: the nightly transaction's; the hand-written statement gets the same.
SESSION_SETTINGS = (("work_mem", "256MB"), ("jit", "off"))


def load_steps() -> list[tuple[str, str]]:
    return [
        ("stores", """
            INSERT INTO members_store (id, code, name, city, address, phone, opening_hours, is_active)
            SELECT s, 'S' || lpad(s::text, 3, '0'), '门店 ' || s, '城市 ' || s % 10, '地址', '010', '09:00-18:00', true
            FROM generate_series(1, %(stores)s) AS s"""),
        ("member accounts", """
            INSERT INTO members_user (id, password, is_superuser, username, phone, email, is_staff, is_active, role,
                                      date_joined, store_id, last_login)
            SELECT %(base)s + n, '!', false, NULL, '+86139' || lpad(n::text, 8, '0'), '', false, true, '',
                   now() - (n % 1500) * interval '1 day', NULL,
                   CASE WHEN n % 2 = 0 THEN CAST(%(today)s AS timestamptz) - (n % 200) * interval '1 day' END
            FROM generate_series(1, %(members)s) AS n"""),
        ("members", """
            INSERT INTO members_member (id, name, gender, birthday, email, city, channel, channel_partner, invite_code,
                                        tier, verification_status, real_name, id_number_encrypted, id_number_hash,
                                        id_number_masked, verified_at, created_at, updated_at, referred_by_id,
                                        user_id, preferred_store_id, closed_at, retained_identity, retained_until)
            SELECT n, '会员' || n, '', NULL, '', '城市 ' || n % 10, 'online', '', 'B' || lpad(n::text, 11, '0'),
                   'normal', 'unverified', '', '', NULL, '', NULL, now() - (n % 1500) * interval '1 day', now(),
                   NULL, %(base)s + n, 1 + n % %(stores)s, NULL, '', NULL
            FROM generate_series(1, %(members)s) AS n"""),
        ("opted out of marketing SMS (2%)", """
            INSERT INTO notifications_preference (user_id, category, channel, is_enabled, updated_at)
            SELECT %(base)s + n, 'marketing', 'sms', false, now() FROM generate_series(1, %(members)s) AS n
            WHERE n % 50 = 7"""),
        ("owned cars (60%)", """
            INSERT INTO vehicles_ownedvehicle (id, vin, plate, delivered_on, mileage_km, created_at, member_id, trim_id,
                                               inspection_due_on, insurance_due_on, next_service_km, next_service_on)
            SELECT n, 'LBENCH' || lpad(n::text, 11, '0'), '京A' || lpad((n % 100000)::text, 5, '0'),
                   CAST(%(today)s AS date) - 1 - (n * 7) % 1460, n % 50000, now(), n, %(trim)s, NULL,
                   CAST(%(today)s AS date) + (n % 365), NULL, CAST(%(today)s AS date) + (n % 200)
            FROM generate_series(1, %(members)s) AS n WHERE n % 10 < 6"""),
        ("service visits (3.5 per member)", """
            INSERT INTO vehicles_servicerecord (vehicle_id, dealer_reference, serviced_on, mileage_km, description,
                                                is_maintenance, customer_amount, insurance_amount,
                                                manufacturer_amount, internal_amount, created_at, tyres_replaced)
            SELECT v.id, 'B' || v.id || '-' || k, CAST(%(today)s AS date) - ((v.id * 13 + k * 97) % 730)::int, 1000 * k,
                   '保养', true, (abs(hashint4((v.id * 10 + k)::int)) % 3000)::numeric,
                   CASE WHEN k = 6 THEN 2000 ELSE 0 END, 0, 0, now(), false
            FROM vehicles_ownedvehicle v, generate_series(1, 6) AS k
            WHERE k <= 5 OR v.id % 6 < 5"""),
        ("applications with a loan (25%)", """
            INSERT INTO orders_order (id, state, number, channel, signing_at, plate, price, down_payment,
                                      monthly_payment, created_at, updated_at, created_by_id, member_id, plan_id,
                                      replaces_id, store_id, trim_id, vehicle_unit_id, total_interest, fees,
                                      annual_percentage_rate, down_payment_coupon_code, down_payment_deduction)
            SELECT n, 'delivered', 'MC' || lpad(n::text, 10, '0'), 'online', NULL, '', 150000, 30000 + n % 20000,
                   4000, CAST(%(today)s AS timestamptz) - (n % 600) * interval '1 day', now(), %(base)s + n, n,
                   %(plan)s, NULL, 1 + n % %(stores)s,
                   %(trim)s, NULL, 3600, 0, 0.05, '', 0
            FROM generate_series(1, %(members)s) AS n WHERE n % 4 = 0"""),
        ("down payments", """
            INSERT INTO orders_orderevent (order_id, transition, from_state, to_state, actor_id, reason, reason_code,
                                           created_at)
            SELECT id, 'record_down_payment', 'signed', 'down_payment_paid', NULL, '', '',
                   created_at + interval '5 days'
            FROM orders_order"""),
        ("loans", """
            INSERT INTO orders_loan (id, order_id, principal, annual_rate, term_months, monthly_payment,
                                     total_interest, disbursed_at, bank_name, bank_card_last4)
            SELECT id, id, 120000, 0.05, 12, 10300, 3600, created_at + interval '7 days', '', '' FROM orders_order"""),
        ("installments (12 a loan, 6 paid, the 7th partly)", """
            INSERT INTO orders_installment (loan_id, number, due_on, principal, interest, amount, status, paid_at,
                                            paid_amount, coupon_code, deduction)
            SELECT l.id, k, CAST(l.disbursed_at AS date) + k * 30, 10000, 300, 10300,
                   CASE WHEN k <= 6 THEN 'paid' WHEN CAST(l.disbursed_at AS date) + k * 30 < CAST(%(today)s AS date)
                        THEN 'overdue' WHEN k = 7 THEN 'partly_paid' ELSE 'due' END,
                   CASE WHEN k <= 6 THEN l.disbursed_at + k * interval '30 days' END,
                   CASE WHEN k <= 6 THEN 10300 WHEN k = 7 THEN 4000 ELSE 0 END, '', 0
            FROM orders_loan l, generate_series(1, 12) AS k"""),
        # Installments 1–5 paid through payment rows, the 6th settled with none (paid before payments were
        # recorded one by one), the 7th partly paid: spend counts the payment rows by date, and the 6th whole.
        ("installment payments", """
            INSERT INTO orders_payment (installment_id, amount, paid_on, reference, source, created_at)
            SELECT i.id, i.paid_amount,
                   CAST(COALESCE(i.paid_at, l.disbursed_at + 7 * 30 * interval '1 day') AT TIME ZONE 'Asia/Shanghai'
                        AS date),
                   'BP' || i.id, 'imported', now()
            FROM orders_installment i JOIN orders_loan l ON l.id = i.loan_id WHERE i.number <= 5 OR i.number = 7"""),
    ]  # fmt: skip


BASELINE = """
CREATE TEMP TABLE baseline AS
WITH spend AS (
    SELECT member_id, SUM(amount) AS amount FROM (
        SELECT v.member_id, sr.customer_amount + sr.insurance_amount + sr.manufacturer_amount AS amount
        FROM vehicles_servicerecord sr JOIN vehicles_ownedvehicle v ON v.id = sr.vehicle_id
        WHERE sr.serviced_on > %(year_ago)s AND sr.serviced_on <= %(today)s
        UNION ALL
        SELECT o.member_id, p.amount FROM orders_payment p JOIN orders_installment i ON i.id = p.installment_id
        JOIN orders_loan l ON l.id = i.loan_id JOIN orders_order o ON o.id = l.order_id
        WHERE p.paid_on > %(year_ago)s AND p.paid_on <= %(today)s
        UNION ALL
        SELECT o.member_id, i.amount - i.deduction FROM orders_installment i
        JOIN orders_loan l ON l.id = i.loan_id JOIN orders_order o ON o.id = l.order_id
        WHERE i.status = 'paid' AND i.paid_at >= %(window_start)s AND i.paid_at < %(day_end)s
          AND NOT EXISTS (SELECT 1 FROM orders_payment p WHERE p.installment_id = i.id)
        UNION ALL
        SELECT o.member_id, o.down_payment FROM orders_order o
        JOIN orders_orderevent e ON e.order_id = o.id AND e.to_state = 'down_payment_paid'
        WHERE e.created_at >= %(window_start)s AND e.created_at < %(day_end)s AND o.state <> 'terminated'
    ) AS paid GROUP BY member_id
),
cars AS (
    SELECT member_id, MIN(delivered_on) AS first_car, MAX(delivered_on) AS last_car,
           bool_or(delivered_on <= %(no_service)s) AS owned_long
    FROM vehicles_ownedvehicle WHERE delivered_on <= %(today)s GROUP BY member_id
),
visits AS (
    SELECT v.member_id, MAX(sr.serviced_on) AS last_visit FROM vehicles_servicerecord sr
    JOIN vehicles_ownedvehicle v ON v.id = sr.vehicle_id WHERE sr.serviced_on <= %(today)s GROUP BY v.member_id
),
loans AS (
    SELECT o.member_id, MAX(i.paid_at) FILTER (WHERE i.status = 'paid' AND i.paid_at < %(day_end)s) AS last_paid,
           bool_or(i.status <> 'paid' AND i.due_on < %(today)s) AS overdue
    FROM orders_installment i JOIN orders_loan l ON l.id = i.loan_id JOIN orders_order o ON o.id = l.order_id
    GROUP BY o.member_id
),
pays AS (
    SELECT o.member_id, MAX(p.paid_on) AS last_pay FROM orders_payment p
    JOIN orders_installment i ON i.id = p.installment_id JOIN orders_loan l ON l.id = i.loan_id
    JOIN orders_order o ON o.id = l.order_id WHERE p.paid_on <= %(today)s GROUP BY o.member_id
),
opted_out AS (
    SELECT DISTINCT user_id FROM notifications_preference WHERE category = 'marketing' AND NOT is_enabled
),
last_contact AS (
    SELECT m.id AS member_id, c.first_car, c.last_car, vi.last_visit, lo.last_paid, pa.last_pay, u.last_login,
           CASE WHEN c.owned_long AND (vi.last_visit IS NULL OR vi.last_visit < %(no_service)s) THEN 30 ELSE 0 END
           + CASE WHEN lo.overdue THEN 30 ELSE 0 END
           + CASE WHEN oo.user_id IS NOT NULL THEN 15 ELSE 0 END
           + CASE WHEN u.last_login IS NULL OR u.last_login < %(no_sign_in)s THEN 15 ELSE 0 END AS score
    FROM members_member m JOIN members_user u ON u.id = m.user_id
    LEFT JOIN cars c ON c.member_id = m.id LEFT JOIN visits vi ON vi.member_id = m.id
    LEFT JOIN loans lo ON lo.member_id = m.id LEFT JOIN pays pa ON pa.member_id = m.id
    LEFT JOIN opted_out oo ON oo.user_id = m.user_id
    WHERE m.closed_at IS NULL
),
ranked AS (
    SELECT c.*, COALESCE(s.amount, 0) AS spend,
           percent_rank() OVER (ORDER BY COALESCE(s.amount, 0) DESC) AS pr
    FROM last_contact c LEFT JOIN spend s ON s.member_id = c.member_id
)
SELECT member_id,
       CASE WHEN spend <= 0 THEN 'normal' WHEN pr < 0.05 THEN 'diamond' WHEN pr < 0.10 THEN 'platinum'
            WHEN pr < 0.20 THEN 'gold' WHEN pr < 0.50 THEN 'silver' ELSE 'normal' END AS tier,
       CASE WHEN first_car IS NULL THEN 'lead'
            WHEN (last_visit IS NULL OR last_visit < %(churned)s) AND last_car < %(churned)s
                 AND (last_paid IS NULL OR last_paid < %(churned_at)s)
                 AND (last_pay IS NULL OR last_pay < %(churned)s)
                 AND (last_login IS NULL OR last_login < %(churned_at)s) THEN 'churned'
            WHEN ((last_visit IS NULL OR last_visit < %(at_risk)s) AND last_car < %(at_risk)s
                 AND (last_paid IS NULL OR last_paid < %(at_risk_at)s)
                 AND (last_pay IS NULL OR last_pay < %(at_risk)s)
                 AND (last_login IS NULL OR last_login < %(at_risk_at)s)) OR LEAST(score, 100) >= 60 THEN 'at_risk'
            WHEN first_car >= %(new_since)s THEN 'new'
            ELSE 'active' END AS lifecycle
FROM ranked
"""


def run_child(args: list[str], env: dict) -> tuple[float, int, dict]:
    """Run a manage.py command; wall seconds and the child's peak resident memory in MB."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        timeout=7200,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(f"{args} failed:\n{done.stderr[-3000:]}")
    for line in done.stdout.strip().splitlines():
        print("  " + line, flush=True)
    phases = json.loads(done.stdout.split("seconds: ", 1)[1].splitlines()[0]) if "seconds: " in done.stdout else {}
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, phases


def run_hand_written(database_url: str, today: datetime.date, *, connection=None) -> float:
    """The hand-written statement into the temporary table ``baseline``; its seconds. It runs with the same settings
    as the app's nightly transaction (``work_mem``, no JIT), so the comparison is of the SQL, not of the settings."""
    if connection is None:
        with psycopg.connect(database_url, autocommit=True) as own:
            return run_hand_written(database_url, today, connection=own)
    day = datetime.timedelta(days=1)
    year_ago = today.replace(year=today.year - 1)
    params = {
        "today": today, "year_ago": year_ago, "window_start": local_midnight(year_ago + day),
        "day_end": local_midnight(today + day), "no_service": today - 180 * day,
        "no_sign_in": local_midnight(today - 90 * day), "churned": today - 365 * day,
        "churned_at": local_midnight(today - 365 * day), "at_risk": today - 180 * day,
        "at_risk_at": local_midnight(today - 180 * day), "new_since": today - 180 * day,
    }  # fmt: skip
    for name, value in SESSION_SETTINGS:
        connection.execute(f"SET {name} = '{value}'")
    connection.execute("DROP TABLE IF EXISTS baseline")
    started = time.perf_counter()
    connection.execute(BASELINE, params)
    return round(time.perf_counter() - started, 1)


def local_midnight(day: datetime.date) -> datetime.datetime:
    import zoneinfo

    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def main() -> int:  # noqa: PLR0915  (a script read top to bottom)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/mc_bench_segments")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    if "bench" not in args.database_url.rsplit("/", 1)[-1]:
        raise BenchError("--database-url: the database name must contain 'bench' (it is dropped)")
    today = datetime.date(2026, 6, 30)
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", DATABASE_URL=args.database_url,
               CELERY_TASK_ALWAYS_EAGER="true")  # fmt: skip
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, busy {machine_busy_percent(2.0):.0f}%", flush=True)
    recreate_database(args.database_url)
    figures: dict = {"members": args.members, "as_of": today.isoformat(), "load_seconds": {},
                     "load_average_before": os.getloadavg()}  # fmt: skip
    try:
        migrate(env, root=ROOT)
        with psycopg.connect(args.database_url, autocommit=True) as connection:
            connection.execute("SET synchronous_commit = off")
            brand = connection.execute("INSERT INTO vehicles_brand (name, sort_order) VALUES ('B', 0) RETURNING id")
            model = connection.execute(
                "INSERT INTO vehicles_carmodel (brand_id, name, body_type, energy, description, picture, is_active,"
                " first_service_months, first_service_km, service_interval_months, service_interval_km,"
                " tyre_interval_months, tyre_interval_km)"
                " VALUES (%s, 'Sedan', 'sedan', 'petrol', '', '', true, 6, 5000, 12, 10000, 60, 50000) RETURNING id",
                [brand.fetchone()[0]],
            )
            trim = connection.execute(
                "INSERT INTO vehicles_trim (car_model_id, name, guide_price, is_active)"
                " VALUES (%s, 'Std', 150000, true) RETURNING id",
                [model.fetchone()[0]],
            ).fetchone()[0]
            plan = connection.execute(
                "INSERT INTO vehicles_financeplan (name, down_payment_ratio, term_months, annual_rate, fees,"
                " is_active, trim_id) VALUES ('12', 0.2, 12, 0.05, 0, true, %s) RETURNING id",
                [trim],
            ).fetchone()[0]
            params = {"members": args.members, "stores": STORES, "base": ACCOUNT_ID_BASE, "today": today,
                      "trim": trim, "plan": plan}  # fmt: skip
            for name, statement in load_steps():
                started = time.perf_counter()
                rows = connection.execute(statement.replace("%", "%%").replace("%%(", "%("), params).rowcount
                figures["load_seconds"][name] = round(time.perf_counter() - started, 1)
                print(f"  load {name}: {rows:,} rows in {figures['load_seconds'][name]} s", flush=True)
            connection.execute("VACUUM ANALYZE")
            counts = connection.execute(
                "SELECT (SELECT count(*) FROM vehicles_servicerecord), (SELECT count(*) FROM orders_payment),"
                " (SELECT count(*) FROM orders_installment WHERE status = 'paid')"
            ).fetchone()
            figures["service_records"], figures["payments"], figures["paid_installments"] = counts
        print(f"  {counts[0]:,} service records + {counts[1]:,} payments = {counts[0] + counts[1]:,}"
              f" ({counts[2]:,} paid installments)", flush=True)  # fmt: skip

        # The hand-written statement before the first run (the same cold-ish cache) and after the second.
        figures["hand_written_first_seconds"] = run_hand_written(args.database_url, today)
        figures["compute_seconds"], figures["compute_peak_rss_mb"], figures["compute_phases"] = run_child(
            ["compute_segments", "--date", today.isoformat(), "-v", "2"], env
        )
        figures["rerun_seconds"], _rss, figures["rerun_phases"] = run_child(
            ["compute_segments", "--date", today.isoformat(), "-v", "2"], env
        )
        with psycopg.connect(args.database_url, autocommit=True) as connection:
            figures["hand_written_seconds"] = run_hand_written(args.database_url, today, connection=connection)
            mismatches = connection.execute(
                "SELECT count(*) FROM baseline b JOIN segments_membersegment s ON s.member_id = b.member_id"
                " WHERE s.tier <> b.tier OR s.lifecycle <> b.lifecycle"
            ).fetchone()[0]
            figures["compared_members"] = connection.execute(
                "SELECT count(*) FROM baseline b JOIN segments_membersegment s ON s.member_id = b.member_id"
            ).fetchone()[0]
            figures["distribution"] = dict(
                connection.execute("SELECT tier || '/' || lifecycle, count(*) FROM baseline GROUP BY 1").fetchall()
            )
        figures["mismatches"] = mismatches
        figures["load_average_after"] = os.getloadavg()
        first, second = figures["hand_written_first_seconds"], figures["hand_written_seconds"]
        # The same work as the hand-written statement: the facts, percent_rank, tier and lifecycle of every member.
        figures["step_ratio_first"] = round(figures["compute_phases"]["tiers_and_lifecycle"] / first, 2)
        figures["step_ratio_rerun"] = round(figures["rerun_phases"]["tiers_and_lifecycle"] / second, 2)
        figures["ratio_first"] = round(figures["compute_seconds"] / first, 2)
        figures["ratio_rerun"] = round(figures["rerun_seconds"] / second, 2)
        print(f"compute_segments: {figures['compute_seconds']:.1f} s (peak RSS {figures['compute_peak_rss_mb']} MB),"
              f" second run {figures['rerun_seconds']:.1f} s; hand-written SQL: {first} s before, {second} s after;"
              f" comparable step {figures['step_ratio_first']} x first run, {figures['step_ratio_rerun']} x second"
              f" (target <= 2); whole command {figures['ratio_first']} x / {figures['ratio_rerun']} x;"
              f" phases {figures['compute_phases']} then {figures['rerun_phases']};"
              f" members compared {figures['compared_members']:,}, mismatching: {mismatches};"
              f" load average {figures['load_average_before']} before,"
              f" {figures['load_average_after']} after")  # fmt: skip
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2, default=str))
        if mismatches:
            raise BenchError("the app and the hand-written SQL disagree")
    finally:
        if not args.keep:
            drop_database(args.database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
