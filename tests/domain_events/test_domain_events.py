"""Domain events: rows written with their cause, handled once per subscriber after commit, swept when the broker
was down. Real PostgreSQL, the real Celery app pointed at a dead broker, real threads."""

import datetime
import logging
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

from domain_events import services
from domain_events.models import DomainEvent, EventHandling
from members.models import Member
from notifications.models import Notification
from points.models import PendingReferralReward, PointsEntry
from tests.helpers import sqlite_demo_env
from tests.members.factories import MemberFactory, StoreFactory
from tests.notifications.test_outbox import _broker

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "+8613912345678"
DEAD_BROKER = "redis://127.0.0.1:9/0"  # nothing listens there


def earned(member) -> list[tuple[str, int]]:
    return list(PointsEntry.objects.filter(account__member=member).order_by("pk").values_list("rule__event", "points"))


def test_every_subscriber_in_the_list_can_be_imported():
    for name, paths in django_settings.DOMAIN_EVENT_SUBSCRIBERS.items():
        assert paths, name
        for path in paths:
            assert callable(import_string(path)), path


def test_with_the_broker_down_sign_up_profile_and_delivery_commit_and_their_reactions_come_once_it_is_back(
    api_client, sms_outbox, settings, caplog, tmp_path
):
    from config.celery import app
    from tests.orders.cast import Cast

    settings.MEDIA_ROOT = tmp_path / "media"
    cast = Cast()
    referrer = MemberFactory()
    Member.objects.filter(pk=cast.member.pk).update(referred_by=referrer)
    order = cast.advance(cast.new_order(), "ready_for_pickup")  # broker up: everything so far is handled
    assert not DomainEvent.objects.filter(handled_at__isnull=True).exists()
    assert api_client.post("/api/v1/auth/otp/", {"phone": "13912345678"}, format="json").status_code == 202
    code = sms_outbox.last_code_for(PHONE)
    store = StoreFactory()

    caplog.set_level(logging.WARNING, logger="member_center.tasks")
    with _broker(app, url=DEAD_BROKER, eager=False):
        signed_up = api_client.post(
            "/api/v1/auth/login/", {"phone": "13912345678", "code": code, "accept_terms": True}, format="json"
        )
        assert signed_up.status_code == 200
        assert signed_up.json()["created"] is True
        profile = api_client.patch(
            "/api/v1/me/",
            {"name": "李雷", "gender": "male", "birthday": "1991-02-03", "city": "深圳", "preferred_store": store.pk},
            format="json",
            HTTP_AUTHORIZATION=f"Bearer {signed_up.json()['token']}",
        )
        assert profile.status_code == 200
        assert profile.json()["profile_completed"] is True
        order = cast.advance(order, "delivered")

    # Everything committed; no reaction ran; the events wait, and the failed queuing was logged.
    new_member = Member.objects.get(user__phone=PHONE)
    assert order.state == "delivered"
    assert earned(new_member) == []
    assert not PendingReferralReward.objects.exists()
    waiting = list(DomainEvent.objects.filter(handled_at__isnull=True).order_by("pk"))
    assert [(event.name, event.payload, event.attempts) for event in waiting] == [
        ("member.registered", {"member_id": new_member.pk}, 0),
        ("member.profile_completed", {"member_id": new_member.pk}, 0),
        ("order.delivered", {"order_id": order.pk}, 0),
    ]
    queued_failures = [r for r in caplog.records if r.getMessage() == "broker unavailable, task not queued"]
    assert [r.task for r in queued_failures].count("domain_events.tasks.dispatch_domain_event_task") == 3

    # The broker is back (tasks run in-process again). Before their grace period the sweeper leaves them to the
    # task that would normally have run; after it, it handles each once.
    assert services.sweep_domain_events() == {"handled": 0, "failed": 0}
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        assert services.sweep_domain_events() == {"handled": 3, "failed": 0}
        assert services.sweep_domain_events() == {"handled": 0, "failed": 0}
    assert earned(new_member) == [("registration", 100), ("profile_completed", 50)]
    pending = PendingReferralReward.objects.get()
    assert (pending.invitee_id, pending.referrer_id) == (cast.member.pk, referrer.pk)
    assert not DomainEvent.objects.filter(handled_at__isnull=True).exists()
    # One handling per subscriber of each event.
    subscribers = sum(len(django_settings.DOMAIN_EVENT_SUBSCRIBERS[event.name]) for event in waiting)
    assert EventHandling.objects.filter(event__in=waiting).count() == subscribers
    assert Notification.objects.filter(recipient=new_member.user, event="member.welcome").count() == 2


def _fail_once(event) -> None:
    """A subscriber that fails on its first call for an event (a provider hiccup) and works after."""
    if not _fail_once.failed.get(event.pk):
        _fail_once.failed[event.pk] = True
        raise RuntimeError("provider hiccup")
    _fail_once.calls.append(event.pk)


def test_a_failing_subscriber_is_retried_later_without_running_the_others_again(settings):
    _fail_once.failed, _fail_once.calls = {}, []
    settings.DOMAIN_EVENT_SUBSCRIBERS = {
        "member.registered": [
            "points.handlers.award_registration",
            "tests.domain_events.test_domain_events._fail_once",
        ]
    }
    member = MemberFactory()
    event = services.record_event(name="member.registered", payload={"member_id": member.pk})  # runs on commit

    event.refresh_from_db()
    assert (event.handled_at, event.attempts) == (None, 1)
    assert "provider hiccup" in event.last_error
    assert event.retry_at > timezone.now() + datetime.timedelta(seconds=50)
    assert list(EventHandling.objects.filter(event=event).values_list("subscriber", flat=True)) == [
        "points.handlers.award_registration"
    ]
    assert earned(member) == [("registration", 100)]
    assert services.sweep_domain_events() == {"handled": 0, "failed": 0}  # not before its retry time

    with time_machine.travel(event.retry_at + datetime.timedelta(seconds=1)):
        assert services.sweep_domain_events() == {"handled": 1, "failed": 0}
    event.refresh_from_db()
    assert (event.attempts, event.last_error) == (2, "")
    assert event.handled_at is not None
    assert _fail_once.calls == [event.pk]
    assert earned(member) == [("registration", 100)]
    assert EventHandling.objects.filter(event=event).count() == 2


def test_two_sweepers_at_once_handle_each_event_once():
    members = MemberFactory.create_batch(30)
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    events = DomainEvent.objects.bulk_create(
        DomainEvent(name="member.registered", payload={"member_id": m.pk}, created_at=long_ago, retry_at=long_ago)
        for m in members
    )
    barrier = threading.Barrier(2)
    results = []

    def sweep():
        try:
            barrier.wait()
            results.append(services.sweep_domain_events())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(result["handled"] for result in results) == 30
    rows = DomainEvent.objects.filter(pk__in=[e.pk for e in events])
    assert sorted(set(rows.values_list("attempts", "last_error"))) == [(1, "")]
    assert not rows.filter(handled_at__isnull=True).exists()
    # Each event once per subscriber of member.registered.
    assert EventHandling.objects.count() == 30 * len(django_settings.DOMAIN_EVENT_SUBSCRIBERS["member.registered"])
    assert PointsEntry.objects.filter(rule__event="registration").count() == 30
    assert Notification.objects.filter(event="member.welcome", channel="inbox").count() == 30


ROOT = Path(__file__).resolve().parents[2]
SQLITE_SCRIPT = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from domain_events.models import DomainEvent
from domain_events.services import sweep_domain_events
from members.services import register_member
from points.selectors import get_balance
member = register_member(phone="13900000001")
print(get_balance(member_id=member.pk), DomainEvent.objects.filter(handled_at__isnull=True).count(),
      sweep_domain_events()["handled"])
"""


def test_on_the_demo_sqlite_database_events_are_handled_in_process(demo_sqlite, tmp_path):
    env = sqlite_demo_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # Registration's 100 points, earned in-process on commit; nothing left for the sweeper.
    assert result.stdout.split()[-3:] == ["100", "0", "0"]


def test_a_first_application_handled_late_is_judged_by_when_the_member_applied():
    """Submitted on day 6 after registering, swept on day 9 (the broker was down): the points are still due."""
    from config.celery import app
    from tests.orders.cast import Cast

    cast = Cast()
    Member.objects.filter(pk=cast.member.pk).update(created_at=timezone.now() - datetime.timedelta(days=6))
    with _broker(app, url=DEAD_BROKER, eager=False):
        order = cast.advance(cast.new_order(), "submitted")
    assert earned(cast.member) == []

    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        assert services.sweep_domain_events() == {"handled": 1, "failed": 0}
    entry = PointsEntry.objects.get(account__member=cast.member)
    assert (entry.rule.event, entry.points, entry.source) == ("first_application", 200, f"order:{order.pk}")


def test_recording_an_event_is_one_insert_and_an_empty_sweep_one_select(django_assert_num_queries):
    from django.db import transaction

    member = MemberFactory()
    with transaction.atomic(), django_assert_num_queries(1):
        event = services.record_event(name="member.registered", payload={"member_id": member.pk})
    # After commit its task ran (in-process here) and handled it.
    event.refresh_from_db()
    assert (event.attempts, event.last_error) == (1, "")
    assert event.handled_at is not None
    assert earned(member) == [("registration", 100)]
    with django_assert_num_queries(1):
        assert services.sweep_domain_events() == {"handled": 0, "failed": 0}


def test_a_member_award_task_still_in_the_broker_earns_once():
    from points.tasks import award_member_event_task

    member = MemberFactory()
    award_member_event_task.apply(kwargs={"event": "member.registered", "member_id": member.pk})
    award_member_event_task.apply(kwargs={"event": "member.registered", "member_id": member.pk})
    assert earned(member) == [("registration", 100)]
