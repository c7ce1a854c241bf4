"""The outbox: quiet hours, dispatching, a broker outage, interrupted sends, retries, call tasks, the rate limit."""

import contextlib
import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from notifications import services
from notifications.models import Notification, Status
from notifications.ratelimit import acquire_send_slot
from notifications.services import quiet_hours_shift
from notifications.sms import SmsDeliveryError

pytestmark = pytest.mark.django_db(transaction=True)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(hour, minute=0, day=23):
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("at", "category", "expected"),
    [
        (local(20, 59), "marketing", local(20, 59)),
        (local(21, 0), "marketing", local(8, 0, day=24)),
        (local(23, 30), "service", local(8, 0, day=24)),
        (local(3, 15), "service", local(8, 0)),
        (local(8, 0), "marketing", local(8, 0)),
        (local(23, 30), "transactional", local(23, 30)),
    ],
)
def test_quiet_hours_shift_service_and_marketing_sms_to_the_morning(at, category, expected):
    assert quiet_hours_shift(at=at, channel="sms", category=category) == expected
    assert quiet_hours_shift(at=at, channel="email", category=category) == at


def send(member, key, **options):
    return services.queue_notification(
        recipient_id=member.user_id, event="test", subject="保养提醒", body="您的爱车需要保养了。", dedupe_key=key,
        **options,
    )  # fmt: skip


def test_a_service_sms_queued_at_night_is_scheduled_not_dropped(member, sms_outbox):
    with time_machine.travel(local(22, 30), tick=False):
        [inbox, sms] = send(member, "night", channels=("inbox", "sms"), category="service")
        assert services.dispatch_due_notifications() == 0
    assert inbox.status == Status.SENT
    sms.refresh_from_db()
    assert (sms.status, sms.send_after) == (Status.PENDING, local(8, 0, day=24))
    assert sms_outbox.messages == []
    with time_machine.travel(local(8, 1, day=24), tick=False):
        assert services.dispatch_due_notifications() == 1
    sms.refresh_from_db()
    assert sms.status == Status.SENT
    assert len(sms_outbox.messages) == 1


class _broker:
    """Point the real Celery app at another broker for a while; its connection pools are set aside and restored."""

    def __init__(self, app, *, url, eager):
        self.app, self.url, self.eager = app, url, eager

    def __enter__(self):
        conf = self.app.conf
        self.saved = (conf.broker_url, conf.task_always_eager, self.app._pool, self.app.amqp._producer_pool)
        self.app._pool = None
        self.app.amqp._producer_pool = None
        conf.broker_url, conf.task_always_eager = self.url, self.eager

    def __exit__(self, *exc):
        if self.app._pool is not None:
            self.app._pool.force_close_all()
        conf = self.app.conf
        conf.broker_url, conf.task_always_eager, self.app._pool, self.app.amqp._producer_pool = self.saved


def test_with_the_broker_down_the_row_waits_and_goes_out_when_it_is_back(member, sms_outbox, settings):
    from config.celery import app

    working_broker = app.conf.broker_url
    with _broker(app, url="redis://127.0.0.1:9/0", eager=False):  # nothing listens there: the broker is down
        [sms] = send(member, "outage", channels=("sms",))
    assert app.conf.broker_url == working_broker
    sms.refresh_from_db()
    assert (sms.status, sms.enqueued_at) == (Status.PENDING, None)
    assert sms_outbox.messages == []

    # The broker is back (tasks run in-process again); the every-minute dispatcher delivers the row.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert services.dispatch_due_notifications() == 1
    sms.refresh_from_db()
    assert sms.status == Status.SENT
    assert len(sms_outbox.messages) == 1


def test_a_delivery_run_twice_sends_once(member, sms_outbox, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    [sms] = send(member, "twice", channels=("sms",))
    services.deliver_notification(notification_id=sms.pk)
    services.deliver_notification(notification_id=sms.pk)
    assert len(sms_outbox.messages) == 1
    sms.refresh_from_db()
    assert sms.attempts == 1


def test_a_row_interrupted_mid_send_is_marked_failed_not_resent(member, sms_outbox):
    [sms] = send(member, "killed", channels=("sms",), send_after=timezone.now() + datetime.timedelta(hours=1))
    # What a worker killed between claiming and finishing leaves behind:
    Notification.objects.filter(pk=sms.pk).update(
        status=Status.SENDING, sending_started_at=timezone.now() - datetime.timedelta(minutes=30), attempts=1
    )
    assert services.sweep_stuck_notifications() == {"requeued": 0, "interrupted": 1}
    assert services.dispatch_due_notifications() == 0
    sms.refresh_from_db()
    assert sms.status == Status.FAILED
    assert "Check before resending" in sms.last_error
    assert sms_outbox.messages == []
    services.resend_failed_notification(notification_id=sms.pk)
    sms.refresh_from_db()
    assert sms.status == Status.SENT
    assert len(sms_outbox.messages) == 1


def test_a_lost_queue_message_is_requeued_by_the_sweeper(member, sms_outbox):
    [sms] = send(member, "lost", channels=("sms",), send_after=timezone.now() + datetime.timedelta(hours=1))
    Notification.objects.filter(pk=sms.pk).update(
        send_after=timezone.now() - datetime.timedelta(hours=1),
        enqueued_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert services.dispatch_due_notifications() == 0  # it looks queued
    assert services.sweep_stuck_notifications()["requeued"] == 1
    assert services.dispatch_due_notifications() == 1
    assert len(sms_outbox.messages) == 1


def test_provider_errors_retry_then_fail_visibly(member, settings):
    from tests.notifications.test_sms_gateway import ACCOUNT_SID, StandInTwilio

    with StandInTwilio() as twilio:
        settings.SMS_BACKEND = "twilio"
        settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
        settings.TWILIO_AUTH_TOKEN = "t"
        settings.TWILIO_FROM_NUMBER = "+15005550006"
        settings.TWILIO_API_BASE_URL = twilio.base_url
        settings.NOTIFICATION_MAX_ATTEMPTS = 3
        twilio.answer_status = 503
        twilio.answer_body = {"code": 20500, "message": "unavailable", "status": 503}
        [sms] = send(member, "flaky", channels=("sms",), send_after=timezone.now() + datetime.timedelta(hours=1))
        Notification.objects.filter(pk=sms.pk).update(send_after=timezone.now())
        for _attempt in range(3):
            # Each failed try raises so that the task retries with back-off; the third one gives up.
            with contextlib.suppress(SmsDeliveryError):
                services.deliver_notification(notification_id=sms.pk)
        sms.refresh_from_db()
        assert (sms.status, sms.attempts) == (Status.FAILED, 3)
        assert "503" in sms.last_error
        assert len(twilio.requests) == 3


def test_a_call_is_not_a_message(member, sms_outbox):
    """Calls are staff tasks (staff_tasks); asking the outbox for one is a programming error and writes nothing."""
    with pytest.raises(ValueError, match="staff task"):
        send(member, "collect", channels=("inbox", "call"))
    assert not Notification.objects.exists()
    assert sms_outbox.messages == []


def test_rate_limit_holds_in_any_rolling_second(settings):
    provider = f"test-provider-{timezone.now().timestamp()}"
    start = 1_800_000_000.0
    granted = [acquire_send_slot(provider=provider, per_second=5, now=start + 0.9) for _i in range(8)]
    assert granted == [True] * 5 + [False] * 3
    # A fixed per-second window would open again at .0 and let 5 more through within 0.2 s of the first 5.
    assert not acquire_send_slot(provider=provider, per_second=5, now=start + 1.1)
    assert acquire_send_slot(provider=provider, per_second=5, now=start + 1.95)


def test_with_the_broker_down_an_order_step_still_commits_and_its_sms_follows_later(cast, sms_outbox):
    from config.celery import app

    order = cast.advance(cast.new_order(), "under_review")
    with _broker(app, url="redis://127.0.0.1:9/0", eager=False):
        order = cast.step(order, "approve", cast.reviewer)
    order.refresh_from_db()
    assert order.state == "approved"
    sms = Notification.objects.get(event="order.approved", channel="sms")
    assert (sms.status, sms.enqueued_at) == (Status.PENDING, None)
    assert sms_outbox.messages == []
    assert services.dispatch_due_notifications() == 1
    sms.refresh_from_db()
    assert sms.status == Status.SENT
    assert order.number in sms_outbox.messages[0]["body"]


def test_a_long_send_that_runs_into_the_evening_waits_for_the_morning(member, sms_outbox):
    with time_machine.travel(local(20, 0), tick=False):
        [sms] = send(member, "evening", channels=("sms",), category="marketing",
                     send_after=timezone.now() + datetime.timedelta(hours=1))  # fmt: skip
    with time_machine.travel(local(21, 30), tick=False):
        Notification.objects.filter(pk=sms.pk).update(send_after=timezone.now())
        services.deliver_notification(notification_id=sms.pk)
    sms.refresh_from_db()
    assert (sms.status, sms.send_after) == (Status.PENDING, local(8, 0, day=24))
    assert sms_outbox.messages == []
