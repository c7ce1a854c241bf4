"""Event-driven tasks and messages: the call after a model change, the welcome at sign-up."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from crm.services import run_reminders
from domain_events.models import DomainEvent
from members.services import register_member
from notifications.models import Notification, Preference
from orders.handlers import open_model_change_call
from staff_tasks.models import Task
from tests.vehicles.factories import FinancePlanFactory

pytestmark = pytest.mark.django_db


def _change_model(cast, django_capture_on_commit_callbacks):
    new_plan = FinancePlanFactory(term_months=24)
    order = cast.advance(cast.new_order(), "approved")
    with django_capture_on_commit_callbacks(execute=True):
        order = cast.step(order, "change_model", cast.member_user, trim_id=new_plan.trim_id, plan_id=new_plan.pk)
    return order.replaced_by


def test_a_model_change_opens_a_call_at_once_for_the_store(cast, django_capture_on_commit_callbacks):
    before = timezone.now()
    successor = _change_model(cast, django_capture_on_commit_callbacks)
    task = Task.objects.get()
    assert (task.kind, task.rule.code, task.store, task.member, task.subject_type, task.subject_id) == (
        "custom", "model_change_call", cast.store, cast.member, "order", successor.pk,
    )  # fmt: skip
    assert before <= task.due_at <= timezone.now()
    assert successor.number in task.title
    assert "避免丢单" in task.script
    # The event handled again (a redelivery, the sweeper) opens nothing more.
    open_model_change_call(DomainEvent.objects.get(name="order.model_changed"))
    assert Task.objects.count() == 1


def test_no_model_change_call_for_a_member_who_switched_calls_off(cast, django_capture_on_commit_callbacks):
    Preference.objects.create(user=cast.member_user, category="marketing", channel="call", is_enabled=False)
    _change_model(cast, django_capture_on_commit_callbacks)
    assert DomainEvent.objects.filter(name="order.model_changed").count() == 1
    assert not Task.objects.exists()


def _local(hour, minute, day):
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_welcome_goes_out_within_24_hours_after_quiet_hours(django_capture_on_commit_callbacks):
    with time_machine.travel(_local(23, 30, day=23), tick=False), django_capture_on_commit_callbacks(execute=True):
        member = register_member(phone="13900000077")
    welcome = {row.channel: row for row in Notification.objects.filter(recipient=member.user, event="member.welcome")}
    assert set(welcome) == {"inbox", "sms"}
    assert welcome["inbox"].status == "sent"
    # Signed up at 23:30: the SMS waits for the end of quiet hours (08:00), 8.5 hours later, not the next day's run.
    assert (welcome["sms"].status, welcome["sms"].send_after) == ("pending", _local(8, 0, day=24))
    # The morning's catch-up rule finds the member welcomed already.
    run_reminders(day=datetime.date(2026, 11, 24))
    assert Notification.objects.filter(recipient=member.user, event="member.welcome").count() == 2


def test_a_daytime_sign_up_is_welcomed_at_once(django_capture_on_commit_callbacks):
    with time_machine.travel(_local(14, 0, day=23), tick=False), django_capture_on_commit_callbacks(execute=True):
        member = register_member(phone="13900000078")
    sms = Notification.objects.get(recipient=member.user, event="member.welcome", channel="sms")
    assert sms.send_after == _local(14, 0, day=23)
