"""Shared actors and helpers. Tests run against the real PostgreSQL and Redis of config/settings/test.py."""

import json
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from members.services import issue_access_token
from points.defaults import ensure_default_earn_rules
from staff_tasks.defaults import ensure_default_task_rules
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory

# The cast of an application (member, store staff, reviewer, finance…) is shared by the orders and points tests.
pytest_plugins = ["tests.orders.cast"]


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
