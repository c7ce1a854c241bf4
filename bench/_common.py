"""What the benchmark scripts share: percentiles, the machine's background load, and stopping what they started.

Imported as ``_common`` (the scripts run as ``python bench/<name>.py``, so this folder is first on ``sys.path``,
also in the worker processes that ``multiprocessing`` spawns)."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis
from psycopg import sql


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks (the same rule as numpy's default)."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (position - lower)


def machine_busy_percent(seconds: float) -> float:
    """How busy all cores are over ``seconds``, from /proc/stat: the background load before the bench starts."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as stat:
            cpu_fields = [int(value) for value in stat.readline().split()[1:]]
        # user nice system idle iowait irq softirq steal; guest time is already in user and nice.
        return sum(cpu_fields[:8]), cpu_fields[3] + cpu_fields[4]

    total_before, idle_before = sample()
    time.sleep(seconds)
    total_after, idle_after = sample()
    total = max(total_after - total_before, 1)
    return round(100 * (total - (idle_after - idle_before)) / total, 1)


def wait_for_quiet_machine(*, threshold: float, timeout: float) -> float:
    """Sample the background load over 6 s; with a timeout, wait up to that long for it to stay under ``threshold``."""
    deadline = time.monotonic() + timeout
    while True:
        busy = max(machine_busy_percent(2.0) for _sample in range(3))
        if busy <= threshold or time.monotonic() >= deadline:
            break
        print(f"  machine {busy:.0f}% busy before the start; waiting for it to settle")
    if busy > threshold:
        print(f"  WARNING: the machine was {busy:.0f}% busy before the start: figures will be low", file=sys.stderr)
    return busy


def stop_process_group(process: subprocess.Popen | None, name: str) -> None:
    """SIGTERM, then SIGKILL, to a process started with ``start_new_session=True`` and all its children."""
    if process is None:
        return
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            print(f"  {name} did not stop on {sig.name}", file=sys.stderr)
    # The leader may be gone while children linger: make sure none is left.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class BenchError(Exception):
    """The bench cannot run or a step failed; the message says why."""


def _maintenance_url(database_url: str) -> str:
    return urlsplit(database_url)._replace(path="/postgres").geturl()


def recreate_database(database_url: str) -> None:
    """Drop and create the database of ``database_url`` (the caller has vetted its name: it must contain "bench")."""
    name = urlsplit(database_url).path.lstrip("/")
    try:
        with psycopg.connect(_maintenance_url(database_url), autocommit=True, connect_timeout=5) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        raise BenchError(f"PostgreSQL refused the connection at {_maintenance_url(database_url)}: {error}") from error


def drop_database(database_url: str) -> None:
    name = urlsplit(database_url).path.lstrip("/")
    try:
        with psycopg.connect(_maintenance_url(database_url), autocommit=True, connect_timeout=5) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        raise BenchError(f"PostgreSQL refused the connection at {_maintenance_url(database_url)}: {error}") from error


def flush_redis(redis_url: str) -> str:
    """Empty the bench's Redis database (broker queue, cache, locks); return the server version."""
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=5)
    try:
        client.ping()
        client.flushdb()
        return client.info("server")["redis_version"]
    except redis.RedisError as error:
        raise BenchError(f"Redis does not answer at {redis_url}: {error}") from error
    finally:
        client.close()


def migrate(env: dict, *, root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=root, env=env, capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"migrate failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


class Timer:
    """``with Timer() as timer: …`` then ``timer.seconds``."""

    def __enter__(self):
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._started


def run_bench(args, *, title: str, check_targets, run, print_table, verdicts) -> int:
    """The shape every full-scale bench's ``main`` shares: refuse non-local targets, wait for a quiet machine if
    asked, run under a global timeout (``args.timeout``), print the table, write ``args.json``, and exit 1 when a
    target is missed (``verdicts(results)`` lists the misses)."""

    def on_timeout(_signum, _frame):
        raise BenchError(f"global timeout of {args.timeout:.0f} s reached")

    signal.signal(signal.SIGALRM, on_timeout)
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    try:
        check_targets(args)
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    busy = wait_for_quiet_machine(threshold=10, timeout=args.wait_for_idle)
    print(f"{title}: machine {busy}% busy before the start", flush=True)
    signal.alarm(int(args.timeout))
    started = time.perf_counter()
    try:
        results = run(args, busy)
        results["wall_seconds"] = round(time.perf_counter() - started, 1)
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
        print(f"results written to {args.json}")
    return 1 if verdicts(results) else 0
