"""Member-center pages for messages, notification settings, cars and loans."""

import pytest

from notifications.models import Preference
from notifications.services import queue_notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, member):
    client.force_login(member.user)
    return client


def test_unread_badge_on_every_page_and_reading_clears_it(signed_in, member):
    [message] = queue_notification(
        recipient_id=member.user_id, event="test", subject="审核通过", body="恭喜", dedupe_key="m1"
    )
    for url in ("/", "/cars/", "/me/"):
        assert 'id="unread-badge">1<' in signed_in.get(url).content.decode(), url
    inbox = signed_in.get("/me/messages/").content.decode()
    assert "审核通过" in inbox
    detail = signed_in.get(f"/me/messages/{message.pk}/").content.decode()
    assert "恭喜" in detail
    assert 'id="unread-badge"' not in signed_in.get("/me/").content.decode()


def test_someone_elses_message_is_404(signed_in):
    from tests.members.factories import MemberFactory

    [other] = queue_notification(recipient_id=MemberFactory().user_id, event="t", subject="s", body="b", dedupe_key="x")
    assert signed_in.get(f"/me/messages/{other.pk}/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_marketing_sms_switched_off_on_the_settings_page(signed_in, member):
    page = signed_in.get("/me/notifications/").content.decode()
    assert 'name="transactional:sms"' in page
    assert "disabled" in page
    signed_in.post(
        "/me/notifications/", {"service:sms": "on", "service:email": "on", "marketing:email": "on", "calls": "on"}
    )
    assert list(Preference.objects.filter(is_enabled=False).values_list("category", "channel")) == [
        ("marketing", "sms")
    ]


def test_my_cars_and_mileage_update(cast, client):
    cast.advance(cast.new_order(), "delivered")
    client.force_login(cast.member_user)
    page = client.get("/me/cars/").content.decode()
    assert "粤B·16888" in page
    car_id = cast.member.vehicles.get().pk
    client.post(f"/me/cars/{car_id}/mileage/", {"mileage": "1500"})
    response = client.post(f"/me/cars/{car_id}/mileage/", {"mileage": "100"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "The mileage cannot go down" in response.content.decode()
    assert cast.member.vehicles.get().mileage_km == 1500
    bad = client.post(f"/me/cars/{car_id}/mileage/", {"mileage": "abc"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "whole kilometres" in bad.content.decode()


def test_loans_page_lists_the_schedule(cast, client):
    order = cast.advance(cast.new_order(), "funded")
    client.force_login(cast.member_user)
    page = client.get("/me/loans/").content.decode()
    assert f'data-loan="{order.loan.pk}"' in page
    assert page.count("<tr data-installment=") == 36


def test_admin_resends_failed_messages(client, member, sms_outbox):
    from members.services import ensure_role_groups
    from notifications.models import Notification
    from tests.members.factories import StaffFactory

    boss = StaffFactory(username="hq-outbox", role="head_office")
    boss.groups.set([ensure_role_groups()["head_office"]])
    [row] = queue_notification(recipient_id=member.user_id, event="t", subject="s", body="b", dedupe_key="f",
                               channels=("sms",))  # fmt: skip
    Notification.objects.filter(pk=row.pk).update(status="failed", last_error="boom")
    client.force_login(boss)
    client.post("/admin/notifications/notification/", {"action": "resend", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.status in ("pending", "sent")
