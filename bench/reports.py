"""Reports benchmark: every report's page and API answer over a large generated dataset, p95 per report.

Run from the project root:

    .venv/bin/python bench/reports.py [--members 1000000] [--services-per-car 22] [--requests 20] [--json out.json]

What it does, with no manual step:

1. measures how busy the machine is, drops and recreates the bench database (its name must contain "bench";
   default ``mc_bench_reports``) and migrates;
2. loads with set-based SQL only (no Django object per row): the workbench benchmark's data (bench/workbench.py:
   50 stores, N members over three years, 30% owners with a delivered application and a car, 2N tasks, N/10 leads),
   then for the reports: ``--services-per-car`` service visits per car over the last two years (customer-paid
   amounts), the application events of the delivered applications, a declined-lead reason on the declined leads,
   referrals (every 20th member referred by the member before), points balances for every member, five rewards,
   20 campaigns with one message to every 20th member each, complaints (1 per 50 members), satisfaction surveys
   (1 per 20), roadside rescues (1 per 100 cars), the cars' last service visit; then VACUUM ANALYZE; then the
   nightly ``refresh_report_aggregates`` (timed);
3. times each report ``--requests`` times (after one untimed request) through Django's test client (in this
   process: the server's time, no HTTP), as head office (all stores, the heaviest) and as a store manager (one
   store), page and API, the funnel and the campaigns over the last 366 days (the longest period allowed); prints
   p50 / p95 per report and fails when a p95 is above the target (2 s);
4. drops the database (unless ``--keep``).
"""

import argparse
import datetime
import json
import logging
import os
import platform
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from _common import BenchError, drop_database, migrate, percentile, recreate_database, wait_for_quiet_machine

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_SECONDS = 2.0
REPORTS = [
    "funnel",
    "not-returned",
    "lifetime-value",
    "referrals",
    "campaigns",
    "points-liability",
    "task-execution",
    "complaints",
    "satisfaction",
    "rescue",
    "tiers",
    "churn",
    "complaint-rate",
]
PERIOD_REPORTS = {
    "funnel", "campaigns", "referrals", "task-execution", "complaints", "satisfaction", "rescue", "tiers", "churn",
    "complaint-rate",
}  # fmt: skip


def report_steps(*, services_per_car: int) -> list[tuple[str, str]]:
    return [
        (
            "service visits of the cars",
            f"""
            INSERT INTO vehicles_servicerecord (vehicle_id, dealer_reference, serviced_on, mileage_km, description,
                                                is_maintenance, customer_amount, insurance_amount, manufacturer_amount,
                                                internal_amount, created_at, tyres_replaced)
            SELECT v.id, 'BENCH-' || v.id || '-' || k,
                   CAST(%(today)s AS date) - CAST(30 + (v.id * 13 + k * 97) %% 700 AS integer), 1000 * k, '保养',
                   true, 200 + (v.id + k) %% 800, 0, 0, 0, now(), false
            FROM vehicles_ownedvehicle v, generate_series(1, {services_per_car}) AS k
            WHERE (v.id + k) %% 4 <> 0
            """,  # noqa: S608  (our own SQL, numbers only)
        ),
        (
            "last service visit of the cars (as record_service_visit keeps it)",
            """
            UPDATE vehicles_ownedvehicle v SET last_service_on = s.latest
            FROM (SELECT vehicle_id, max(serviced_on) AS latest FROM vehicles_servicerecord GROUP BY vehicle_id) s
            WHERE s.vehicle_id = v.id
            """,
        ),
        (
            "complaints (one per 50 members, over the last year, 80 % closed)",
            """
            INSERT INTO complaints_complaint (
                status, number, member_id, store_id, category, severity, filed_by, description, solution, root_cause,
                prevention, received_at, clock_started_at, paused_business_seconds, first_responded_at, closed_at,
                first_response_due, first_response_risk_at, resolution_due, resolution_risk_at, pause_reason,
                sla_status, escalation_level, created_at, updated_at)
            SELECT CASE WHEN m.id %% 5 = 0 THEN 'investigating' ELSE 'closed' END, 'BENCH' || m.id, m.id,
                   m.preferred_store_id,
                   (ARRAY['sales', 'finance', 'vehicle_quality', 'service', 'staff_attitude',
                          'billing'])[1 + m.id %% 6],
                   CASE WHEN m.id %% 17 = 0 THEN 'serious' ELSE 'general' END, 'member', '…', '', '', '',
                   r.at, r.at, 0, r.at + interval '2 hours',
                   CASE WHEN m.id %% 5 <> 0 THEN r.at + (1 + m.id %% 90) * interval '1 hour' END,
                   r.at + interval '4 hours', r.at + interval '3 hours', r.at + interval '72 hours',
                   r.at + interval '60 hours', '',
                   CASE WHEN m.id %% 5 = 0 THEN 'on_track' WHEN m.id %% 90 < 72 THEN 'met' ELSE 'breached' END,
                   0, r.at, r.at
            FROM members_member m,
                 LATERAL (SELECT now() - (m.id %% 365) * interval '1 day' AS at) r
            WHERE m.id %% 50 = 0
            """,
        ),
        (
            "satisfaction surveys (one per 20 members, over the last year)",
            """
            WITH q AS (SELECT id, trigger FROM surveys_questionnaire WHERE is_active AND trigger = 'delivery'),
            invited AS (
                INSERT INTO surveys_surveyinvitation (questionnaire_id, member_id, store_id, trigger, channel, subject,
                                                      token_hash, dedupe_key, created_at, expires_at, answered_at)
                SELECT q.id, m.id, m.preferred_store_id, q.trigger, 'link', 'bench:' || m.id, md5('bench' || m.id),
                       'bench:' || m.id, now() - (m.id %% 360) * interval '1 day',
                       now() - (m.id %% 360) * interval '1 day' + interval '14 days',
                       now() - (m.id %% 360) * interval '1 day' + interval '1 hour'
                FROM members_member m, q WHERE m.id %% 20 = 0
                RETURNING id, questionnaire_id, member_id, store_id, trigger, answered_at
            )
            INSERT INTO surveys_surveyresponse (invitation_id, questionnaire_id, member_id, store_id, trigger, csat,
                                                nps, answered_by_id, answered_at)
            SELECT i.id, i.questionnaire_id, i.member_id, i.store_id, i.trigger, 1 + i.member_id %% 5,
                   i.member_id %% 11, m.user_id, i.answered_at
            FROM invited i JOIN members_member m ON m.id = i.member_id
            """,
        ),
        (
            "roadside rescues (one per 100 cars, over the last year)",
            """
            INSERT INTO rescue_rescuerequest (member_id, vehicle_id, store_id, kind, status, channel, location, note,
                                              created_by_id, requested_at, arrived_at, done_at)
            SELECT v.member_id, v.id, m.preferred_store_id, 'tow', 'done', 'app', '高速', '', m.user_id,
                   now() - (v.id %% 365) * interval '1 day',
                   now() - (v.id %% 365) * interval '1 day' + (20 + v.id %% 60) * interval '1 minute',
                   now() - (v.id %% 365) * interval '1 day' + interval '3 hours'
            FROM vehicles_ownedvehicle v JOIN members_member m ON m.id = v.member_id
            WHERE v.id %% 100 = 0
            """,
        ),
        (
            "events of the delivered applications",
            """
            INSERT INTO orders_orderevent (order_id, transition, from_state, to_state, reason, reason_code, created_at,
                                           actor_id)
            SELECT o.id, s.transition, s.from_state, s.to_state, '', '', o.created_at + s.k * interval '3 days', NULL
            FROM orders_order o,
                 (VALUES (1, 'submit', 'draft', 'submitted'), (2, 'approve', 'under_review', 'approved'),
                         (3, 'hand_over', 'ready_for_pickup', 'delivered')) AS s(k, transition, from_state, to_state)
            """,
        ),
        (
            "reasons of the declined leads",
            """
            UPDATE leads_lead
            SET lost_reason = (ARRAY['price', 'not_buying_now', 'bought_elsewhere', 'other'])[1 + id %% 4]
            WHERE status = 'not_interested'
            """,
        ),
        (
            "referrals (every 20th member)",
            "UPDATE members_member SET referred_by_id = id - 1 WHERE id %% 20 = 0",
        ),
        (
            "points balances",
            """
            INSERT INTO points_pointsaccount (member_id, balance, updated_at)
            SELECT id, (id * 37) %% 5000, now() FROM members_member
            ON CONFLICT (member_id) DO UPDATE SET balance = EXCLUDED.balance
            """,
        ),
        (
            "rewards",
            """
            INSERT INTO points_reward (name, kind, description, cost_points, face_value, stock, valid_days,
                                       per_member_limit, is_active, sort_order)
            SELECT '抵扣券 ' || k, 'repayment_coupon', '', k * 500, k * 50, NULL, 90, NULL, true, k
            FROM generate_series(1, 5) AS k
            """,
        ),
        (
            "campaigns",
            """
            INSERT INTO crm_campaign (name, subject, body, send_sms, send_email, city, tier, channel, min_points,
                                      max_points, verification_status, owns_car, scheduled_at, state, total, cost,
                                      created_at, store_id, car_model_id, created_by_id, lifecycle, loyalty,
                                      repeats_monthly)
            SELECT '活动 ' || c, '主题', '正文', true, false, '', '', '', NULL, NULL, '', NULL,
                   now() - c * interval '15 days', 'scheduled', 0, 1000 * c, now() - c * interval '16 days',
                   CASE WHEN c %% 2 = 0 THEN 1 + c %% 50 END, NULL, NULL, '', '', false
            FROM generate_series(1, 20) AS c
            """,
        ),
        (
            # What the nightly segment run leaves: every member new on the day they joined, a third active 90 days
            # later, every 10th of those at risk on a day of the last year and half of those churned 45 days after.
            "lifecycle history (new, a third active, at risk, churned)",
            """
            INSERT INTO segments_lifecyclechange (member_id, from_lifecycle, to_lifecycle, as_of, created_at)
            SELECT m.id, step.from_lifecycle, step.to_lifecycle, step.as_of, now()
            FROM members_member m
            CROSS JOIN LATERAL (
                SELECT '' AS from_lifecycle, 'new' AS to_lifecycle, m.created_at::date AS as_of
                UNION ALL
                SELECT 'new', 'active', m.created_at::date + 90 WHERE m.id %% 3 = 0
                UNION ALL
                SELECT 'active', 'at_risk',
                       GREATEST(m.created_at::date + 91, %(today)s::date - CAST(30 + m.id %% 330 AS integer))
                WHERE m.id %% 30 = 0
                UNION ALL
                SELECT 'at_risk', 'churned',
                       GREATEST(m.created_at::date + 91, %(today)s::date - CAST(30 + m.id %% 330 AS integer)) + 45
                WHERE m.id %% 60 = 0
            ) AS step
            WHERE step.as_of <= %(today)s
            """,
        ),
        (
            # Half the members given a tier a month after joining, every 10th moved again in the last year.
            "tier history (half ranked, every 10th moved in the last year)",
            """
            INSERT INTO segments_tierchange (member_id, from_tier, to_tier, spend_12_months, as_of, created_at)
            SELECT m.id, step.from_tier, step.to_tier, 1000, step.as_of, now()
            FROM members_member m
            CROSS JOIN LATERAL (
                SELECT 'normal' AS from_tier,
                       (ARRAY['silver', 'gold', 'platinum', 'diamond'])[1 + m.id %% 4] AS to_tier,
                       m.created_at::date + 30 AS as_of
                UNION ALL
                SELECT (ARRAY['silver', 'gold', 'platinum', 'diamond'])[1 + m.id %% 4],
                       (ARRAY['gold', 'silver', 'diamond', 'platinum'])[1 + m.id %% 4],
                       GREATEST(m.created_at::date + 31, %(today)s::date - CAST(m.id %% 360 AS integer))
                WHERE m.id %% 10 = 0
            ) AS step
            WHERE m.id %% 2 = 0 AND step.as_of <= %(today)s
            """,
        ),
        (
            "campaign messages (every 20th member, each campaign)",
            """
            INSERT INTO notifications_notification (recipient_id, to_phone, category, event, channel, subject, body,
                                                    link, dedupe_key, status, send_after, attempts, last_error,
                                                    provider_message_id, provider_status, created_at, sent_at)
            SELECT m.user_id, NULL, 'marketing', 'campaign.' || c.id, 'sms', '主题', '正文', '',
                   'campaign:' || c.id || ':' || m.id, 'sent', c.scheduled_at, 1, '', '', '', c.scheduled_at,
                   c.scheduled_at
            FROM crm_campaign c JOIN members_member m ON (m.id + c.id) %% 20 = 0
            """,
        ),
    ]


def load_for_reports(*, services_per_car: int, today: datetime.date) -> dict:
    from django.db import connection

    timings = {}
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        for name, statement in report_steps(services_per_car=services_per_car):
            started = time.perf_counter()
            cursor.execute(statement, {"today": today})
            timings[name] = round(time.perf_counter() - started, 1)
            print(f"  {name}: {cursor.rowcount:,} rows in {timings[name]:.1f} s", flush=True)
        cursor.execute("RESET synchronous_commit")
    return timings


def time_reports(*, users: dict, requests: int, today: datetime.date) -> dict:
    from django.test import Client
    from rest_framework.test import APIClient

    from members.services import issue_access_token

    period = {"from": (today - datetime.timedelta(days=365)).isoformat(), "to": today.isoformat()}
    results = {}
    for who, user in users.items():
        page_client = Client()
        page_client.force_login(user)
        api_client = APIClient()
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=user)}")
        for slug in REPORTS:
            params = period if slug in PERIOD_REPORTS else {}
            for kind, client, url in (("page", page_client, f"/backoffice/reports/{slug}/"),
                                      ("api", api_client, f"/api/v1/backoffice/reports/{slug}/")):  # fmt: skip
                client.get(url, params)  # untimed: the process's first request loads the templates and URL modules
                seconds = []
                for _request in range(requests):
                    started = time.perf_counter()
                    response = client.get(url, params)
                    seconds.append(time.perf_counter() - started)
                    if response.status_code != 200:
                        raise BenchError(f"{who} {kind} {slug}: HTTP {response.status_code}")
                seconds.sort()
                key = f"{slug} {kind} ({who})"
                results[key] = {"p50": round(percentile(seconds, 0.5), 3), "p95": round(percentile(seconds, 0.95), 3)}
                print(f"  {key}: p50 {results[key]['p50']:.3f} s, p95 {results[key]['p95']:.3f} s", flush=True)
    return results


def run(args: argparse.Namespace, busy_before: float) -> dict:
    sys.path.insert(0, str(ROOT / "bench"))
    import workbench

    env = workbench.bench_env(args)
    env["ALLOWED_HOSTS"] += ",testserver"  # Django's test client, in this process
    results: dict = {
        "command": " ".join([".venv/bin/python", "bench/reports.py", *sys.argv[1:]]),
        "config": {"members": args.members, "services_per_car": args.services_per_car, "requests": args.requests},
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "busy_percent_before_start": busy_before,
        },  # fmt: skip
    }
    recreate_database(args.database_url)
    try:
        migrate(env, root=ROOT)
        os.environ.update(env)
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.db import connection
        from django.utils import timezone

        from members.models import User

        today = timezone.localdate()
        started = time.perf_counter()
        results["load"] = workbench.load(
            members=args.members, stores=args.stores, tasks=args.members * 2, leads=args.members // 10, today=today
        )
        results["load"].update(load_for_reports(services_per_car=args.services_per_car, today=today))
        results["load"]["vacuum_analyze"] = round(workbench.vacuum_analyze(), 1)
        results["load"]["seconds"] = round(time.perf_counter() - started, 1)
        # The nightly job the funnel and the campaigns read (timed: it runs once a night, off the request path).
        from crm.reports.services import refresh_report_aggregates

        started = time.perf_counter()
        results["aggregates"] = refresh_report_aggregates(today=today)
        results["aggregates"]["seconds"] = round(time.perf_counter() - started, 1)
        print(f"  nightly aggregates: {results['aggregates']}", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM vehicles_servicerecord")
            results["config"]["service_records"] = cursor.fetchone()[0]
        users = {
            "head office": User.objects.create(username="bench-hq", is_staff=True, role="head_office"),
            "store manager": User.objects.get(pk=workbench.staff_id(1, 0)),
        }
        results["latency_seconds"] = time_reports(users=users, requests=args.requests, today=today)
        connection.close()
    finally:
        if not args.keep:
            drop_database(args.database_url)
    worst = max(figure["p95"] for figure in results["latency_seconds"].values())
    results["worst_p95_seconds"] = worst
    results["target_met"] = worst <= TARGET_P95_SECONDS
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--stores", type=int, default=50)
    parser.add_argument("--services-per-car", type=int, default=22, help="22: ~5 M visits at 1 M members")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per report, page and API, per role")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/mc_bench_reports")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument(
        "--wait-for-idle", type=float, default=0, help="wait up to this many seconds for a quiet machine"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if "bench" not in urlsplit(args.database_url).path:
        raise BenchError("Refusing to drop a database whose name does not contain 'bench'")
    if args.members < 10_000:
        raise BenchError("--members must be at least 10,000")
    logging.getLogger("member_center.requests").setLevel(logging.WARNING)  # one line per request otherwise
    busy = wait_for_quiet_machine(threshold=50, timeout=args.wait_for_idle)
    results = run(args, busy)
    print(json.dumps({k: v for k, v in results.items() if k != "latency_seconds"}, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0 if results["target_met"] else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        sys.exit(2)
