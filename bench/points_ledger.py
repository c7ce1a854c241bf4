"""Points ledger benchmark: earn and redeem throughput through the services, against pgbench's TPC-B-like ceiling.

Run from the project root:

    .venv/bin/python bench/points_ledger.py [--workers 8] [--seconds 20] [--members 1000] [--json out.json]

What it does, with no manual step:

1. checks that PostgreSQL answers on the loopback, drops and recreates the bench database (its name must contain
   "bench") and the pgbench database (same rule), migrates the bench database;
2. set-up: the default earn rules, one unlimited reward (``--cost`` points), N members registered through
   ``members.services.register_member`` (phones 13900000000, 13900000001, ...; registration earns its points
   after commit, as in production) and a starting balance for each through ``earn_points`` (event ``campaign``);
3. measures the background load (``--wait-for-idle``: waits for a quiet machine first); the steps from here on
   run back to back;
4. profile (``--profile``, single process, before the load): the number of SQL queries of one earn and one redeem
   (``CaptureQueriesContext``), then that many earns and redeems in a row with every query timed, so the serial
   latency splits into time waiting for PostgreSQL and time in Python;
5. phase "services": W worker PROCESSES (multiprocessing, "spawn"; each sets Django up and opens its own database
   connection; processes, not threads, so the GIL does not serialize the Python side) start together and for
   ``--seconds`` call ``earn_points`` or ``redeem_reward`` (``--earn-share`` of earns) on a random member, back to
   back, with no think time. A refused redemption (``InsufficientPoints``) is a completed operation, counted apart;
   any other exception is an error;
6. phase "pgbench": ``pgbench -i -s SCALE`` was run on the pgbench database during step 1; now
   ``pgbench -c W -j 2 -T SECONDS -n`` with its built-in TPC-B-like script: the ceiling of a
   "update a few rows + insert one" transaction on this machine with the same client count;
7. ``check_points_ledger`` as a subprocess with the same environment (its exit code is reported) and a row count
   that must match what the workers said they did;
8. prints a table (service ops/s vs pgbench tps and the ratio, target >= 0.5), optionally writes JSON, and drops
   both databases unless ``--keep``.

Settings: config.settings.local with DJANGO_DEBUG=false and no REDIS_URL (in-process tasks); earn and redeem also
write their in-app notification row in the same transaction, as in production. On PostgreSQL the services call the
ledger's database functions (points/sql/ledger_functions.sql); ``POINTS_LEDGER_FUNCTIONS=false`` in the environment
measures their ORM code instead, for comparison. All traffic goes to 127.0.0.1 and
every step is bounded in time (``--timeout`` for the whole run).
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import queue
import random
import re
import resource
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from _common import BenchError, drop_database, percentile, recreate_database, wait_for_quiet_machine

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mc_points_bench"
PGBENCH = "/usr/bin/pgbench"
TARGET_RATIO = 0.5
OTHER_LOAD_WARNING_PERCENT = 10


# --------------------------------------------------------------------------------------------------------------------
# Measurements


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def latency_summary(latencies_ms: list[float]) -> dict:
    ordered = sorted(latencies_ms)
    return {
        "mean": _round(sum(ordered) / len(ordered), 2) if ordered else None,
        "p50": _round(percentile(ordered, 0.50), 2),
        "p95": _round(percentile(ordered, 0.95), 2),
        "p99": _round(percentile(ordered, 0.99), 2),
        "max": _round(ordered[-1] if ordered else None, 2),
    }


class PostgresSampler:
    """CPU of PostgreSQL's processes during a phase, split by whom they work for, sampled from /proc 4 times a second.

    A backend's command line names its database, so the load of other databases on the same server (another bench,
    a test run) is kept apart from this phase's; the background processes (WAL writer, checkpointer, autovacuum
    launcher, ...) serve everybody and are shown apart. A backend that exits loses at most its last 0.25 s.
    """

    INTERVAL = 0.25

    def __init__(self, database: str) -> None:
        self.database = database
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.first: dict[int, float] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="postgres-sampler", daemon=True)

    def _scan(self, *, initial: bool) -> None:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as proc_stat:
                    raw = proc_stat.read()
                if not raw[raw.index("(") + 1 : raw.rindex(")")].startswith("postgres"):
                    continue
                if pid not in self.last:
                    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                        title = cmdline.read().replace(b"\0", b" ").decode("utf-8", "replace")
                else:
                    title = self.last[pid][0]
            except OSError:
                continue  # the process ended meanwhile
            rest = raw[raw.rindex(")") + 2 :].split()
            used = (int(rest[11]) + int(rest[12])) / self.ticks
            if initial:
                self.first[pid] = used
            self.last[pid] = (title, used)

    def _loop(self) -> None:
        while not self.stopping.wait(self.INTERVAL):
            self._scan(initial=False)

    def _owner(self, title: str) -> str:
        # "postgres: 15/main: USER DATABASE HOST(PORT) STATE" for a backend, "postgres: 15/main: walwriter" else.
        words = title.split(": ", 2)[-1].split()
        if len(words) >= 3 and (words[2].endswith(")") or words[2] == "[local]"):
            return "this database" if words[1] == self.database else "other databases"
        return "background processes"

    def start(self) -> None:
        self._scan(initial=True)
        self.thread.start()

    def stop(self) -> dict:
        self.stopping.set()
        self.thread.join(timeout=5)
        self._scan(initial=False)
        seconds = {"this database": 0.0, "other databases": 0.0, "background processes": 0.0}
        for pid, (title, used) in self.last.items():
            seconds[self._owner(title)] += used - self.first.get(pid, 0.0)  # new since the start: all of it
        return {name: round(value, 2) for name, value in seconds.items()}


class CpuMeter:
    """CPU time between two snapshots, machine-wide and for PostgreSQL (from /proc, Linux only).

    PostgreSQL's share counts every ``postgres`` process plus the CPU of the backends that exited meanwhile (the
    postmaster's reaped children), so pgbench's connections, closed by the time the phase ends, are not lost.
    """

    def __init__(self) -> None:
        self.ticks = os.sysconf("SC_CLK_TCK")

    def snapshot(self) -> dict:
        with open("/proc/stat", encoding="ascii") as stat:
            cpu_fields = [int(value) for value in stat.readline().split()[1:]]
        postgres = 0.0
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", encoding="utf-8", errors="replace") as proc_stat:
                    raw = proc_stat.read()
            except OSError:
                continue  # the process ended meanwhile
            if not raw[raw.index("(") + 1 : raw.rindex(")")].startswith("postgres"):
                continue
            rest = raw[raw.rindex(")") + 2 :].split()
            postgres += sum(int(value) for value in rest[11:15]) / self.ticks  # utime stime cutime cstime
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        own = resource.getrusage(resource.RUSAGE_SELF)
        return {
            # user nice system idle iowait irq softirq steal (guest time is already in user and nice)
            "total": sum(cpu_fields[:8]) / self.ticks,
            "idle": (cpu_fields[3] + cpu_fields[4]) / self.ticks,  # idle + iowait
            "interrupts": (cpu_fields[5] + cpu_fields[6]) / self.ticks,  # loopback TCP is handled in softirq
            "steal": cpu_fields[7] / self.ticks if len(cpu_fields) > 7 else 0.0,  # taken by the hypervisor
            "postgres": postgres,
            "children": children.ru_utime + children.ru_stime,  # pgbench, once it has been waited for
            "own": own.ru_utime + own.ru_stime,
        }

    @staticmethod
    def used_between(before: dict, after: dict, *, wall_seconds: float, cores: int, clients: float) -> dict:
        """Busy share of the machine, and each part's share of all cores, in percent of ``cores`` x wall time.

        ``clients`` is the CPU seconds of the load generator (the worker processes, or pgbench)."""
        total = after["total"] - before["total"]
        busy = total - (after["idle"] - before["idle"])
        capacity = max(wall_seconds * cores, 1e-9)
        parts = {
            "clients": clients,
            "postgres": after["postgres"] - before["postgres"],
            "bench main": after["own"] - before["own"],
            "interrupts": after["interrupts"] - before["interrupts"],
            "steal": after["steal"] - before["steal"],
        }
        shares = {name: round(100 * value / capacity, 1) for name, value in parts.items()}
        # Whatever else ran on the machine meanwhile (another test run, the kernel, ...).
        shares["other"] = round(max(0.0, 100 * (busy - sum(parts.values())) / capacity), 1)
        return {"machine_busy_percent": round(100 * busy / max(total, 1e-9), 1), "share_of_cores_percent": shares}


# --------------------------------------------------------------------------------------------------------------------
# Databases


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def with_database(url: str, name: str) -> str:
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def check_targets(args: argparse.Namespace) -> None:
    """Refuse, before anything is touched, a database the bench must not drop or a server off the loopback."""
    host = urlsplit(args.database_url).hostname or ""
    if host not in LOOPBACK_HOSTS:
        raise BenchError(f"--database-url must point at this machine's loopback (127.0.0.1), not {host!r}")
    for name in (database_name(args.database_url), args.pgbench_database):
        if "bench" not in name:
            raise BenchError(f"Refusing to drop database {name!r}: a bench database's name must contain 'bench'")
    if database_name(args.database_url) == args.pgbench_database:
        raise BenchError("--pgbench-database must differ from the bench database")
    if not Path(PGBENCH).exists():
        raise BenchError(f"{PGBENCH} is missing (apt-get install postgresql-client)")


def query(url: str, statement: str, *, autocommit: bool = False) -> list[tuple]:
    with psycopg.connect(url, connect_timeout=5, autocommit=autocommit) as connection:
        cursor = connection.execute(statement)
        return cursor.fetchall() if cursor.description else []


def server_facts(url: str) -> dict:
    rows = query(
        url,
        "SELECT current_setting('server_version'), current_setting('shared_buffers'),"
        " current_setting('synchronous_commit'), current_setting('fsync'), current_setting('max_connections')",
    )
    version, shared_buffers, synchronous_commit, fsync, max_connections = rows[0]
    return {
        "postgresql": version.split()[0],
        "shared_buffers": shared_buffers,
        "synchronous_commit": synchronous_commit,
        "fsync": fsync,
        "max_connections": int(max_connections),
    }


def django_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", DATABASE_URL=database_url, DJANGO_DEBUG="false")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return env


def run_command(command: list[str], *, env: dict | None, timeout: float, what: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"{what} did not finish within {timeout:.0f} s") from error


def setup_django(database_url: str) -> None:
    """In this process: the same environment as the subprocesses, then django.setup()."""
    os.environ.update({k: v for k, v in django_env(database_url).items() if k != "PYTHONPATH"})
    os.environ.pop("REDIS_URL", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --------------------------------------------------------------------------------------------------------------------
# Set-up and the single-process profile (in the main process, Django set up)


def phone_for(index: int) -> str:
    return f"139{index:08d}"


def prepare_ledger(args: argparse.Namespace) -> dict:
    """Rules, one reward, N members with a starting balance. Returns the ids the workers need."""
    from members.services import register_member
    from points.defaults import ensure_default_earn_rules
    from points.enums import EarnEvent, RewardKind
    from points.models import EarnRule, Reward
    from points.services import earn_points

    ensure_default_earn_rules()
    campaign = EarnRule.objects.get(event=EarnEvent.CAMPAIGN)
    if not campaign.is_active or campaign.daily_cap is not None or campaign.monthly_cap is not None:
        raise BenchError("the 'campaign' earn rule must be on and uncapped for the bench")
    reward = Reward.objects.create(
        name="Bench coupon", kind=RewardKind.SERVICE_COUPON, cost_points=args.cost, stock=None, is_active=True
    )
    member_ids = []
    for index in range(args.members):
        member = register_member(phone=phone_for(index))
        earn_points(
            member_id=member.pk, event=EarnEvent.CAMPAIGN, idempotency_key=f"bench:start:{member.pk}",
            points=args.start_balance, reason="bench starting balance",
        )  # fmt: skip
        member_ids.append(member.pk)
    return {"member_ids": member_ids, "reward_id": reward.pk}


def profile_operations(args: argparse.Namespace, member_ids: list[int], reward_id: int) -> dict:
    """Queries of one earn and one redeem, then ``--profile`` of each in a row with every query timed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from points.enums import EarnEvent
    from points.services import earn_points, redeem_reward

    rng = random.Random(args.seed)

    def earn(member_id: int, key: str) -> None:
        earn_points(member_id=member_id, event=EarnEvent.CAMPAIGN, idempotency_key=key, points=args.points)

    def redeem(member_id: int, key: str) -> None:
        redeem_reward(member_id=member_id, reward_id=reward_id, idempotency_key=key)

    queries = {}
    for kind, operation in (("earn", earn), ("redeem", redeem)):
        with CaptureQueriesContext(connection) as captured:
            operation(rng.choice(member_ids), f"bench:profile:capture:{kind}")
        queries[kind] = [_shorten_sql(item["sql"]) for item in captured.captured_queries]

    database_seconds = 0.0

    def timed(execute, statement, params, many, context):
        nonlocal database_seconds
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            database_seconds += time.perf_counter() - started

    # COMMIT does not go through cursor.execute: time it too (it waits for the WAL flush).
    commit = connection._commit

    def timed_commit():
        nonlocal database_seconds
        started = time.perf_counter()
        try:
            return commit()
        finally:
            database_seconds += time.perf_counter() - started

    timing = {}
    connection._commit = timed_commit
    try:
        for kind, operation in (("earn", earn), ("redeem", redeem)):
            database_seconds = 0.0
            latencies = []
            started = time.perf_counter()
            with connection.execute_wrapper(timed):
                for index in range(args.profile):
                    begun = time.perf_counter()
                    operation(rng.choice(member_ids), f"bench:profile:{kind}:{index}")
                    latencies.append((time.perf_counter() - begun) * 1000)
            wall = time.perf_counter() - started
            timing[kind] = {
                "operations": args.profile,
                "statements_per_operation": len(queries[kind]),
                "data_statements_per_operation": sum(not _is_transaction_control(q) for q in queries[kind]),
                "ops_per_second_one_process": _round(args.profile / wall) if wall else None,
                "latency_ms": latency_summary(latencies),
                # Time in cursor.execute and COMMIT (round trip + PostgreSQL's work) vs the rest (ORM, Python).
                "database_ms_per_operation": _round(1000 * database_seconds / max(args.profile, 1), 3),
                "python_ms_per_operation": _round(1000 * (wall - database_seconds) / max(args.profile, 1), 3),
            }
    finally:
        del connection._commit  # back to the class's method
    return {"queries": queries, "timing": timing}


def _is_transaction_control(statement: str) -> bool:
    return statement.split(" ", 1)[0] in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


def _shorten_sql(statement: str) -> str:
    statement = " ".join(statement.split())
    statement = re.sub(r'SELECT (?:"\w+"\."\w+", )+', "SELECT ..., ", statement)
    return statement[:220]


# --------------------------------------------------------------------------------------------------------------------
# Worker processes (spawned: each imports this module anew and sets Django up itself)


def worker_main(
    worker_index: int, config: dict, ready: "multiprocessing.synchronize.Barrier", results: "multiprocessing.Queue"
) -> None:
    outcome = {"worker": worker_index, "pid": os.getpid(), "fatal": None}
    try:
        setup_django(config["database_url"])
        from django.db import connection

        from points.enums import EarnEvent
        from points.exceptions import InsufficientPoints
        from points.services import earn_points, redeem_reward

        rng = random.Random(config["seed"] * 1000 + worker_index)
        member_ids, reward_id, points = config["member_ids"], config["reward_id"], config["points"]
        tag = f"bench:run:{worker_index}:{os.getpid()}"

        def earn(member_id: int, key: str) -> None:
            earn_points(member_id=member_id, event=EarnEvent.CAMPAIGN, idempotency_key=key, points=points)

        def redeem(member_id: int, key: str) -> None:
            redeem_reward(member_id=member_id, reward_id=reward_id, idempotency_key=key)

        # Warm up: connection, imports, translations, query compilation. These operations count nowhere.
        connection.ensure_connection()
        for index in range(config["warmup"]):
            earn(rng.choice(member_ids), f"bench:warmup:{worker_index}:{os.getpid()}:{index}")
            with contextlib.suppress(InsufficientPoints):
                redeem(rng.choice(member_ids), f"bench:warmup:{worker_index}:{os.getpid()}:{index}")

        ready.wait(timeout=config["start_timeout"])
        operations = {"earn": earn, "redeem": redeem}
        outcome.update(measure_loop(config, rng, tag, operations, refused=InsufficientPoints, connection=connection))
        connection.close()
    except Exception:  # noqa: BLE001 - reported to the main process, which fails the run
        outcome["fatal"] = traceback.format_exc()[-3000:]
        with contextlib.suppress(Exception):
            ready.abort()  # nobody waits for a worker that will not come
    results.put(outcome)


def measure_loop(config: dict, rng: random.Random, tag: str, operations: dict, *, refused: type, connection) -> dict:
    """Back-to-back operations until the deadline; a refusal completes, any other exception is an error."""
    counts = {"earn": 0, "redeem": 0, "refused": 0, "errors": 0}
    latencies = {"earn": [], "redeem": []}
    error_kinds: dict[str, int] = {}
    error_samples: dict[str, str] = {}
    member_ids = config["member_ids"]
    cpu_before = os.times()
    started_at = time.time()
    deadline = time.monotonic() + config["seconds"]
    sequence = 0
    while time.monotonic() < deadline:
        sequence += 1
        kind = "earn" if rng.random() < config["earn_share"] else "redeem"
        member_id = rng.choice(member_ids)
        begun = time.perf_counter()
        try:
            operations[kind](member_id, f"{tag}:{sequence}")
        except refused:
            kind = "refused"
        except Exception as error:  # noqa: BLE001 - every failure is counted and sampled, the load goes on
            name = f"{kind}: {type(error).__name__}"
            counts["errors"] += 1
            error_kinds[name] = error_kinds.get(name, 0) + 1
            error_samples.setdefault(name, str(error)[:300])
            connection.close_if_unusable_or_obsolete()
            continue
        elapsed_ms = (time.perf_counter() - begun) * 1000
        counts[kind] += 1
        latencies["redeem" if kind == "refused" else kind].append(elapsed_ms)
    ended_at = time.time()
    cpu_after = os.times()
    return {
        "counts": counts,
        "latencies": latencies,
        "error_kinds": error_kinds,
        "error_samples": error_samples,
        "started_at": started_at,
        "ended_at": ended_at,
        "cpu_seconds": (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system),
    }


def run_services_phase(args: argparse.Namespace, member_ids: list[int], reward_id: int, meter: CpuMeter) -> dict:
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(args.workers + 1)
    results = context.Queue()
    config = {
        "database_url": args.database_url,
        "member_ids": member_ids,
        "reward_id": reward_id,
        "points": args.points,
        "earn_share": args.earn_share,
        "seconds": args.seconds,
        "seed": args.seed,
        "warmup": args.warmup,
        "start_timeout": 120,
    }
    processes = [
        context.Process(target=worker_main, args=(index, config, ready, results), name=f"bench-worker-{index}")
        for index in range(args.workers)
    ]
    for process in processes:
        process.start()
    outcomes = []
    try:
        try:
            ready.wait(timeout=config["start_timeout"])
        except threading.BrokenBarrierError:
            # A worker failed during its set-up (it broke the barrier): its report says why.
            with contextlib.suppress(queue.Empty):
                outcomes.append(results.get(timeout=10))
            fatal = outcomes[0]["fatal"] if outcomes else "no report within the start timeout"
            raise BenchError(f"a worker did not start:\n{fatal}") from None
        before = meter.snapshot()
        sampler = PostgresSampler(database_name(args.database_url))
        sampler.start()
        wall_started = time.perf_counter()
        for _process in processes:
            outcomes.append(results.get(timeout=args.seconds + 120))
        wall = time.perf_counter() - wall_started
        postgres_seconds = sampler.stop()
        after = meter.snapshot()
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
    fatal = [outcome for outcome in outcomes if outcome["fatal"]]
    if fatal:
        raise BenchError(f"worker {fatal[0]['worker']} failed:\n{fatal[0]['fatal']}")

    window = max(o["ended_at"] for o in outcomes) - min(o["started_at"] for o in outcomes)
    counts = {key: sum(o["counts"][key] for o in outcomes) for key in ("earn", "redeem", "refused", "errors")}
    earn_latency = [value for o in outcomes for value in o["latencies"]["earn"]]
    redeem_latency = [value for o in outcomes for value in o["latencies"]["redeem"]]  # refusals included
    error_kinds: dict[str, int] = {}
    error_samples: dict[str, str] = {}
    for outcome in outcomes:
        for name, count in outcome["error_kinds"].items():
            error_kinds[name] = error_kinds.get(name, 0) + count
            error_samples.setdefault(name, outcome["error_samples"][name])
    completed = counts["earn"] + counts["redeem"] + counts["refused"]
    client_seconds = sum(o["cpu_seconds"] for o in outcomes)
    return {
        "workers": args.workers,
        "worker_kind": "processes (multiprocessing, spawn), one database connection each",
        "window_seconds": round(window, 3),
        "completed": completed,
        "earn": counts["earn"],
        "redeem": counts["redeem"],
        "redeem_refused_insufficient_points": counts["refused"],
        "errors": counts["errors"],
        "error_kinds": error_kinds,
        "error_samples": error_samples,
        "ops_per_second": {
            "total": round(completed / window, 1),
            "earn": round(counts["earn"] / window, 1),
            "redeem": round((counts["redeem"] + counts["refused"]) / window, 1),
            "redeem_successful": round(counts["redeem"] / window, 1),
        },
        "latency_ms": {
            "all": latency_summary(earn_latency + redeem_latency),
            "earn": latency_summary(earn_latency),
            "redeem": latency_summary(redeem_latency),
        },
        "cpu": CpuMeter.used_between(
            before, after, wall_seconds=wall, cores=os.cpu_count() or 1, clients=client_seconds
        ),
        "cpu_ms_per_operation": cpu_per_operation(client_seconds, postgres_seconds, completed),
    }


# --------------------------------------------------------------------------------------------------------------------
# After the load: ledger check, row counts, pgbench


def check_ledger(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    result = run_command(
        [PYTHON, "manage.py", "check_points_ledger"], env=django_env(args.database_url), timeout=300,
        what="check_points_ledger",
    )  # fmt: skip
    output = (result.stdout + result.stderr).strip()
    return {
        "exit_code": result.returncode,
        "clean": result.returncode == 0,
        "seconds": round(time.perf_counter() - started, 2),
        "output": output[-2000:],
    }


def count_rows(database_url: str) -> dict:
    rows = query(
        database_url,
        "SELECT"
        " (SELECT count(*) FROM points_pointsentry WHERE kind = 'earn' AND idempotency_key LIKE 'bench:run:%'),"
        " (SELECT count(*) FROM points_pointsentry WHERE kind = 'redeem'"
        "  AND idempotency_key LIKE 'redeem:%:bench:run:%'),"
        " (SELECT count(*) FROM points_pointsentry), (SELECT count(*) FROM points_coupon),"
        " (SELECT count(*) FROM notifications_notification),"
        " (SELECT count(*) FROM points_pointslot WHERE remaining > 0)",
    )
    earns, redeems, entries, coupons, notifications, open_lots = rows[0]
    return {
        "worker_earn_entries": earns,
        "worker_redeem_entries": redeems,
        "entries": entries,
        "coupons": coupons,
        "notifications": notifications,
        "lots_with_points_left": open_lots,
    }


def pgbench_command(args: argparse.Namespace, *extra: str) -> list[str]:
    parts = urlsplit(args.database_url)
    return [
        PGBENCH, "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres",
        *extra, args.pgbench_database,
    ]  # fmt: skip


def pgbench_env(args: argparse.Namespace) -> dict:
    env = dict(os.environ)
    password = urlsplit(args.database_url).password
    if password:
        env["PGPASSWORD"] = password
    return env


def pgbench_init(args: argparse.Namespace) -> None:
    recreate_database(with_database(args.database_url, args.pgbench_database))
    result = run_command(
        pgbench_command(args, "-i", "-q", "-s", str(args.pgbench_scale)), env=pgbench_env(args), timeout=600,
        what="pgbench -i",
    )  # fmt: skip
    if result.returncode != 0:
        raise BenchError(f"pgbench -i failed:\n{result.stderr[-2000:]}")


def run_pgbench_phase(args: argparse.Namespace, meter: CpuMeter) -> dict:
    command = pgbench_command(
        args, "-c", str(args.workers), "-j", str(args.pgbench_threads), "-T", str(int(args.seconds)), "-n"
    )
    before = meter.snapshot()
    sampler = PostgresSampler(args.pgbench_database)
    sampler.start()
    started = time.perf_counter()
    result = run_command(command, env=pgbench_env(args), timeout=args.seconds + 120, what="pgbench")
    wall = time.perf_counter() - started
    postgres_seconds = sampler.stop()
    after = meter.snapshot()
    if result.returncode != 0:
        raise BenchError(f"pgbench failed ({result.returncode}):\n{result.stderr[-2000:]}")
    output = result.stdout

    def number(pattern: str) -> float | None:
        found = re.search(pattern, output)
        return float(found.group(1)) if found else None

    tps = number(r"tps = ([\d.]+) \(without initial connection time\)") or number(r"tps = ([\d.]+)")
    if tps is None:
        raise BenchError(f"no 'tps = ...' line in pgbench's output:\n{output[-2000:]}")
    return {
        "command": " ".join(command),
        "script": "built-in tpcb-like",
        "scale": args.pgbench_scale,
        "clients": args.workers,
        "threads": args.pgbench_threads,
        "tps": round(tps, 1),
        "transactions": int(number(r"number of transactions actually processed: (\d+)") or 0),
        "failed": int(number(r"number of failed transactions: (\d+)") or 0),
        "latency_average_ms": number(r"latency average = ([\d.]+) ms"),
        "cpu": CpuMeter.used_between(
            before, after, wall_seconds=wall, cores=os.cpu_count() or 1, clients=after["children"] - before["children"]
        ),
        "cpu_ms_per_operation": cpu_per_operation(
            after["children"] - before["children"], postgres_seconds, int(number(r"actually processed: (\d+)") or 0)
        ),
        "output_tail": "\n".join(output.strip().splitlines()[-12:]),
    }


def cpu_per_operation(client_seconds: float, postgres_seconds: dict, operations: int) -> dict:
    """CPU milliseconds one operation (one pgbench transaction) costs: a noisy machine lowers the rates, much less
    these. N cores give at most N x 1000 / (client + backend + background) operations per second."""
    per = 1000 / max(operations, 1)
    figures = {
        "client": round(client_seconds * per, 3),
        "postgres_backend": round(postgres_seconds["this database"] * per, 3),
        # Shared with whatever else writes to the server at the same time: an upper bound for this phase.
        "postgres_background": round(postgres_seconds["background processes"] * per, 3),
    }
    figures["total"] = round(sum(figures.values()), 3)
    figures["postgres_other_databases_seconds"] = postgres_seconds["other databases"]
    return figures


def checkpoint(url: str) -> None:
    """Start each phase with no dirty buffers left from the previous one."""
    query(url, "CHECKPOINT", autocommit=True)


# --------------------------------------------------------------------------------------------------------------------
# The run


def run(args: argparse.Namespace) -> dict:
    started_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    meter = CpuMeter()
    bench_db = database_name(args.database_url)
    print("== databases")
    facts = server_facts(with_database(args.database_url, "postgres"))
    facts.update(
        cores=os.cpu_count(),
        memory_gib=round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        python=platform.python_version(),
    )
    recreate_database(args.database_url)
    result = run_command(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env=django_env(args.database_url), timeout=300,
        what="migrate",
    )  # fmt: skip
    if result.returncode != 0:
        raise BenchError(f"migrate failed:\n{result.stderr[-3000:]}")
    pgbench_init(args)
    print(f"  {bench_db} migrated; {args.pgbench_database} initialised (pgbench -i -s {args.pgbench_scale})")

    print(f"== set-up: {args.members} members, {args.start_balance} points each")
    setup_django(args.database_url)
    from django.db import connections

    setup_started = time.perf_counter()
    ids = prepare_ledger(args)
    setup_seconds = time.perf_counter() - setup_started
    print(f"  done in {setup_seconds:.1f} s")
    from points import database_ledger

    ledger_code = "PostgreSQL functions" if database_ledger.in_use() else "ORM (POINTS_LEDGER_FUNCTIONS=false)"
    print(f"  earn and redeem run as: {ledger_code}")
    connections.close_all()
    query(args.database_url, "VACUUM ANALYZE", autocommit=True)  # pgbench -i leaves its tables vacuumed too

    # The measured steps run back to back from here, after a check (and with --wait-for-idle a wait) that the
    # machine is quiet: the set-up before is long, and another workload would lower every figure after.
    print("== background load")
    facts["background_busy_percent_before_start"] = wait_for_quiet_machine(threshold=10, timeout=args.wait_for_idle)
    print(f"  machine {facts['background_busy_percent_before_start']:.0f}% busy before the measured steps")
    profile = None
    if args.profile:
        print(f"== profile: {args.profile} earns then {args.profile} redeems in one process")
        profile = profile_operations(args, ids["member_ids"], ids["reward_id"])
        for kind, figures in profile["timing"].items():
            print(
                f"  {kind}: {figures['statements_per_operation']} statements "
                f"({figures['data_statements_per_operation']} besides transaction control), "
                f"{figures['ops_per_second_one_process']} ops/s, "
                f"{figures['database_ms_per_operation']} ms in the database + "
                f"{figures['python_ms_per_operation']} ms in Python per operation"
            )
        connections.close_all()

    print(f"== services: {args.workers} worker processes x {args.seconds:.0f} s, earn share {args.earn_share:.0%}")
    checkpoint(args.database_url)
    services = run_services_phase(args, ids["member_ids"], ids["reward_id"], meter)
    print(
        f"  {services['completed']} operations, {services['ops_per_second']['total']} ops/s, "
        f"{services['errors']} errors"
    )
    print(f"== pgbench: -c {args.workers} -j {args.pgbench_threads} -T {int(args.seconds)} (tpcb-like)")
    checkpoint(with_database(args.database_url, args.pgbench_database))
    pgbench = run_pgbench_phase(args, meter)
    print(f"  {pgbench['tps']} tps")

    print("== check_points_ledger")
    ledger = check_ledger(args)
    rows = count_rows(args.database_url)
    print(f"  exit code {ledger['exit_code']}: {ledger['output'].splitlines()[-1] if ledger['output'] else ''}")

    ratio = services["ops_per_second"]["total"] / pgbench["tps"] if pgbench["tps"] else None
    # Every operation a worker counted must be in the ledger once (and only those).
    rows_match = rows["worker_earn_entries"] == services["earn"] and rows["worker_redeem_entries"] == services["redeem"]
    return {
        "command": " ".join([".venv/bin/python", "bench/points_ledger.py", *sys.argv[1:]]),
        "started_at": started_at,
        "machine": facts,
        "config": {
            "workers": args.workers,
            "seconds": args.seconds,
            "members": args.members,
            "earn_share": args.earn_share,
            "earn_points": args.points,
            "reward_cost_points": args.cost,
            "start_balance": args.start_balance,
            "warmup_operations_per_worker": args.warmup,
            "pgbench_scale": args.pgbench_scale,
            "settings": "config.settings.local, DJANGO_DEBUG=false, no REDIS_URL (in-process tasks)",
            "ledger_code": ledger_code,
        },
        "setup_seconds": round(setup_seconds, 1),
        "profile": profile,
        "services": services,
        "ledger_check": ledger,
        "rows_after": rows,
        "rows_match_reported_operations": rows_match,
        "pgbench": pgbench,
        "ratio_services_to_pgbench": _round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "target_met": ratio is not None and ratio >= TARGET_RATIO,
    }


def print_table(results: dict) -> None:
    machine, config, services, pgbench = results["machine"], results["config"], results["services"], results["pgbench"]
    print()
    print(
        f"Points ledger benchmark: {config['workers']} worker processes x {config['seconds']:.0f} s, "
        f"{config['members']} members, {config['earn_share']:.0%} earn / {1 - config['earn_share']:.0%} redeem "
        f"({config['ledger_code']}); "
        f"{machine['cores']} cores, {machine['memory_gib']} GiB, PostgreSQL {machine['postgresql']} "
        f"(synchronous_commit={machine['synchronous_commit']}); background load before the start "
        f"{machine['background_busy_percent_before_start']:.0f}%"
    )
    header = f"{'':<22}{'count':>8}{'ops/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    print(header)
    print("-" * len(header))
    rows = (
        ("earn", services["earn"], services["ops_per_second"]["earn"], services["latency_ms"]["earn"]),
        (
            "redeem (incl. refused)",
            services["redeem"] + services["redeem_refused_insufficient_points"],
            services["ops_per_second"]["redeem"],
            services["latency_ms"]["redeem"],
        ),
        ("services total", services["completed"], services["ops_per_second"]["total"], services["latency_ms"]["all"]),
    )
    for label, count, rate, latency in rows:
        print(
            f"{label:<22}{count:>8}{rate:>9.1f}{_fmt(latency['p50']):>9}{_fmt(latency['p95']):>9}"
            f"{_fmt(latency['p99']):>9}"
        )
    print(
        f"{'pgbench tpcb-like':<22}{pgbench['transactions']:>8}{pgbench['tps']:>9.1f}"
        f"{_fmt(pgbench['latency_average_ms']):>9}  (latency average)"
    )
    print("-" * len(header))
    ratio = results["ratio_services_to_pgbench"]
    print(
        f"ratio services / pgbench = {_fmt(ratio, 3)}  (target >= {results['target_ratio']}): "
        f"{'MET' if results['target_met'] else 'NOT MET'}"
    )
    print(
        f"refused redemptions (InsufficientPoints): {services['redeem_refused_insufficient_points']}; "
        f"errors: {services['errors']}; pgbench failed transactions: {pgbench['failed']}"
    )
    for kind, count in services["error_kinds"].items():
        print(f"  errors: {count} x {kind}: {services['error_samples'].get(kind, '')[:200]}")
    ledger = results["ledger_check"]
    print(
        f"check_points_ledger: exit code {ledger['exit_code']} ({'clean' if ledger['clean'] else 'NOT CLEAN'}); "
        f"ledger rows match the reported operations: {'yes' if results['rows_match_reported_operations'] else 'NO'}"
    )
    for label, phase in (("services", services), ("pgbench", pgbench)):
        shares = phase["cpu"]["share_of_cores_percent"]
        parts = ", ".join(f"{name} {value:.0f}%" for name, value in shares.items())
        print(f"CPU during {label}: machine {phase['cpu']['machine_busy_percent']:.0f}% busy ({parts} of all cores)")
    for label, phase in (("service operation", services), ("pgbench transaction", pgbench)):
        per = phase["cpu_ms_per_operation"]
        ceiling = 1000 * machine["cores"] / per["total"] if per["total"] else 0
        print(
            f"CPU per {label}: {per['client']:.2f} ms client + {per['postgres_backend']:.2f} ms PostgreSQL backend + "
            f"{per['postgres_background']:.2f} ms PostgreSQL background = {per['total']:.2f} ms "
            f"({machine['cores']} cores: at most {ceiling:.0f}/s; other databases used "
            f"{per['postgres_other_databases_seconds']:.1f} CPU s meanwhile)"
        )
    if results["profile"]:
        for kind, figures in results["profile"]["timing"].items():
            print(
                f"one process, in a row: {kind} {figures['statements_per_operation']} statements "
                f"({figures['data_statements_per_operation']} besides BEGIN/SAVEPOINT/RELEASE/COMMIT), "
                f"{_fmt(figures['ops_per_second_one_process'])} ops/s, {figures['database_ms_per_operation']} ms "
                f"waiting for the database + {figures['python_ms_per_operation']} ms in Python per operation"
            )
    for label, phase in (("services", services), ("pgbench", pgbench)):
        if phase["cpu"]["share_of_cores_percent"]["other"] > OTHER_LOAD_WARNING_PERCENT:
            print(
                f"WARNING: other processes used {phase['cpu']['share_of_cores_percent']['other']:.0f}% of the cores "
                f"during {label}: this run competed with another workload",
                file=sys.stderr,
            )


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=8, help="worker processes, and pgbench clients (8)")
    parser.add_argument("--seconds", type=float, default=20, help="length of each measured phase (20)")
    parser.add_argument("--members", type=int, default=1000, help="members to spread the load over (1000)")
    parser.add_argument("--earn-share", type=float, default=0.5, help="share of earns in the mix (0.5)")
    parser.add_argument("--points", type=int, default=10, help="points per earn (10)")
    parser.add_argument("--cost", type=int, default=10, help="cost of the reward in points (10)")
    parser.add_argument("--start-balance", type=int, default=1000, help="points each member gets at set-up (1000)")
    parser.add_argument("--warmup", type=int, default=5, help="uncounted earns and redeems per worker first (5)")
    parser.add_argument("--profile", type=int, default=200, help="single-process earns and redeems to time (200)")
    parser.add_argument("--pgbench-scale", type=int, default=None, help="pgbench -s (max(10, workers))")
    parser.add_argument("--pgbench-threads", type=int, default=2, help="pgbench -j (2)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"bench database ({DEFAULT_DATABASE_URL})")
    parser.add_argument("--pgbench-database", default="mc_pgbench", help="pgbench's database (mc_pgbench)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--keep", action="store_true", help="keep both databases afterwards")
    parser.add_argument(
        "--wait-for-idle", type=float, default=0, help="before the measured steps, wait up to this many s for quiet (0)"
    )
    parser.add_argument("--timeout", type=float, default=900, help="stop the whole run after this many s (900)")
    args = parser.parse_args(argv)
    if args.pgbench_scale is None:
        args.pgbench_scale = max(10, args.workers)
    if not 0 <= args.earn_share <= 1:
        parser.error("--earn-share must be between 0 and 1")
    if args.workers < 1 or args.members < 1 or args.seconds <= 0:
        parser.error("--workers, --members and --seconds must be positive")
    if args.start_balance < 1 or args.points < 1 or args.cost < 1:
        parser.error("--start-balance, --points and --cost must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def on_timeout(_signum, _frame):
        raise BenchError(f"global timeout of {args.timeout:.0f} s reached")

    def on_terminate(signum, _frame):
        raise SystemExit(128 + signum)  # runs the clean-up below

    signal.signal(signal.SIGALRM, on_timeout)
    signal.signal(signal.SIGTERM, on_terminate)
    try:
        check_targets(args)
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    signal.alarm(int(args.timeout + args.wait_for_idle))  # waiting for a quiet machine is not part of the run
    started = time.perf_counter()
    try:
        results = run(args)
        results["wall_seconds"] = round(time.perf_counter() - started, 1)
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)  # nothing interrupts the clean-up
        if args.keep:
            print(f"  kept databases {database_name(args.database_url)} and {args.pgbench_database}")
        else:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            for name in (database_name(args.database_url), args.pgbench_database):
                try:
                    drop_database(with_database(args.database_url, name))
                except BenchError as error:
                    print(f"  could not drop {name}: {error}", file=sys.stderr)
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(f"results written to {args.json}")
    clean = results["ledger_check"]["clean"] and results["rows_match_reported_operations"]
    return 0 if clean and not results["services"]["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
