"""Messages and notification preferences through the API (docs/api.md "Cars, bills, messages")."""

import pytest

from notifications.models import Notification, Preference
from notifications.selectors import has_switched_off_calls
from notifications.services import queue_notification
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db


def send(member, key, category="transactional", channels=("inbox",)):
    return queue_notification(
        recipient_id=member.user_id, event="test.event", subject=f"主题 {key}", body="内容", dedupe_key=key,
        category=category, channels=channels,
    )  # fmt: skip


def test_inbox_newest_first_with_unread_count_and_read(member_client, member):
    send(member, "a")
    send(member, "b")
    send(MemberFactory(), "someone-else")
    body = member_client.get("/api/v1/inbox/").json()
    assert [message["subject"] for message in body["results"]] == ["主题 b", "主题 a"]
    assert body["unread"] == 2
    first_id = body["results"][0]["id"]
    assert member_client.post(f"/api/v1/inbox/{first_id}/read/").status_code == 204
    assert member_client.post(f"/api/v1/inbox/{first_id}/read/").status_code == 204
    assert member_client.get("/api/v1/inbox/").json()["unread"] == 1


def test_reading_someone_elses_message_is_404(member_client):
    [other] = send(MemberFactory(), "x")
    response = member_client.post(f"/api/v1/inbox/{other.pk}/read/")
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_preferences_default_on_and_marketing_can_be_switched_off(member_client, member):
    assert member_client.get("/api/v1/preferences/").json() == {
        "transactional": {"sms": True, "email": True},
        "service": {"sms": True, "email": True},
        "marketing": {"sms": True, "email": True},
        "calls": True,
    }
    response = member_client.put("/api/v1/preferences/", {"marketing": {"sms": False}}, format="json")
    assert response.status_code == 200
    assert response.json()["marketing"] == {"sms": False, "email": True}
    rows = send(member, "promo", category="marketing", channels=("inbox", "sms"))
    assert [row.channel for row in rows] == ["inbox"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"transactional": {"sms": False}}, "invalid_preference"),
        ({"marketing": {"pigeon": False}}, "invalid_preference"),
        ({"newsletter": {"sms": False}}, "invalid_preference"),
        ({"marketing": {"sms": "maybe"}}, "invalid"),
        ({"calls": "no"}, "invalid"),
        (["not", "an", "object"], "invalid"),
    ],
)
def test_bad_preferences_are_400_and_change_nothing(member_client, member, body, code):
    response = member_client.put("/api/v1/preferences/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Preference.objects.exists()


def test_transactional_messages_reach_every_channel_regardless(member):
    rows = send(member, "approved", channels=("inbox", "sms"))
    assert [row.channel for row in rows] == ["inbox", "sms"]
    assert Notification.objects.filter(dedupe_key__startswith="approved").count() == 2


def test_a_member_switches_staff_calls_off_and_back_on(member_client, member):
    response = member_client.put("/api/v1/preferences/", {"calls": False}, format="json")

    assert response.status_code == 200
    assert response.json()["calls"] is False
    assert response.json()["service"] == {"sms": True, "email": True}  # messages untouched
    assert has_switched_off_calls(user_id=member.user_id)
    member_client.put("/api/v1/preferences/", {"calls": True}, format="json")
    assert not has_switched_off_calls(user_id=member.user_id)
    assert member_client.get("/api/v1/preferences/").json()["calls"] is True


def test_the_settings_page_switches_staff_calls_off(client, member):
    client.force_login(member.user)

    response = client.post("/me/notifications/", {"service:sms": "on", "marketing:sms": "on"})

    assert response.status_code == 302
    assert has_switched_off_calls(user_id=member.user_id)
    assert 'id="pref-calls"' in client.get("/me/notifications/").content.decode()
