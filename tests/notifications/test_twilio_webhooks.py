"""Twilio's status callbacks and inbound SMS, signed (and wrongly signed) with the client library's own validator."""

import pytest
from twilio.request_validator import RequestValidator

from notifications.models import Notification, Preference
from notifications.services import queue_notification

pytestmark = pytest.mark.django_db

TOKEN = "test-auth-token"


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_WEBHOOK_BASE_URL = "https://member.example.com"


def signed_post(client, path, params, *, token=TOKEN):
    signature = RequestValidator(token).compute_signature(f"https://member.example.com{path}", params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.fixture
def sent_sms(member):
    [row] = queue_notification(
        recipient_id=member.user_id, event="t", subject="s", body="b", dedupe_key="cb", channels=("sms",)
    )
    Notification.objects.filter(pk=row.pk).update(status="sent", provider_message_id="SM" + "1" * 32)
    return row


def test_delivered_status_is_recorded(client, sent_sms):
    response = signed_post(
        client, "/webhooks/twilio/status/", {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered"}
    )
    assert response.status_code == 204
    sent_sms.refresh_from_db()
    assert (sent_sms.status, sent_sms.provider_status) == ("sent", "delivered")


def test_undelivered_status_marks_the_row_failed_for_staff(client, sent_sms):
    signed_post(
        client, "/webhooks/twilio/status/",
        {"MessageSid": "SM" + "1" * 32, "MessageStatus": "undelivered", "ErrorCode": "30003"},
    )  # fmt: skip
    sent_sms.refresh_from_db()
    assert sent_sms.status == "failed"
    assert "30003" in sent_sms.last_error


def test_a_bad_signature_is_refused_and_changes_nothing(client, sent_sms):
    response = signed_post(
        client, "/webhooks/twilio/status/", {"MessageSid": "SM" + "1" * 32, "MessageStatus": "failed"}, token="wrong"
    )
    assert response.status_code == 403
    unsigned = client.post("/webhooks/twilio/status/", {"MessageSid": "SM" + "1" * 32, "MessageStatus": "failed"})
    assert unsigned.status_code == 403
    sent_sms.refresh_from_db()
    assert (sent_sms.status, sent_sms.provider_status) == ("sent", "")


def test_replying_td_switches_marketing_sms_off(client, member):
    response = signed_post(client, "/webhooks/twilio/inbound/", {"From": str(member.user.phone), "Body": " td "})
    assert response.status_code == 200
    assert "<Message>" in response.content.decode()
    assert Preference.objects.get(user=member.user, category="marketing", channel="sms").is_enabled is False


def test_other_replies_change_no_preference_and_become_a_call_back_task(
    client, member, store, django_capture_on_commit_callbacks
):
    from staff_tasks.models import Task

    member.preferred_store = store
    member.save()
    params = {"From": str(member.user.phone), "Body": " 请给我回个电话 ", "MessageSid": "SM" + "2" * 32}
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, "/webhooks/twilio/inbound/", params)
    assert response.status_code == 200
    assert "<Message>" not in response.content.decode()
    assert not Preference.objects.exists()
    task = Task.objects.get()
    assert (task.kind, task.member, task.store, task.status, task.subject_type) == (
        "custom", member, store, "open", "member",
    )  # fmt: skip
    assert "请给我回个电话" in task.script
    # Twilio retries a webhook it thinks failed: the same message opens no second task.
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(client, "/webhooks/twilio/inbound/", params)
    assert Task.objects.count() == 1


def test_a_reply_from_an_unknown_number_is_a_task_for_head_office(client, django_capture_on_commit_callbacks):
    from staff_tasks.models import Task

    params = {"From": "+8613900000999", "Body": "想了解车贷", "MessageSid": "SM" + "3" * 32}
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(client, "/webhooks/twilio/inbound/", params)
    task = Task.objects.get()
    assert (task.member, task.store, task.contact_phone) == (None, None, "+8613900000999")


def test_without_a_configured_token_an_opt_out_signed_with_an_empty_key_is_refused(client, member, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    response = signed_post(
        client, "/webhooks/twilio/inbound/", {"From": str(member.user.phone), "Body": "TD"}, token=""
    )
    assert response.status_code == 403
    assert not Preference.objects.exists()


def test_without_a_configured_token_a_status_signed_with_an_empty_key_is_refused(client, sent_sms, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    response = signed_post(
        client, "/webhooks/twilio/status/", {"MessageSid": "SM" + "1" * 32, "MessageStatus": "failed"}, token=""
    )
    assert response.status_code == 403
    sent_sms.refresh_from_db()
    assert (sent_sms.status, sent_sms.provider_status, sent_sms.last_error) == ("sent", "", "")
