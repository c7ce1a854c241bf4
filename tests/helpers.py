"""Assertions shared by tests of different apps."""

import datetime
import json
import os
import re
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from staff_tasks.selectors import local_day_bounds

_LOCKING_SELECT = re.compile(r"^\s*SELECT\b.*\bFOR (?:NO KEY )?UPDATE\b(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_LOCK_OF = re.compile(r"^\s*OF\s+(?P<tables>(?:\"\w+\"(?:\s*,\s*)?)+)", re.IGNORECASE)
_FROM_OR_JOIN = re.compile(r"\b(?:FROM|JOIN)\s+\"(?P<table>\w+)\"", re.IGNORECASE)
_WRITE = re.compile(r"^\s*(?:UPDATE\s+\"(?P<updated>\w+)\"|DELETE\s+FROM\s+\"(?P<deleted>\w+)\")", re.IGNORECASE)


def _locked_tables(sql: str) -> set[str]:
    match = _LOCKING_SELECT.match(sql)
    if match is None:
        return set()
    lock_of = _LOCK_OF.match(match["rest"])
    if lock_of is not None:
        return set(re.findall(r"\"(\w+)\"", lock_of["tables"]))
    # Without OF, PostgreSQL locks the rows of every table in the FROM clause.
    return set(_FROM_OR_JOIN.findall(sql[: match.start("rest")]))


def writes_without_a_lock(queries: list[dict], tables: tuple[str, ...] = ()) -> tuple[list[str], set[str]]:
    """The UPDATE/DELETE statements (of ``tables``, or of any table) that no earlier SELECT … FOR UPDATE of their
    table precedes, and the set of tables written at all."""
    locked: set[str] = set()
    written: set[str] = set()
    unlocked = []
    for query in queries:
        sql = query["sql"]
        locked |= _locked_tables(sql)
        write = _WRITE.match(sql)
        if write is None:
            continue
        table = write["updated"] or write["deleted"]
        if tables and table not in tables:
            continue
        written.add(table)
        if table not in locked:
            unlocked.append(sql)
    return unlocked, written


@contextmanager
def assert_locks_rows_before_write(*tables: str):
    """Check, from the SQL the block sends, that every UPDATE or DELETE of a table comes after a
    ``SELECT … FOR UPDATE`` of that table (after saleor's helper of the same name).

    Name the ``tables`` the block must write: each must then be written at least once, so the assertion cannot pass
    on a path that changes nothing. The check is per table, not per row: which rows a service locks is proven by
    the concurrency tests that race it.
    """
    with CaptureQueriesContext(connection) as captured:
        yield captured
    unlocked, written = writes_without_a_lock(captured.captured_queries, tables)
    assert not unlocked, "written without locking the rows first:\n" + "\n".join(unlocked)
    never_written = set(tables) - written
    assert not never_written, f"the block wrote no row of {sorted(never_written)}"


def row_counts(*models) -> dict[str, int]:
    """How many rows each model's table holds: taken before and after a refusal, to show that it wrote nothing."""
    return {model._meta.label: model.objects.count() for model in models}


ROOT = Path(__file__).resolve().parents[1]


def run_at_once(work, *, times: int = 2, timeout: float = 120) -> tuple[list, list]:
    """Run ``work()`` in ``times`` threads released together; (their results, the exceptions they raised). Each
    thread closes its own database connection."""
    barrier, results, errors = threading.Barrier(times), [], []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # noqa: BLE001  (returned to the test)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, errors


def later_today(*, hours: float = 2) -> datetime.datetime:
    """A moment later today, local time: ``hours`` from now, or a second before midnight when that is tomorrow
    (tests of "today's" queues run at any hour)."""
    now = timezone.now()
    end_of_today = local_day_bounds(timezone.localdate(now))[1]
    return min(now + datetime.timedelta(hours=hours), end_of_today - datetime.timedelta(seconds=1))


def sqlite_demo_env(tmp_path: Path) -> dict:
    """The demo's settings on the SQLite file ``tmp_path / "demo.sqlite3"``, without the service URLs."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    return env


def migrate_sqlite_demo(directory: Path) -> None:
    """A migrated demo database at ``directory / "demo.sqlite3"`` (what every SQLite test would otherwise build
    itself: migrating takes about 20 s)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=sqlite_demo_env(directory),
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def run_on_sqlite(script: str, *, tmp_path: Path):
    """Run ``script`` with the demo's settings on the SQLite file in ``tmp_path`` in a subprocess; the JSON of its
    last line."""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=sqlite_demo_env(tmp_path), capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
