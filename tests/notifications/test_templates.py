"""Message templates: every event has zh-hans and English text, operators override it, bad placeholders are refused."""

import datetime

import pytest

from crm.services import run_reminders
from notifications.catalog import all_events, default_text, placeholders_in
from notifications.models import Notification, NotificationTemplate
from notifications.services import seed_message_templates

pytestmark = pytest.mark.django_db


def test_every_event_has_chinese_and_english_text_using_only_its_placeholders():
    events = all_events()
    assert {"order.approved", "repayment.overdue_3", "vehicle.maintenance_due", "member.birthday"} <= {
        spec.code for spec in events
    }
    for spec in events:
        for language in ("zh-hans", "en"):
            subject, body = default_text(event=spec.code, channel="sms", language=language)
            assert subject, spec.code
            assert placeholders_in(subject) | placeholders_in(body) <= set(spec.placeholders), spec.code


def test_seeding_writes_editable_templates_once():
    created = seed_message_templates()
    assert created == NotificationTemplate.objects.count() > 0
    assert seed_message_templates() == 0


def test_an_operator_template_is_used_by_the_reminders(cast):
    order = cast.advance(cast.new_order(), "funded")
    NotificationTemplate.objects.create(
        event="repayment.due_in_3", channel="sms", language="zh-hans", subject="还款提醒",
        body="{name}您好，{due}请还款{amount}元。XX汽车客服部",
    )  # fmt: skip
    due_on = order.loan.installments.get(number=1).due_on
    run_reminders(day=due_on - datetime.timedelta(days=3))
    sms = Notification.objects.get(event="repayment.due_in_3", channel="sms")
    assert sms.body.endswith("元。XX汽车客服部")
    assert f"{due_on.month}月{due_on.day}日请还款" in sms.body


def test_an_operator_template_is_used_for_order_steps(cast):
    NotificationTemplate.objects.create(
        event="order.approved", channel="inbox", language="zh-hans", subject="好消息", body="申请 {number} 已通过！"
    )
    order = cast.advance(cast.new_order(), "approved")
    message = Notification.objects.get(event="order.approved", channel="inbox")
    assert (message.subject, message.body) == ("好消息", f"申请 {order.number} 已通过！")


@pytest.fixture
def operator(client):
    from members.services import ensure_role_groups
    from tests.members.factories import StaffFactory

    admin_user = StaffFactory(username="ops", role="admin", is_superuser=True)
    admin_user.groups.set([ensure_role_groups()["admin"]])
    client.force_login(admin_user)
    return client


def test_admin_refuses_unknown_placeholders_and_previews_a_sample(operator):
    form = {"event": "vehicle.maintenance_due", "channel": "sms", "language": "zh-hans", "subject": "保养",
            "body": "{name}您好，{plate} 该保养了，{coupon}", "is_active": "on"}  # fmt: skip
    response = operator.post("/admin/notifications/notificationtemplate/add/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Unknown placeholders: coupon" in response.content.decode()
    assert not NotificationTemplate.objects.exists()
    form["body"] = "{name}您好，{plate} 该保养了。"
    assert operator.post("/admin/notifications/notificationtemplate/add/", form).status_code == 302
    template = NotificationTemplate.objects.get()
    page = operator.get(f"/admin/notifications/notificationtemplate/{template.pk}/change/").content.decode()
    assert "王经理您好，粤B·16888 该保养了。" in page


def test_admin_refuses_broken_braces(operator):
    form = {"event": "member.birthday", "channel": "sms", "language": "en", "subject": "Hi {name",
            "body": "ok", "is_active": "on"}  # fmt: skip
    response = operator.post("/admin/notifications/notificationtemplate/add/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert "Unbalanced braces" in response.content.decode()
    assert not NotificationTemplate.objects.exists()


def test_admin_refuses_placeholders_with_formatting(operator):
    form = {"event": "member.birthday", "channel": "sms", "language": "en", "subject": "Hi {name:>10}",
            "body": "ok", "is_active": "on"}  # fmt: skip
    response = operator.post("/admin/notifications/notificationtemplate/add/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert "without formatting: name" in response.content.decode()
    assert not NotificationTemplate.objects.exists()
