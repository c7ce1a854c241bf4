"""What the benchmark scripts share: percentiles, the machine's background load, and stopping what they started.

Imported as ``_common`` (the scripts run as ``python bench/<name>.py``, so this folder is first on ``sys.path``,
also in the worker processes that ``multiprocessing`` spawns)."""

import contextlib
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
        cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"migrate failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
