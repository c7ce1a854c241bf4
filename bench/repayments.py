"""Repayment file benchmark: ``import_repayments`` of a 200,000-row file against a plain ``COPY`` + ``UPDATE … FROM``
of the same rows, in the same run; a re-run of the same file; memory of a 20,000-row and a 200,000-row file.

Run from the project root:

    .venv/bin/python bench/repayments.py [--rows 200000] [--json out.json]

What it does, with no manual step:

1. measures how busy the machine is, drops and recreates the bench database (its name must contain "bench";
   default ``mc_bench_repayments``) and migrates;
2. loads set-based (``INSERT … SELECT FROM generate_series``): one store, trim, plan and member, enough delivered
   applications with 36-installment loans for ``--rows`` + 10 % installments; writes the repayment files with
   ``COPY … TO STDOUT`` (one row per installment, paying it in full): the big file (``--rows`` rows) and a small one
   (a tenth as many, other installments); VACUUM ANALYZE;
3. the plain baseline: in one transaction, ``COPY`` the big file into a temporary table and one ``UPDATE
   orders_installment … FROM`` it (joined on contract and installment number), then ROLLBACK; VACUUM; twice, and
   the second is the figure (the first meets a table never written; the second, like the application after it, the
   table as a rolled-back update and VACUUM leave it); a ``CHECKPOINT`` before each timed step (baseline, first
   import, re-run), so that none pays for writing out what the one before left;
4. the application: ``apply_repayment_file`` (what ``import_repayments`` and the admin's job run) on the big file,
   then again on the same file (a re-run: nothing new may be recorded);
5. memory: ``manage.py import_repayments`` in a child process on the small file, then on the big file (a re-run:
   it reads, parses and loads every row the same way); the peak resident size of each child (``ru_maxrss``);
6. checks: every installment of the big file paid, one payment per row, the re-run recorded nothing; prints a
   table and the ratios (targets: application ≤ 2 × baseline, re-run ≤ 1 × baseline, memory flat); drops the
   database unless ``--keep``.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from _common import BenchError, drop_database, migrate, recreate_database, wait_for_quiet_machine

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mc_bench_repayments"
TERM = 36


def django_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", DATABASE_URL=database_url, DJANGO_DEBUG="false")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return env


def setup_django(database_url: str, media_root: Path) -> None:
    os.environ.update({k: v for k, v in django_env(database_url).items() if k != "PYTHONPATH"})
    os.environ["MEDIA_ROOT"] = str(media_root)
    os.environ.pop("REDIS_URL", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load(database_url: str, *, installments: int) -> None:
    """Set-based: the catalog, one member, ⌈installments / 36⌉ delivered applications, their loans and schedules."""
    from members.services import register_member
    from tests.members.factories import StaffFactory, StoreFactory
    from tests.vehicles.factories import FinancePlanFactory

    store = StoreFactory(code="BENCH01")
    plan = FinancePlanFactory()
    member = register_member(phone="13900000001")
    StaffFactory(username="bench-finance", role="finance")
    loans = -(-installments // TERM)
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            """INSERT INTO orders_order (number, member_id, trim_id, plan_id, store_id, channel, created_by_id, state,
                   price, down_payment, monthly_payment, total_interest, fees, annual_percentage_rate,
                   down_payment_coupon_code, down_payment_deduction, plate, created_at, updated_at)
               SELECT 'BENCH' || LPAD(n::text, 10, '0'), %s, %s, %s, %s, '', %s, 'delivered', 129800, 38940,
                      2764.14, 8648.90, 0, 6.00, '', 0, '', now(), now()
               FROM generate_series(1, %s) AS n""",
            [member.pk, plan.trim_id, plan.pk, store.pk, member.user_id, loans],
        )
        connection.execute(
            """INSERT INTO orders_loan (order_id, principal, annual_rate, term_months, monthly_payment, total_interest,
                   disbursed_at, bank_name, bank_card_last4, debit_day)
               SELECT id, 90860, 0.06, 36, 2764.14, 8648.90, now(), '', '', 15 FROM orders_order"""
        )
        connection.execute(
            """INSERT INTO orders_installment (loan_id, number, due_on, principal, interest, amount, status,
                   paid_amount, coupon_code, deduction)
               SELECT l.id, k, CURRENT_DATE + k * 30, 2310.00, 454.14, 2764.14, 'due', 0, '', 0
               FROM orders_loan l CROSS JOIN generate_series(1, %s) AS k""",
            [TERM],
        )
        connection.execute("VACUUM ANALYZE")


def write_file(database_url: str, path: Path, *, offset: int, rows: int) -> None:
    """Rows ``offset`` … ``offset + rows`` of the installments (by id), each paid in full, as CSV."""
    statement = f"""COPY (
        SELECT 'PAY' || i.id, o.number, i.number, i.amount, CURRENT_DATE
        FROM orders_installment i JOIN orders_loan l ON l.id = i.loan_id JOIN orders_order o ON o.id = l.order_id
        ORDER BY i.id OFFSET {int(offset)} LIMIT {int(rows)}
    ) TO STDOUT WITH (FORMAT csv)"""  # noqa: S608  (two integers)
    with psycopg.connect(database_url) as connection, path.open("wb") as out:
        out.write(b"reference,contract,installment,amount,paid_on\n")
        with connection.cursor().copy(statement) as copy:
            for chunk in copy:
                out.write(chunk)


def checkpoint(database_url: str) -> None:
    """Write out what the steps before left in memory, so that no timed step pays for them: a checkpoint that falls
    in the middle of a step (a 200,000-row update writes about 1 GB of WAL, the stock max_wal_size) adds seconds to
    whichever step it falls in, the baseline's or the application's."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("CHECKPOINT")


def plain_baseline(database_url: str, path: Path) -> float:
    """COPY into a temporary table and one UPDATE … FROM, timed, then rolled back (and the dead rows vacuumed)."""
    with psycopg.connect(database_url) as connection:
        started = time.perf_counter()
        connection.execute(
            """CREATE TEMPORARY TABLE plain_rows (reference text, contract text, number int, amount numeric(12, 2),
                   paid_on date) ON COMMIT DROP"""
        )
        with (
            connection.cursor().copy("COPY plain_rows FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as source,
        ):
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        updated = connection.execute(
            """UPDATE orders_installment i SET paid_amount = i.paid_amount + p.amount, status = 'paid', paid_at = now()
               FROM plain_rows p JOIN orders_order o ON o.number = p.contract JOIN orders_loan l ON l.order_id = o.id
               WHERE i.loan_id = l.id AND i.number = p.number"""
        ).rowcount
        elapsed = time.perf_counter() - started
        connection.rollback()
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE orders_installment")
    if updated <= 0:
        raise BenchError("the baseline updated no installment")
    return elapsed


class StatementTimes:
    """``--statements``: the time of each SQL statement the application runs (what is left of the total is Python, the
    file's ``COPY`` and the commit)."""

    def __init__(self) -> None:
        self.times: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.times.append((time.perf_counter() - started, " ".join(sql.split())[:110]))

    def print(self, total: float) -> None:
        for seconds, sql in self.times:
            if seconds >= 0.01:
                print(f"    {seconds:7.2f} s  {sql}")
        print(f"    {total - sum(seconds for seconds, _ in self.times):7.2f} s  (Python, COPY and the commit)")


def apply_file(path: Path, *, statements: bool = False) -> tuple[float, object]:
    from django.core.files import File
    from django.db import connection

    from orders.models import RepaymentImport
    from orders.repayment_import import apply_repayment_file

    with path.open("rb") as stream:
        repayment_import = RepaymentImport.objects.create(file=File(stream, name=path.name), original_name=path.name)
    times = StatementTimes()
    started = time.perf_counter()
    if statements:
        with connection.execute_wrapper(times):
            repayment_import = apply_repayment_file(repayment_import_id=repayment_import.pk)
    else:
        repayment_import = apply_repayment_file(repayment_import_id=repayment_import.pk)
    elapsed = time.perf_counter() - started
    if statements:
        times.print(elapsed)
    if repayment_import.status != "done":
        raise BenchError(f"the import was rejected: {repayment_import.errors[:5]}")
    return elapsed, repayment_import


def child_peak_rss_mb(database_url: str, path: Path, media_root: Path) -> float:
    """Peak resident size of ``manage.py import_repayments FILE`` in a fresh child (a small wrapper process reads it,
    so each figure is that child's alone)."""
    env = {**django_env(database_url), "MEDIA_ROOT": str(media_root)}
    code = (
        "import resource, subprocess, sys; "
        "done = subprocess.run([sys.executable, 'manage.py', 'import_repayments', sys.argv[1]], "
        "capture_output=True, text=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
        "sys.exit(done.returncode and print(done.stderr[-2000:], file=sys.stderr) or done.returncode)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
        check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"import_repayments {path.name} failed:\n{done.stderr[-2000:]}")
    return round(int(done.stdout.split()[-1]) / 1024, 1)


def print_result(result: dict) -> None:
    machine, r = result["machine"], result
    print(f"rows {r['rows']:,}; machine {machine['cores']} cores, {machine['busy_before_percent']:.0f}% busy before")
    base, fresh = r["baseline_copy_update_seconds"], r["baseline_on_a_fresh_table_seconds"]
    print(f"  plain COPY + UPDATE … FROM     {base:8.2f} s   (never-written table: {fresh:.2f} s)")
    print(f"  import_repayments (first run)  {r['import_seconds']:8.2f} s   {r['import_over_baseline']:.2f} × baseline")
    print(f"  import_repayments (re-run)     {r['rerun_seconds']:8.2f} s   {r['rerun_over_baseline']:.2f} × baseline")
    print("  peak RSS: " + ", ".join(f"{rows} {megabytes} MB" for rows, megabytes in r["peak_rss_mb"].items()))
    for name, ok in r["checks"].items():
        print(f"  {'ok ' if ok else 'FAIL'} {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--json", default="")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--statements", action="store_true", help="print each statement's time of the first import")
    parser.add_argument("--wait-for-idle", type=float, default=0, help="seconds to wait for a quiet machine")
    args = parser.parse_args()
    if "bench" not in urlsplit(args.database_url).path:
        raise BenchError("the bench database's name must contain 'bench'")

    busy = wait_for_quiet_machine(threshold=30, timeout=args.wait_for_idle)
    recreate_database(args.database_url)
    work = Path(tempfile.mkdtemp(prefix="mc-bench-repayments-"))
    media_root = work / "media"
    try:
        migrate(django_env(args.database_url), root=ROOT)
        setup_django(args.database_url, media_root)
        small_rows = args.rows // 10
        started = time.perf_counter()
        load(args.database_url, installments=args.rows + small_rows)
        load_seconds = time.perf_counter() - started
        big, small = work / "repayments-big.csv", work / "repayments-small.csv"
        write_file(args.database_url, big, offset=0, rows=args.rows)
        write_file(args.database_url, small, offset=args.rows, rows=small_rows)

        # Twice: the first on a table never written, the second (the figure) on the table as the first left it
        # (rolled back and vacuumed), the state the application's run then finds.
        checkpoint(args.database_url)
        first_baseline = plain_baseline(args.database_url, big)
        checkpoint(args.database_url)
        baseline = plain_baseline(args.database_url, big)
        checkpoint(args.database_url)
        application, first = apply_file(big, statements=args.statements)
        checkpoint(args.database_url)
        rerun, second = apply_file(big)
        small_rss = child_peak_rss_mb(args.database_url, small, media_root)
        big_rss = child_peak_rss_mb(args.database_url, big, media_root)

        from orders.models import Installment, Payment

        paid = Installment.objects.filter(status="paid").count()
        payments = Payment.objects.count()
        checks = {
            "first run recorded every row": first.applied_count == args.rows,
            "re-run recorded nothing": second.applied_count == 0 and second.already_recorded_count == args.rows,
            "every installment of both files paid once": paid == args.rows + small_rows == payments,
        }
        result = {
            "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "busy_before_percent": busy},
            "rows": args.rows,
            "load_seconds": round(load_seconds, 1),
            "baseline_copy_update_seconds": round(baseline, 2),
            "baseline_on_a_fresh_table_seconds": round(first_baseline, 2),
            "import_seconds": round(application, 2),
            "rerun_seconds": round(rerun, 2),
            "import_over_baseline": round(application / baseline, 2),
            "rerun_over_baseline": round(rerun / baseline, 2),
            "peak_rss_mb": {f"{small_rows} rows": small_rss, f"{args.rows} rows": big_rss},
            "checks": checks,
        }
    finally:
        if not args.keep:
            from django.conf import settings

            if settings.configured:  # not when the migration failed before Django was set up
                from django.db import connections

                connections.close_all()
            drop_database(args.database_url)

    print_result(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        sys.exit(2)
