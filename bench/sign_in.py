"""Member sign-in benchmark: request-code and login throughput and latency, against a real gunicorn + Celery stack.

Run from the project root:

    .venv/bin/python bench/sign_in.py [--threads 8] [--workers 4] [--wait-for-idle 600] [--json out.json]

What it does, with no manual step:

1. checks that PostgreSQL and Redis answer on the loopback, drops and recreates the bench database
   (its name must contain "bench") and empties the bench Redis database, so every run starts from nothing;
2. migrates, starts a Celery worker and gunicorn (each in its own process group), waits for /healthz and warms up
   every layer with one code request whose SMS it waits for;
3. phase "request-code": N client threads POST /api/v1/auth/otp/ once for each of the distinct phones;
4. phase "SMS": waits until the worker has written every code to the SMS file (the file backend);
5. phase "login": N client threads POST /api/v1/auth/login/ with each phone's code; each must answer 200 with
   ``created: true`` (a real sign-up);
6. phase "ceiling": the same number of GET / (the landing page, no database query) against the same server;
7. prints a table, optionally writes JSON, and always stops gunicorn and Celery.

All traffic goes to 127.0.0.1. The whole run is bounded by --timeout.
"""

import argparse
import contextlib
import json
import os
import platform
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import requests
from _common import (
    BenchError,
    flush_redis,
    log_tail,
    migrate,
    percentile,
    recreate_database,
    stop_process_group,
    wait_for_quiet_machine,
)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
CODE_PATTERN = re.compile(r"(?<!\d)\d{6}(?!\d)")
REQUEST_TIMEOUT_SECONDS = 30
OTHER_LOAD_WARNING_PERCENT = 10


class NotSent(Exception):
    """A request the client could not send (for a login: no SMS code arrived); counted as an error."""


# --------------------------------------------------------------------------------------------------------------------
# Measurements


@dataclass
class PhaseResult:
    name: str
    count: int = 0
    errors: int = 0
    wall_seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    error_kinds: dict[str, int] = field(default_factory=dict)
    error_samples: dict[str, str] = field(default_factory=dict)
    cpu: dict | None = None

    def add_error(self, kind: str, sample: str = "") -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1
        self.error_samples.setdefault(kind, sample[:500])

    def summary(self) -> dict:
        ordered = sorted(self.latencies_ms)
        ok = self.count - self.errors
        return {
            "count": self.count,
            "ok": ok,
            "errors": self.errors,
            "error_kinds": self.error_kinds,
            "error_samples": self.error_samples,
            "wall_seconds": round(self.wall_seconds, 3),
            "throughput_per_second": round(ok / self.wall_seconds, 1) if self.wall_seconds else None,
            "latency_ms": {
                "mean": round(sum(ordered) / len(ordered), 1) if ordered else None,
                "p50": _round(percentile(ordered, 0.50)),
                "p95": _round(percentile(ordered, 0.95)),
                "p99": _round(percentile(ordered, 0.99)),
                "max": _round(ordered[-1] if ordered else None),
            },
            "cpu": self.cpu,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


class CpuMeter:
    """CPU time used between two snapshots, machine-wide and per component (from /proc, Linux only)."""

    def __init__(self, *, gunicorn_pgid: int, celery_pgid: int) -> None:
        self.gunicorn_pgid = gunicorn_pgid
        self.celery_pgid = celery_pgid
        self.ticks = os.sysconf("SC_CLK_TCK")

    COMPONENTS = ("client", "gunicorn", "celery", "postgres", "redis")

    def snapshot(self) -> dict:
        with open("/proc/stat", encoding="ascii") as stat:
            cpu_fields = [int(value) for value in stat.readline().split()[1:]]
        idle = cpu_fields[3] + cpu_fields[4]  # idle + iowait
        # Per process, keyed by (pid, start time) so that a reused pid is not mistaken for the same process.
        processes: dict[tuple[str, str], tuple[str, float]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", encoding="utf-8", errors="replace") as proc_stat:
                    raw = proc_stat.read()
            except OSError:
                continue  # the process ended meanwhile
            command = raw[raw.index("(") + 1 : raw.rindex(")")]
            rest = raw[raw.rindex(")") + 2 :].split()
            process_group, used = int(rest[2]), (int(rest[11]) + int(rest[12])) / self.ticks
            if process_group == self.gunicorn_pgid:
                component = "gunicorn"
            elif process_group == self.celery_pgid:
                component = "celery"
            elif command.startswith("postgres"):
                component = "postgres"  # every backend: another test run's connections count here too
            elif command.startswith("redis-server"):
                component = "redis"
            else:
                continue
            processes[(entry.name, rest[19])] = (component, used)
        own = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "total": sum(cpu_fields) / self.ticks,
            "idle": idle / self.ticks,
            "processes": processes,
            "client": own.ru_utime + own.ru_stime,
        }

    @classmethod
    def used_between(cls, before: dict, after: dict, wall_seconds: float, cores: int) -> dict:
        """Busy share of all cores, and each component's share of all cores, in percent of ``cores`` x wall time.

        A process that ended during the phase is not seen at the end: its CPU falls into "other".
        """
        total = after["total"] - before["total"]
        busy = total - (after["idle"] - before["idle"])
        capacity = max(wall_seconds * cores, 1e-9)
        used = dict.fromkeys(cls.COMPONENTS, 0.0)
        used["client"] = after["client"] - before["client"]
        for key, (component, cpu_after) in after["processes"].items():
            used[component] += cpu_after - before["processes"].get(key, (component, 0.0))[1]
        components = {name: round(100 * seconds / capacity, 1) for name, seconds in used.items()}
        # Whatever else ran on the machine meanwhile (another test run, the kernel, …).
        components["other"] = round(max(0.0, 100 * (busy - sum(used.values())) / capacity), 1)
        return {"machine_busy_percent": round(100 * busy / max(total, 1e-9), 1), "share_of_cores_percent": components}


# --------------------------------------------------------------------------------------------------------------------
# Services: checks, fresh state, processes


def require_loopback(url: str, what: str) -> None:
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK_HOSTS:
        raise BenchError(f"{what} must point at this machine's loopback (127.0.0.1), not {host!r}")


def wait_for_port(host: str, port: int, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError as error:
            if time.monotonic() > deadline:
                raise BenchError(f"{what} does not answer at {host}:{port} ({error}). Is it running?") from error
            time.sleep(0.2)


def check_targets(database_url: str, redis_url: str) -> None:
    """Refuse, before anything is touched, whatever the bench must not empty or must not send traffic to."""
    require_loopback(database_url, "--database-url")
    require_loopback(redis_url, "--redis-url")
    name = urlsplit(database_url).path.lstrip("/")
    if "bench" not in name:
        raise BenchError(f"Refusing to drop database {name!r}: the bench database's name must contain 'bench'")
    if urlsplit(redis_url).path.strip("/") in {"", "0", "15"}:
        # 0 is everybody's default and 15 the test suite's (config/settings/test.py): the bench empties its own.
        raise BenchError("--redis-url must name a Redis database reserved for the bench, e.g. redis://127.0.0.1:6379/3")
    for tool in ("gunicorn", "celery"):
        if not (BIN / tool).exists():
            raise BenchError(f"{BIN / tool} is missing: run from the project's virtualenv (make setup)")


def query_one(database_url: str, statement: str, params: tuple = ()) -> tuple:
    with psycopg.connect(database_url, connect_timeout=5) as connection:
        return connection.execute(statement, params).fetchone()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_process(command: list[str], *, env: dict, log_path: Path) -> subprocess.Popen:
    log_file = log_path.open("wb")
    try:
        # A session of its own: the process and all its children form one group, stopped as one.
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        log_file.close()


# --------------------------------------------------------------------------------------------------------------------
# Client side


class SmsInbox:
    """Reads the SMS file as the worker appends to it: phone (E.164) → (code, sent_at as epoch seconds)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.pending = b""
        self.codes: dict[str, tuple[str, float]] = {}

    def poll(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as sms_file:
            sms_file.seek(self.offset)
            chunk = sms_file.read()
        self.offset += len(chunk)
        data = self.pending + chunk
        *complete, self.pending = data.split(b"\n")  # the last piece may be a line still being written
        for line in complete:
            if not line.strip():
                continue
            message = json.loads(line)
            match = CODE_PATTERN.search(message["body"])
            if match is None:
                continue
            sent_at = _parse_iso_timestamp(message.get("sent_at"))
            self.codes[message["to"]] = (match.group(), sent_at)

    def wait_for(self, phones_e164: list[str], *, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            self.poll()
            if all(phone in self.codes for phone in phones_e164):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)


def _parse_iso_timestamp(value: str | None) -> float:
    from datetime import datetime

    return datetime.fromisoformat(value).timestamp() if value else float("nan")


def e164(bare_phone: str) -> str:
    return f"+86{bare_phone}"


class Client:
    """N threads, a requests.Session each, all traffic to one loopback base URL."""

    def __init__(self, base_url: str, threads: int, deadline: float) -> None:
        self.base_url = base_url
        self.threads = threads
        self.deadline = deadline
        self.local = threading.local()

    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
            self.local.session.trust_env = False  # never a proxy: straight to 127.0.0.1
        return self.local.session

    def run_phase(self, name: str, items: list, call, check) -> tuple[PhaseResult, list[tuple[float, bool]]]:
        """Send ``call(session, item)`` for every item from N threads; ``check(response)`` names an error or None.

        Returns the phase's figures and, per item, (wall-clock time the request was sent, whether it succeeded).
        """
        result = PhaseResult(name=name)
        lock = threading.Lock()
        outcomes: list[tuple[float, bool]] = [(0.0, False)] * len(items)

        def one(index: int) -> None:
            if time.monotonic() > self.deadline:
                with lock:
                    result.count += 1
                    result.add_error("global timeout")
                return
            started_wall = time.time()
            started = time.perf_counter()
            sample = ""
            try:
                response = call(self.session(), items[index])
                elapsed_ms = (time.perf_counter() - started) * 1000
                error = check(response)
                sample = response.text if error else ""
            except NotSent as exception:
                elapsed_ms, error = None, str(exception)
            except requests.RequestException as exception:
                elapsed_ms, error, sample = None, type(exception).__name__, str(exception)
            with lock:
                result.count += 1
                if elapsed_ms is not None:
                    result.latencies_ms.append(elapsed_ms)
                if error:
                    result.add_error(error, sample)
                outcomes[index] = (started_wall, not error)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix=name) as pool:
            list(pool.map(one, range(len(items))))
        result.wall_seconds = time.perf_counter() - started
        return result, outcomes


def expect_status(status: int):
    def check(response: requests.Response) -> str | None:
        return None if response.status_code == status else f"HTTP {response.status_code}"

    return check


def check_sign_up(response: requests.Response) -> str | None:
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    body = response.json()
    if not body.get("token"):
        return "no token"
    if body.get("created") is not True:
        return "not a sign-up (created != true)"
    return None


# --------------------------------------------------------------------------------------------------------------------
# The run


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--phones", type=int, default=1000, help="distinct phones, one sign-up each (max 9999)")
    parser.add_argument("--phone-prefix", default="1390000", help="7 digits; phones are PREFIX0000, PREFIX0001, …")
    parser.add_argument("--threads", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--celery-concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/mc_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3", help="a Redis database for the bench only")
    parser.add_argument("--timeout", type=float, default=900, help="global limit for the whole run, seconds")
    parser.add_argument("--sms-timeout", type=float, default=180, help="how long to wait for the last SMS, seconds")
    parser.add_argument(
        "--wait-for-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before starting, wait up to this long for the machine to be under 10%% busy (it is always measured)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--keep-logs", action="store_true", help="keep the temporary folder with the service logs")
    args = parser.parse_args(argv)
    if not (re.fullmatch(r"1\d{6}", args.phone_prefix) and 1 <= args.phones <= 9999):
        parser.error("--phone-prefix must be 7 digits starting with 1, and --phones between 1 and 9999")
    if args.threads < 1 or args.workers < 1 or args.celery_concurrency < 1:
        parser.error("--threads, --workers and --celery-concurrency must be at least 1")
    return args


def service_env(args: argparse.Namespace, sms_path: Path) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "CACHE_KEY_PREFIX": "mc-bench",
            "DJANGO_DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SMS_BACKEND": "file",
            "SMS_FILE_PATH": str(sms_path),
            # Every request comes from 127.0.0.1: lift the per-address daily cap; keep the per-phone ones.
            "OTP_PER_IP_DAILY": "1000000",
            "OTP_PER_PHONE_DAILY": "10",
            "OTP_RESEND_SECONDS": "60",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def machine_facts(database_url: str, redis_version: str) -> dict:
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        total_kib = int(meminfo.readline().split()[1])
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(total_kib / 1024 / 1024, 1),
        "postgresql": query_one(database_url, "SHOW server_version")[0],
        "redis": redis_version,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def prepare_fresh_state(args: argparse.Namespace) -> dict:
    """Check the services, recreate the bench database, empty the bench Redis database; return the machine facts."""
    check_targets(args.database_url, args.redis_url)
    database = urlsplit(args.database_url)
    redis_parts = urlsplit(args.redis_url)
    wait_for_port(database.hostname, database.port or 5432, "PostgreSQL", timeout=5)
    wait_for_port(redis_parts.hostname, redis_parts.port or 6379, "Redis", timeout=5)
    redis_version = flush_redis(args.redis_url)
    recreate_database(args.database_url)
    print(f"  fresh database {database.path.lstrip('/')}, empty Redis db {redis_parts.path.strip('/')}")
    return machine_facts(args.database_url, redis_version)


def wait_for_server(base_url: str, processes: dict[str, subprocess.Popen], workdir: Path, timeout: float) -> None:
    """Until /healthz answers 200 (database and broker up); fail at once if a service process exits."""
    probe = requests.Session()
    probe.trust_env = False
    deadline = time.monotonic() + timeout
    try:
        while True:
            for name, process in processes.items():
                if process.poll() is not None:
                    raise BenchError(f"{name} exited with {process.returncode}:\n{log_tail(workdir / f'{name}.log')}")
            with contextlib.suppress(requests.RequestException):
                if probe.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    return
            if time.monotonic() > deadline:
                log = log_tail(workdir / "gunicorn.log")
                raise BenchError(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{log}")
            time.sleep(0.2)
    finally:
        probe.close()


def warm_up(args: argparse.Namespace, base_url: str, inbox: SmsInbox, workdir: Path) -> None:
    """Load every view in every worker (with bad input: nothing is written), then send one real code request.

    Its SMS proves the Celery worker consumes the queue. Its row is deleted, so the measured run starts from zero.
    """
    probe = requests.Session()
    probe.trust_env = False
    try:
        for _attempt in range(args.workers * 4):
            probe.get(f"{base_url}/", timeout=REQUEST_TIMEOUT_SECONDS)
            probe.post(f"{base_url}/api/v1/auth/otp/", json={"phone": "1"}, timeout=REQUEST_TIMEOUT_SECONDS)
            probe.post(
                f"{base_url}/api/v1/auth/login/", json={"phone": "1", "code": "x"}, timeout=REQUEST_TIMEOUT_SECONDS
            )
        warm_phone = f"{args.phone_prefix}9999"
        response = probe.post(
            f"{base_url}/api/v1/auth/otp/", json={"phone": warm_phone}, timeout=REQUEST_TIMEOUT_SECONDS
        )
    finally:
        probe.close()
    if response.status_code != 202:
        raise BenchError(f"warm-up code request answered {response.status_code}: {response.text[:300]}")
    if not inbox.wait_for([e164(warm_phone)], timeout=60):
        raise BenchError(f"the Celery worker sent no SMS within 60 s:\n{log_tail(workdir / 'celery.log')}")
    with psycopg.connect(args.database_url, autocommit=True) as connection:
        connection.execute("DELETE FROM members_signincode WHERE phone = %s", (e164(warm_phone),))
    del inbox.codes[e164(warm_phone)]
    print("  warmed up (one code request went through the worker)")


def measure(args: argparse.Namespace, client: Client, meter: CpuMeter, inbox: SmsInbox) -> dict:
    """The three measured phases and the SMS wait between them; returns the figures."""
    cores = os.cpu_count() or 1
    base_url = client.base_url

    def measured(name, items, call, check):
        before = meter.snapshot()
        result, outcomes = client.run_phase(name, items, call, check)
        result.cpu = CpuMeter.used_between(before, meter.snapshot(), result.wall_seconds, cores)
        # CPU milliseconds each request cost each component: steadier than req/s when something else runs too.
        result.cpu["ms_per_request"] = {
            name: round(share / 100 * cores * result.wall_seconds * 1000 / max(result.count, 1), 2)
            for name, share in result.cpu["share_of_cores_percent"].items()
            if name != "other"
        }
        print(f"  {name}: {result.count} requests, {result.errors} errors, {result.wall_seconds:.2f} s")
        return result, outcomes

    phones = [f"{args.phone_prefix}{number:04d}" for number in range(args.phones)]
    print(f"== sign-in: {args.phones} phones, {args.threads} client threads")
    flow_started = time.perf_counter()
    request_code, code_outcomes = measured(
        "request-code",
        phones,
        lambda session, phone: session.post(
            f"{base_url}/api/v1/auth/otp/", json={"phone": phone}, timeout=REQUEST_TIMEOUT_SECONDS
        ),
        expect_status(202),
    )

    # The worker sends the codes asynchronously: wait for the last one before the logins start.
    sms_started = time.perf_counter()
    requested = [phone for phone, (_sent, ok) in zip(phones, code_outcomes, strict=True) if ok]
    sms_timeout = max(0.0, min(args.sms_timeout, client.deadline - time.monotonic()))
    all_arrived = inbox.wait_for([e164(phone) for phone in requested], timeout=sms_timeout)
    sms_drain_seconds = time.perf_counter() - sms_started
    delivery_ms = sorted(
        (inbox.codes[e164(phone)][1] - sent) * 1000
        for phone, (sent, ok) in zip(phones, code_outcomes, strict=True)
        if ok and e164(phone) in inbox.codes
    )
    missing_sms = len(requested) - len(delivery_ms)
    print(f"  sms: {len(delivery_ms)} delivered, {missing_sms} missing, last {sms_drain_seconds:.2f} s after")
    if not all_arrived:
        print(f"  (waited {sms_timeout:.0f} s; logins without a code count as errors)", file=sys.stderr)

    def login(session, phone):
        code = inbox.codes.get(e164(phone))
        if code is None:
            raise NotSent("no SMS code")
        return session.post(
            f"{base_url}/api/v1/auth/login/", json={"phone": phone, "code": code[0]}, timeout=REQUEST_TIMEOUT_SECONDS
        )

    login_result, _outcomes = measured("login", phones, login, check_sign_up)
    flow_seconds = time.perf_counter() - flow_started

    print(f"== ceiling: {args.phones} x GET /")
    ceiling, _outcomes = measured(
        "ceiling GET /",
        list(range(args.phones)),
        lambda session, _index: session.get(f"{base_url}/", timeout=REQUEST_TIMEOUT_SECONDS),
        expect_status(200),
    )

    signed_up = login_result.count - login_result.errors
    login_summary = login_result.summary()
    ceiling_summary = ceiling.summary()
    login_rate, ceiling_rate = login_summary["throughput_per_second"], ceiling_summary["throughput_per_second"]
    return {
        "request_code": request_code.summary(),
        "sms_delivery": {
            "delivered": len(delivery_ms),
            "missing": missing_sms,
            "drain_after_last_request_seconds": round(sms_drain_seconds, 3),
            "latency_ms_from_request_sent": {
                "p50": _round(percentile(delivery_ms, 0.50)),
                "p95": _round(percentile(delivery_ms, 0.95)),
                "p99": _round(percentile(delivery_ms, 0.99)),
                "max": _round(delivery_ms[-1] if delivery_ms else None),
            },
        },
        "login": login_summary,
        "end_to_end": {
            "sign_ups": signed_up,
            "seconds": round(flow_seconds, 3),
            "sign_ins_per_second": round(signed_up / flow_seconds, 1) if flow_seconds else None,
        },
        "ceiling_get_landing": ceiling_summary,
        "login_share_of_ceiling": round(login_rate / ceiling_rate, 3) if login_rate and ceiling_rate else None,
    }


def run(args: argparse.Namespace, background_busy_percent: float) -> dict:
    deadline = time.monotonic() + args.timeout
    started_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    print("== services")
    facts = prepare_fresh_state(args)
    facts["background_busy_percent_before_start"] = background_busy_percent
    workdir = Path(tempfile.mkdtemp(prefix="mc-bench-"))
    sms_path = workdir / "sms.jsonl"
    env = service_env(args, sms_path)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    processes: dict[str, subprocess.Popen] = {}
    succeeded = False
    try:
        migrate(env, root=ROOT)
        print("  migrated")
        celery_command = [str(BIN / "celery"), "-A", "config", "worker", "-l", "warning"]
        celery_command += ["--concurrency", str(args.celery_concurrency), "-n", f"bench-{os.getpid()}@%h"]
        processes["celery"] = start_process(celery_command, env=env, log_path=workdir / "celery.log")
        gunicorn_command = [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        gunicorn_command += ["--workers", str(args.workers), "--worker-class", "sync", "--timeout", "60"]
        processes["gunicorn"] = start_process(gunicorn_command, env=env, log_path=workdir / "gunicorn.log")
        wait_for_server(base_url, processes, workdir, timeout=60)
        print(f"  gunicorn on {base_url} ({args.workers} sync workers), celery ({args.celery_concurrency} processes)")
        inbox = SmsInbox(sms_path)
        warm_up(args, base_url, inbox, workdir)

        meter = CpuMeter(gunicorn_pgid=processes["gunicorn"].pid, celery_pgid=processes["celery"].pid)
        figures = measure(args, Client(base_url, args.threads, deadline), meter, inbox)
        members, consumed = query_one(
            args.database_url,
            "SELECT (SELECT count(*) FROM members_member),"
            " (SELECT count(*) FROM members_signincode WHERE status = 'consumed')",
        )
        results = {
            "command": " ".join([".venv/bin/python", "bench/sign_in.py", *sys.argv[1:]]),
            "started_at": started_at,
            "machine": facts,
            "config": {
                "phones": args.phones,
                "client_threads": args.threads,
                "gunicorn_workers": args.workers,
                "gunicorn_worker_class": "sync",
                "celery_concurrency": args.celery_concurrency,
                "settings": "config.settings.local, DJANGO_DEBUG=false, SMS_BACKEND=file",
            },
            **figures,
            # CPU the bench's own processes did not use, in the busiest phase: another workload competed with it.
            "other_load_max_percent": max(
                figures[phase]["cpu"]["share_of_cores_percent"]["other"]
                for phase in ("request_code", "login", "ceiling_get_landing")
            ),
            "database_after": {"members": members, "consumed_codes": consumed},
        }
        # Keep the service logs of a run with errors: they say why.
        succeeded = not any(results[phase]["errors"] for phase in ("request_code", "login", "ceiling_get_landing"))
        return results
    finally:
        signal.alarm(0)  # nothing interrupts the clean-up
        for name in ("gunicorn", "celery"):
            stop_process_group(processes.get(name), name)
        if args.keep_logs or not succeeded:
            print(f"  service logs kept in {workdir} (delete it when done)", file=sys.stderr)
        else:
            for path in workdir.iterdir():
                path.unlink()
            workdir.rmdir()


def print_table(results: dict) -> None:
    config, machine = results["config"], results["machine"]
    print()
    print(
        f"Sign-in benchmark: {config['phones']} phones, {config['client_threads']} client threads, "
        f"gunicorn {config['gunicorn_workers']} sync workers, celery x{config['celery_concurrency']}; "
        f"{machine['cores']} cores, {machine['memory_gib']} GiB, PostgreSQL {machine['postgresql']}, "
        f"Redis {machine['redis']}; background load before the start "
        f"{machine['background_busy_percent_before_start']:.0f}%"
    )
    header = (
        f"{'phase':<16}{'count':>7}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'app CPU ms':>12}  CPU busy (share of the {machine['cores']} cores)"
    )
    print(header)
    print("-" * len(header))
    for label, key in (("request-code", "request_code"), ("login", "login"), ("ceiling GET /", "ceiling_get_landing")):
        phase = results[key]
        latency = phase["latency_ms"]
        shares = phase["cpu"]["share_of_cores_percent"]
        top = ", ".join(f"{name} {value:.0f}%" for name, value in sorted(shares.items(), key=lambda kv: -kv[1])[:3])
        print(
            f"{label:<16}{phase['count']:>7}{phase['errors']:>8}{_fmt(phase['throughput_per_second']):>9}"
            f"{_fmt(latency['p50']):>9}{_fmt(latency['p95']):>9}{_fmt(latency['p99']):>9}"
            f"{_fmt(phase['cpu']['ms_per_request']['gunicorn']):>12}"
            f"  {phase['cpu']['machine_busy_percent']:.0f}% ({top})"
        )
    for label, key in (("request-code", "request_code"), ("login", "login"), ("ceiling GET /", "ceiling_get_landing")):
        for kind, count in results[key]["error_kinds"].items():
            sample = " ".join(results[key]["error_samples"].get(kind, "").split())[:200]
            print(f"  {label} errors: {count} x {kind}: {sample}")
    sms = results["sms_delivery"]
    sms_latency = sms["latency_ms_from_request_sent"]
    print(
        f"SMS delivery: {sms['delivered']} delivered, {sms['missing']} missing; request sent → SMS written "
        f"p50 {_fmt(sms_latency['p50'])} ms, p95 {_fmt(sms_latency['p95'])} ms; "
        f"queue drained {sms['drain_after_last_request_seconds']:.2f} s after the last code request"
    )
    flow = results["end_to_end"]
    print(
        f"End to end: {flow['sign_ups']} sign-ups in {flow['seconds']:.2f} s = {_fmt(flow['sign_ins_per_second'])} "
        f"sign-ins/s (request-code + SMS drain + login)"
    )
    print(
        f"Login throughput is {_fmt((results['login_share_of_ceiling'] or 0) * 100)}% of the ceiling; "
        f"database after: {results['database_after']['members']} members, "
        f"{results['database_after']['consumed_codes']} consumed codes; wall time {results['wall_seconds']:.1f} s"
    )
    if results["other_load_max_percent"] > OTHER_LOAD_WARNING_PERCENT:
        print(
            f"WARNING: other processes used up to {results['other_load_max_percent']:.0f}% of the cores during a "
            "phase: this run competed with another workload and its figures are low",
            file=sys.stderr,
        )


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def on_timeout(_signum, _frame):
        raise BenchError(f"global timeout of {args.timeout:.0f} s reached")

    def on_terminate(signum, _frame):
        raise SystemExit(128 + signum)  # runs the cleanup in run()'s finally

    signal.signal(signal.SIGALRM, on_timeout)
    signal.signal(signal.SIGTERM, on_terminate)
    try:
        check_targets(args.database_url, args.redis_url)
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    # Measured before the global timeout starts: waiting for a quiet machine is not part of the run.
    background_busy_percent = wait_for_quiet_machine(threshold=10, timeout=args.wait_for_idle)
    signal.alarm(int(args.timeout) + 30)  # a backstop: the phases themselves stop at the deadline
    started = time.perf_counter()
    try:
        results = run(args, background_busy_percent)
        results["wall_seconds"] = round(time.perf_counter() - started, 1)  # all of it: set-up, phases, shut-down
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(f"results written to {args.json}")
    failed = results["request_code"]["errors"] or results["login"]["errors"] or results["ceiling_get_landing"]["errors"]
    return 1 if failed or results["database_after"]["members"] != results["config"]["phones"] else 0


if __name__ == "__main__":
    sys.exit(main())
