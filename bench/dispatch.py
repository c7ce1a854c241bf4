"""SMS dispatch benchmark: messages per second delivered by 2 Celery worker processes to a local stand-in Twilio
server, and proof that the provider rate limit (``SMS_RATE_PER_SECOND``, a Redis counter shared by every worker)
holds across workers. Issue 5, figure (2).

Run from the project root:

    .venv/bin/python bench/dispatch.py [--rows 2000] [--rate 10] [--unthrottled-rate 100000] [--json out.json]

What it does, with no manual step, once per rate (first ``--rate``, well below what the workers can do, then
``--unthrottled-rate``, so high that the workers are the limit):

1. checks that PostgreSQL and Redis answer on the loopback; on the first phase drops and recreates the bench
   database (its name must contain "bench"; default ``mc_bench_dispatch``) and migrates it; empties the bench Redis
   database (default 5; 0 and 15 are refused) so no counter or queued task is left from before;
2. writes ``--rows`` accounts and one pending SMS outbox row each with plain SQL (``send_after`` a minute ago,
   ``enqueued_at`` NULL: what a reminder run leaves for the dispatcher);
3. starts a stand-in Twilio server (``ThreadingHTTPServer`` on 127.0.0.1, a free port) that answers
   ``POST /2010-04-01/Accounts/<sid>/Messages.json`` like Twilio (201 + a message sid) and records the arrival time
   of every request, and ``--workers`` Celery worker processes (``celery -A config worker --concurrency 1``, each in
   its own process group) with ``SMS_BACKEND=twilio``, ``TWILIO_API_BASE_URL`` pointing at the stand-in and
   ``SMS_RATE_PER_SECOND`` set to the phase's rate; waits until every worker answers a ping;
4. calls ``dispatch_due_notifications()`` (1,000 rows per call) until every row is queued, then polls the
   database until every row is ``sent`` (or failed), while a thread reads the shared Redis counter of each second
   (every attempt increments it: admitted + throttled);
5. reports: messages/s end to end (first dispatch call to the last ``sent_at``) and at the provider (first to last
   arrival), the arrivals in each full second (max, p50, min; the first and last, partial, seconds are left out)
   against the limit (every second must stay <= limit x 1.05), the most arrivals in any sliding 1-second window,
   the attempts per second (how many deliveries were throttled and retried), duplicates (a phone that got two
   messages), the workers' CPU time, and how busy the machine was;
6. stops the workers and the server (always, in ``finally``), prints a table, optionally writes JSON, and drops
   the database unless ``--keep``.

All traffic goes to 127.0.0.1; every wait is bounded and ``--timeout`` bounds the whole run.
"""

import argparse
import contextlib
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import redis
from _common import (
    BenchError,
    drop_database,
    flush_redis,
    log_tail,
    migrate,
    percentile,
    recreate_database,
    stop_process_group,
)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PYTHON = sys.executable
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mc_bench_dispatch"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
ACCOUNT_SID = "AC" + "0" * 32
TOLERANCE = 1.05


# --------------------------------------------------------------------------------------------------------------------
# The stand-in provider


class StandInTwilio:
    """Answers the Messages endpoint like Twilio (201, a new message sid) and records when each request arrived."""

    def __init__(self, *, latency_seconds: float = 0.0) -> None:
        self.arrivals: list[tuple[float, str]] = []
        self.errors = 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                arrived = time.time()
                length = int(self.headers.get("Content-Length", 0))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                if not self.path.endswith(f"/Accounts/{ACCOUNT_SID}/Messages.json") or "To" not in form:
                    stand_in.errors += 1
                    self.send_error(404)
                    return
                stand_in.arrivals.append((arrived, form["To"][0]))  # list.append is atomic under the GIL
                if latency_seconds:
                    time.sleep(latency_seconds)
                payload = json.dumps(
                    {
                        "sid": "SM" + uuid.uuid4().hex,
                        "status": "queued",
                        "to": form["To"][0],
                        "from": form.get("From", [""])[0],
                        "body": form.get("Body", [""])[0],
                        "account_sid": ACCOUNT_SID,
                    }
                ).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.daemon_threads = True
        ThreadingHTTPServer.request_queue_size = 128
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="stand-in-twilio", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "StandInTwilio":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------------------------------------------------
# Measurements


def per_second_counts(times: list[float]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for moment in times:
        counts[int(moment)] = counts.get(int(moment), 0) + 1
    return counts


def sliding_window_max(times: list[float], window: float = 1.0) -> int:
    """The most events in any window of ``window`` seconds (not aligned on whole seconds)."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def arrival_summary(arrivals: list[tuple[float, str]], limit: int) -> dict:
    times = sorted(moment for moment, _to in arrivals)
    if not times:
        return {"requests": 0}
    counts = per_second_counts(times)
    first, last = int(times[0]), int(times[-1])
    # Full seconds only: the first and the last second of the run are partial.
    full = [counts.get(second, 0) for second in range(first + 1, last)]
    ordered = sorted(full)
    ceiling = limit * TOLERANCE
    span = times[-1] - times[0]
    return {
        "requests": len(times),
        "distinct_recipients": len({to for _moment, to in arrivals}),
        "provider_seconds": round(span, 2),
        "provider_messages_per_second": round((len(times) - 1) / span, 1) if span > 0 else None,
        "full_seconds": len(full),
        "per_second_max": ordered[-1] if ordered else None,
        "per_second_p50": percentile(ordered, 0.5),
        "per_second_min": ordered[0] if ordered else None,
        "per_second_mean": round(statistics.fmean(full), 1) if full else None,
        "max_any_second_incl_partial": max(counts.values()),
        "seconds_over_limit_x_1_05": sum(1 for count in counts.values() if count > ceiling),
        "sliding_1s_window_max": sliding_window_max(times),
        "series": [counts.get(second, 0) for second in range(first, last + 1)],
    }


class AttemptMeter(threading.Thread):
    """Reads the shared per-second Redis counter (every delivery attempt increments it, admitted or throttled)."""

    def __init__(self, redis_url: str, key_prefix: str) -> None:
        super().__init__(name="attempt-meter", daemon=True)
        self.client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        self.key_prefix = key_prefix
        self.attempts: dict[int, int] = {}
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.25):
            self.sample()
        self.sample()  # the last second's final count

    def sample(self) -> None:
        now = int(time.time())
        seconds = [now - 2, now - 1, now]  # a key lives 3 s
        with contextlib.suppress(redis.RedisError):
            values = self.client.mget([f"{self.key_prefix}{second}" for second in seconds])
            for second, value in zip(seconds, values, strict=True):
                if value is not None:
                    self.attempts[second] = max(self.attempts.get(second, 0), int(value))

    def stop(self) -> dict:
        self.stopping.set()
        self.join(timeout=5)
        self.client.close()
        ordered = sorted(self.attempts.values())
        return {
            "seconds_seen": len(ordered),
            "attempts_total": sum(ordered),
            "attempts_per_second_max": ordered[-1] if ordered else None,
            "attempts_per_second_p50": percentile(ordered, 0.5),
        }


def group_cpu_seconds(process_groups: set[int]) -> float:
    """CPU time (user + system) of every live process in these process groups (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="utf-8", errors="replace") as stat:
                raw = stat.read()
        except OSError:
            continue
        rest = raw[raw.rindex(")") + 2 :].split()
        if int(rest[2]) in process_groups:
            used += (int(rest[11]) + int(rest[12])) / ticks
    return used


def cpu_sample() -> tuple[int, int]:
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    return sum(fields), fields[3] + fields[4]


def busy_percent(before: tuple[int, int], after: tuple[int, int]) -> float:
    total = max(after[0] - before[0], 1)
    return round(100 * (total - (after[1] - before[1])) / total, 1)


# --------------------------------------------------------------------------------------------------------------------
# Services


def check_targets(args: argparse.Namespace) -> None:
    for url, what in ((args.database_url, "--database-url"), (args.redis_url, "--redis-url")):
        host = urlsplit(url).hostname or ""
        if host not in LOOPBACK_HOSTS:
            raise BenchError(f"{what} must point at this machine's loopback (127.0.0.1), not {host!r}")
    name = urlsplit(args.database_url).path.lstrip("/")
    if "bench" not in name:
        raise BenchError(f"Refusing to drop database {name!r}: the bench database's name must contain 'bench'")
    if urlsplit(args.redis_url).path.strip("/") in {"", "0", "15"}:
        raise BenchError("--redis-url must name a Redis database reserved for the bench, e.g. redis://127.0.0.1:6379/5")
    if not (BIN / "celery").exists():
        raise BenchError(f"{BIN / 'celery'} is missing: run from the project's virtualenv")


def service_env(args: argparse.Namespace, *, rate: int, base_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=args.database_url,
        DJANGO_DEBUG="false",
        REDIS_URL=args.redis_url,
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN="x",  # noqa: S106  (the stand-in checks nothing: not a secret)
        TWILIO_FROM_NUMBER="+15005550006",
        TWILIO_MESSAGING_SERVICE_SID="",
        TWILIO_API_BASE_URL=base_url,
        SMS_RATE_PER_SECOND=str(rate),
    )
    return env


def start_worker(index: int, *, env: dict, concurrency: int, log_path: Path) -> subprocess.Popen:
    command = [
        str(BIN / "celery"), "-A", "config", "worker", "--loglevel", "WARNING", "--concurrency", str(concurrency),
        "--hostname", f"bench-dispatch-{index}-{os.getpid()}@%h", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    with log_path.open("wb") as log_file:
        # A session of its own: the worker and its pool child form one group, stopped as one.
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_for_workers(names_expected: int, workers: list[subprocess.Popen], logs: list[Path], timeout: float) -> None:
    from config.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker, log in zip(workers, logs, strict=True):
            if worker.poll() is not None:
                raise BenchError(f"a Celery worker exited with {worker.returncode}:\n{log_tail(log)}")
        with contextlib.suppress(Exception):  # the broker may refuse while the workers start
            replies = app.control.ping(timeout=1.0)
            if len([reply for reply in replies if any(name.startswith("bench-dispatch-") for name in reply)]) >= (
                names_expected
            ):
                return
    raise BenchError(f"the Celery workers did not answer a ping within {timeout:.0f} s:\n{log_tail(logs[0])}")


# --------------------------------------------------------------------------------------------------------------------
# A phase


ROWS_SQL = """
    WITH accounts AS (
        INSERT INTO members_user (password, is_superuser, username, phone, email, is_staff, is_active, role,
                                  date_joined)
        SELECT '!', false, NULL, '+86138' || lpad(n::text, 8, '0'), '', false, true, '', now()
        FROM generate_series(1, %(rows)s) AS n
        RETURNING id
    )
    INSERT INTO notifications_notification (recipient_id, category, event, channel, subject, body, link, dedupe_key,
                                            status, send_after, attempts, last_error, provider_message_id,
                                            provider_status, created_at, sent_at, enqueued_at)
    SELECT id, 'service', 'bench.dispatch', 'sms', '会员中心', '【会员中心】您的爱车保养提醒：请按时到店保养。', '',
           'bench.dispatch:' || %(phase)s || ':' || id, 'pending', now() - interval '1 minute', 0, '', '', '', now(),
           NULL, NULL
    FROM accounts
"""


def write_rows(rows: int, phase: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM notifications_staffcalltask")
        cursor.execute("DELETE FROM notifications_notification")
        cursor.execute("DELETE FROM members_user WHERE phone LIKE '+86138%%'")
        cursor.execute(ROWS_SQL, {"rows": rows, "phase": phase})
        cursor.execute("ANALYZE notifications_notification")


def status_counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM notifications_notification GROUP BY status")
        return dict(cursor.fetchall())


def wait_until_sent(rows: int, workers: list[subprocess.Popen], logs: list[Path], *, until: float) -> dict[str, int]:
    """Poll the outbox until every row is sent or failed (or ``until``); a worker that dies stops the bench."""
    counts: dict[str, int] = {}
    started = last_report = time.monotonic()
    while time.monotonic() < until:
        counts = status_counts()
        if counts.get("sent", 0) + counts.get("failed", 0) >= rows:
            break
        if time.monotonic() - last_report > 10:
            print(f"  {counts} after {time.monotonic() - started:.0f} s", flush=True)
            last_report = time.monotonic()
        for worker, log in zip(workers, logs, strict=True):
            if worker.poll() is not None:
                raise BenchError(f"a Celery worker exited with {worker.returncode}:\n{log_tail(log)}")
        time.sleep(0.25)
    return counts


def run_phase(args: argparse.Namespace, *, rate: int, name: str, workdir: Path, deadline: float) -> dict:
    from django.conf import settings
    from django.db import connection

    from notifications.services import dispatch_due_notifications

    print(f"phase {name}: {args.rows:,} SMS rows, SMS_RATE_PER_SECOND={rate}, {args.workers} workers", flush=True)
    flush_redis(args.redis_url)
    write_rows(args.rows, name)
    stand_in = StandInTwilio(latency_seconds=args.provider_latency_ms / 1000).start()
    env = service_env(args, rate=rate, base_url=stand_in.base_url)
    workers: list[subprocess.Popen] = []
    logs = [workdir / f"{name}-worker-{index}.log" for index in range(args.workers)]
    try:
        for index, log in enumerate(logs):
            workers.append(start_worker(index, env=env, concurrency=args.concurrency, log_path=log))
        wait_for_workers(args.workers, workers, logs, timeout=min(90.0, max(deadline - time.monotonic(), 1)))
        groups = {worker.pid for worker in workers}
        key_prefix = f"{settings.CACHES['default'].get('KEY_PREFIX', 'mc')}:rate:twilio:"
        meter = AttemptMeter(args.redis_url, key_prefix)
        cpu_before = {group: group_cpu_seconds({group}) for group in groups}
        machine_before = cpu_sample()
        meter.start()
        started_wall, started = time.time(), time.perf_counter()
        dispatched, calls = 0, 0
        while True:
            queued = dispatch_due_notifications()
            calls += 1
            dispatched += queued
            if queued == 0:
                break
        dispatch_seconds = time.perf_counter() - started
        print(f"  queued {dispatched:,} tasks in {calls} dispatcher calls ({dispatch_seconds:.2f} s)", flush=True)
        budget = args.rows / max(min(rate, 10_000), 1) * 3 + 120
        counts = wait_until_sent(args.rows, workers, logs, until=min(deadline, time.monotonic() + budget))
        cpu_after = {group: group_cpu_seconds({group}) for group in groups}
        machine_after = cpu_sample()
        attempts = meter.stop()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT extract(epoch FROM min(sent_at)), extract(epoch FROM max(sent_at)), max(attempts) "
                "FROM notifications_notification WHERE status = 'sent'"
            )
            first_sent, last_sent, max_attempts = cursor.fetchone()
    finally:
        for worker in workers:
            stop_process_group(worker, f"worker {worker.pid}")
        stand_in.stop()
    sent = counts.get("sent", 0)
    end_to_end = float(last_sent) - started_wall if last_sent is not None else None
    # Per worker process group: both must have worked for the limit to be shown across workers.
    per_worker = [round(cpu_after[group] - cpu_before[group], 1) for group in sorted(groups)]
    arrivals = arrival_summary(stand_in.arrivals, rate)
    result = {
        "rate_limit": rate,
        "rows": args.rows,
        "statuses": counts,
        "sent": sent,
        "all_sent": sent == args.rows,
        "duplicates": arrivals.get("requests", 0) - arrivals.get("distinct_recipients", 0),
        "stand_in_errors": stand_in.errors,
        "dispatcher_calls": calls,
        "dispatch_seconds": round(dispatch_seconds, 2),
        "end_to_end_seconds": round(end_to_end, 2) if end_to_end else None,
        "end_to_end_messages_per_second": round(sent / end_to_end, 1) if end_to_end else None,
        "first_sent_after_seconds": round(float(first_sent) - started_wall, 2) if first_sent is not None else None,
        "max_attempts_column": max_attempts,
        "arrivals": arrivals,
        "redis_attempts": attempts,
        "worker_cpu_seconds": round(sum(per_worker), 1),
        "worker_cpu_seconds_each": per_worker,
        "machine_busy_percent": busy_percent(machine_before, machine_after),
    }
    if end_to_end:
        result["worker_cpu_ms_per_message"] = round(1000 * sum(per_worker) / max(sent, 1), 1)
    print(
        f"  {sent:,} sent in {end_to_end or 0:.1f} s -> {result['end_to_end_messages_per_second']} msg/s; per second "
        f"max {arrivals.get('per_second_max')} p50 {arrivals.get('per_second_p50')} (limit {rate})",
        flush=True,
    )
    return result


def run(args: argparse.Namespace) -> dict:
    started = time.monotonic()
    deadline = started + args.timeout
    results: dict = {
        "config": {
            "rows": args.rows,
            "workers": args.workers,
            "concurrency_per_worker": args.concurrency,
            "provider_latency_ms": args.provider_latency_ms,
            "database": urlsplit(args.database_url).path.lstrip("/"),
            "redis": args.redis_url,
        },
        "machine": {"python": platform.python_version(), "cores": os.cpu_count()},
    }
    before = cpu_sample()
    time.sleep(3)
    results["machine"]["busy_percent_before_start"] = busy_percent(before, cpu_sample())
    results["machine"]["redis"] = flush_redis(args.redis_url)
    recreate_database(args.database_url)
    try:
        env = service_env(args, rate=args.rate, base_url="http://127.0.0.1:9")
        migrate(env, root=ROOT)
        os.environ.update(env)
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        with tempfile.TemporaryDirectory(prefix="bench-dispatch-") as workdir:
            phases = [("limited", args.rate)]
            if args.unthrottled_rate:
                phases.append(("unthrottled", args.unthrottled_rate))
            for name, rate in phases:
                results[name] = run_phase(args, rate=rate, name=name, workdir=Path(workdir), deadline=deadline)
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        with contextlib.suppress(Exception):
            flush_redis(args.redis_url)
        if not args.keep:
            drop_database(args.database_url)
    return results


# --------------------------------------------------------------------------------------------------------------------
# Report


def print_table(results: dict) -> None:
    config = results["config"]
    print()
    print(
        f"SMS dispatch: {config['rows']:,} rows per phase, {config['workers']} Celery worker processes "
        f"(--concurrency {config['concurrency_per_worker']} each), stand-in Twilio on 127.0.0.1 "
        f"(latency {config['provider_latency_ms']} ms); machine busy before start "
        f"{results['machine']['busy_percent_before_start']}%"
    )
    header = f"{'':44}" + "".join(f"{name:>16}" for name in ("limited", "unthrottled") if name in results)
    print(header)
    phases = [results[name] for name in ("limited", "unthrottled") if name in results]

    def row(label: str, value) -> None:
        print(f"{label:44}" + "".join(f"{_fmt(value(phase)):>16}" for phase in phases))

    row("SMS_RATE_PER_SECOND", lambda phase: phase["rate_limit"])
    row("sent / rows", lambda phase: f"{phase['sent']}/{phase['rows']}")
    row("end to end s (first dispatch -> last sent)", lambda phase: phase["end_to_end_seconds"])
    row("end to end messages/s", lambda phase: phase["end_to_end_messages_per_second"])
    row("at the provider messages/s", lambda phase: phase["arrivals"].get("provider_messages_per_second"))
    row("arrivals per full second: max", lambda phase: phase["arrivals"].get("per_second_max"))
    row("arrivals per full second: p50", lambda phase: phase["arrivals"].get("per_second_p50"))
    row("arrivals per full second: min", lambda phase: phase["arrivals"].get("per_second_min"))
    row("seconds over limit x 1.05 (incl. partial)", lambda phase: phase["arrivals"].get("seconds_over_limit_x_1_05"))
    row("most arrivals in a sliding 1 s window", lambda phase: phase["arrivals"].get("sliding_1s_window_max"))
    row("attempts per second max (Redis counter)", lambda phase: phase["redis_attempts"]["attempts_per_second_max"])
    row("attempts per second p50", lambda phase: phase["redis_attempts"]["attempts_per_second_p50"])
    row("attempts total (admitted + throttled)", lambda phase: phase["redis_attempts"]["attempts_total"])
    row("duplicates (same phone twice)", lambda phase: phase["duplicates"])
    row("dispatcher calls / s", lambda phase: f"{phase['dispatcher_calls']} / {phase['dispatch_seconds']}")
    row(
        "worker CPU s (ms per message)",
        lambda phase: f"{phase['worker_cpu_seconds']} ({phase.get('worker_cpu_ms_per_message')})",
    )
    row("worker CPU s, each process group", lambda phase: " / ".join(map(str, phase["worker_cpu_seconds_each"])))
    row("machine busy % during the phase", lambda phase: phase["machine_busy_percent"])
    if "limited" in results:
        limited = results["limited"]
        ceiling = limited["rate_limit"] * TOLERANCE
        verdict = (
            "HOLDS" if limited["arrivals"].get("seconds_over_limit_x_1_05") == 0 and limited["all_sent"] else "BROKEN"
        )
        print(f"rate limit {limited['rate_limit']}/s (every second <= {ceiling:.1f}): {verdict}")


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000, help="pending SMS rows per phase")
    parser.add_argument("--rate", type=int, default=10, help="SMS_RATE_PER_SECOND of the limited phase")
    parser.add_argument(
        "--unthrottled-rate", type=int, default=100_000, help="SMS_RATE_PER_SECOND of the second phase (0: skip it)"
    )
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (one pool process each)")
    parser.add_argument("--concurrency", type=int, default=1, help="--concurrency of each worker")
    parser.add_argument("--provider-latency-ms", type=float, default=0.0, help="the stand-in's answer delay")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="bench database (dropped!)")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="bench Redis database (emptied!)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--timeout", type=float, default=600, help="stop the run after this many seconds")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.rate < 1 or args.workers < 1 or args.concurrency < 1:
        parser.error("--rows, --rate, --workers and --concurrency must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def on_timeout(_signum, _frame):
        raise BenchError(f"global timeout of {args.timeout:.0f} s reached")

    signal.signal(signal.SIGALRM, on_timeout)
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))  # runs the finally blocks
    try:
        check_targets(args)
        signal.alarm(int(args.timeout) + 60)  # a backstop: each wait stops at the deadline itself
        results = run(args)
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(f"results written to {args.json}")
    phases = [results[name] for name in ("limited", "unthrottled") if name in results]
    failed = any(not phase["all_sent"] or phase["duplicates"] for phase in phases) or (
        results["limited"]["arrivals"].get("seconds_over_limit_x_1_05", 0) > 0
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
