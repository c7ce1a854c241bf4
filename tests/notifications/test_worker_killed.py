"""A real Celery worker killed with SIGKILL in the middle of sending: the message is not sent a second time.

The worker runs as its own process against the test database and the real Redis broker; the SMS provider is a
stand-in Twilio server that answers slowly, so the kill lands while the request is in flight."""

import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from celery.exceptions import AlwaysEagerIgnored
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app
from notifications.models import Notification, Status
from notifications.services import queue_notification, sweep_stuck_notifications
from tests.notifications.test_sms_gateway import ACCOUNT_SID, StandInTwilio

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def start_worker(*, twilio_url: str, extra_env: dict | None = None) -> subprocess.Popen:
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": "t",
        "TWILIO_FROM_NUMBER": "+15005550006",
        "TWILIO_API_BASE_URL": twilio_url,
        "TWILIO_TIMEOUT_SECONDS": "30",
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING",
               "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL)


def send_to_broker(notification_id: int) -> None:
    """Publish the delivery task to Redis for a worker (the test process itself runs tasks eagerly)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlwaysEagerIgnored)
        app.send_task("notifications.tasks.deliver_notification_task", kwargs={"notification_id": notification_id})


def wait_for(condition, *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def kill(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def test_a_worker_killed_mid_send_does_not_send_twice(member, settings):
    later = timezone.now() + timezone.timedelta(hours=1)
    [row] = queue_notification(
        recipient_id=member.user_id, event="t", subject="s", body="您的验证码", dedupe_key="k", channels=("sms",),
        send_after=later,
    )  # fmt: skip
    Notification.objects.filter(pk=row.pk).update(send_after=timezone.now())
    app.control.purge()  # start from an empty queue
    with StandInTwilio() as twilio:
        twilio.delay_seconds = 8  # the provider answers slowly: the kill lands mid-request
        first = start_worker(twilio_url=twilio.base_url)
        second = None
        try:
            send_to_broker(row.pk)
            assert wait_for(lambda: len(twilio.requests) == 1, seconds=30), "the worker never called the provider"
            kill(first)
            row.refresh_from_db()
            assert row.status == Status.SENDING

            # The broker hands the unacknowledged task to another worker (acks_late); we deliver it again ourselves
            # rather than wait for Redis's visibility timeout.
            second = start_worker(twilio_url=twilio.base_url)
            send_to_broker(row.pk)
            time.sleep(6)
            assert len(twilio.requests) == 1
        finally:
            kill(first)
            if second is not None:
                kill(second)
    settings.NOTIFICATION_STUCK_MINUTES = 0
    assert sweep_stuck_notifications()["interrupted"] == 1
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert len(twilio.requests) == 1
