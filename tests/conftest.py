"""Shared actors and helpers. Tests run against the real PostgreSQL and Redis of config/settings/test.py."""

import fcntl
import json
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from crm.segments.defaults import ensure_default_tags
from crm.surveys.defaults import ensure_default_questionnaires
from members.services import issue_access_token
from points.defaults import ensure_default_earn_rules
from staff_tasks.defaults import ensure_default_task_rules
from tests.helpers import migrate_sqlite_demo
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory

# The cast of an application (member, store staff, reviewer, finance…) is shared by the orders and points tests.
pytest_plugins = ["tests.orders.cast"]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """In parallel runs (scripts/test.sh: pytest-xdist, ``--dist loadgroup``) tests are handed out one by one, except
    two groups that each go to one worker as one unit: the browser tests, so they share one Chromium
    (tests/e2e/conftest.py), and the tests that lean on the shared PostgreSQL server, one after another: the
    concurrency tests (``test_*concurrency*.py``), whose dozens of threads each hold a connection, and the tests that
    start a real Celery worker (``test_worker_*.py``), which must get a connection in time. Run side by side they
    exhausted the server's ``max_connections``. (A scheduler
    rather than ``xdist_group`` marks: xdist 3.8 cannot rename the test ids of pytest 9, which those marks need.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class Scheduler(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            if path.startswith("tests/e2e/"):
                return "e2e"
            module = path.rsplit("/", 1)[-1]
            if "concurrency" in module or module.startswith("test_worker_"):
                return "shared-server"
            return super()._split_scope(nodeid)

    return Scheduler(config, log)


@pytest.fixture(scope="session")
def migrated_sqlite_demo(tmp_path_factory, worker_id) -> Path:
    """A demo SQLite database migrated once per run and shared by the parallel workers (under a file lock in the
    run's common temporary directory); the tests on the demo database start from copies of it."""
    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        root = root.parent  # pytest-xdist: the workers' directories share this parent, one per run
    template = root / "migrated-demo" / "demo.sqlite3"
    with (root / "migrated-demo.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            building = root / "migrated-demo-building"
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir()
            migrate_sqlite_demo(building)
            building.rename(template.parent)
    return template


@pytest.fixture
def demo_sqlite(migrated_sqlite_demo, tmp_path) -> Path:
    """``tmp_path / "demo.sqlite3"``: a migrated demo database of this test's own (the scripts' own ``migrate``
    then finds nothing to do)."""
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(migrated_sqlite_demo, path)
    return path


class SmsOutbox:
    """What the `file` SMS backend wrote: the way a black-box client reads a sign-in code."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def messages(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def last_code_for(self, phone: str) -> str:
        for message in reversed(self.messages):
            if message["to"] == phone:
                return re.search(r"\b(\d{6})\b", message["body"]).group(1)
        raise AssertionError(f"no SMS was sent to {phone}")


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language (zh-hans): a request in English earlier on the same worker leaves
    its language active on the thread, and a later test's messages would come out in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _isolated_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def sms_outbox(settings, tmp_path) -> SmsOutbox:
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    return SmsOutbox(tmp_path / "sms.jsonl")


@pytest.fixture(autouse=True)
def _default_earn_rules(request):
    """The earn rules (and the task rules) come from data migrations, and transactional tests flush every table: put
    them back."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db" if marker is not None and marker.kwargs.get("transaction") else "db")
    ensure_default_earn_rules()
    ensure_default_task_rules()
    ensure_default_questionnaires()
    ensure_default_tags()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def store(db):
    return StoreFactory()


@pytest.fixture
def member(db):
    return MemberFactory()


@pytest.fixture
def member_client(member) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=member.user)}")
    return client


@pytest.fixture
def staff_user(db, store):
    return StaffFactory(role="store_staff", store=store)
