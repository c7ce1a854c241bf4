"""A real Celery worker keeps its database connection from one task to the next (CELERY_DB_REUSE_MAX and
close_old_database_connections in config/celery.py) instead of opening a new PostgreSQL connection per task."""

import time
import warnings

import pytest
from celery.exceptions import AlwaysEagerIgnored
from django.db import connection
from django.utils import timezone

from config.celery import app
from notifications.models import Notification, Status
from notifications.services import queue_notification
from tests.notifications.test_worker_killed import kill, start_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def worker_connections() -> list[tuple[int, object]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchall()


def test_a_worker_reuses_its_database_connection_across_tasks(member, tmp_path):
    later = timezone.now() + timezone.timedelta(hours=1)
    rows = [
        queue_notification(
            recipient_id=member.user_id, event="t", subject="s", body=f"第 {index} 条", dedupe_key=f"reuse:{index}",
            channels=("sms",), send_after=later,
        )[0]
        for index in range(6)
    ]  # fmt: skip
    Notification.objects.update(send_after=timezone.now())
    app.control.purge()
    worker = start_worker(
        twilio_url="http://127.0.0.1:9", extra_env={"SMS_BACKEND": "file", "SMS_FILE_PATH": str(tmp_path / "sms.jsonl")}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AlwaysEagerIgnored)
            app.send_task("notifications.tasks.deliver_notification_task", kwargs={"notification_id": rows[0].pk})
            assert wait_for(lambda: Notification.objects.get(pk=rows[0].pk).status == Status.SENT, seconds=60)
            [(first_pid, _started)] = worker_connections()
            for row in rows[1:]:
                app.send_task("notifications.tasks.deliver_notification_task", kwargs={"notification_id": row.pk})
            assert wait_for(lambda: not Notification.objects.exclude(status=Status.SENT).exists(), seconds=60)
            time.sleep(0.5)  # the last task's post-run hook has run
        assert [pid for pid, _started in worker_connections()] == [first_pid]
    finally:
        kill(worker)
