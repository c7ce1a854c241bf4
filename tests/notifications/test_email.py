"""E-mail through a real local SMTP server (aiosmtpd): HTML and text, and the unsubscribe link on marketing mail."""

import datetime
import email
import email.header
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from notifications.models import Preference
from notifications.services import deliver_notification, queue_notification

pytestmark = pytest.mark.django_db(transaction=True)


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://member.example.com"
    yield inbox
    controller.stop()


def parts(message):
    return {part.get_content_type(): part.get_payload(decode=True).decode() for part in message.walk()
            if part.get_content_type() in ("text/plain", "text/html")}  # fmt: skip


def test_transactional_mail_arrives_in_html_and_text_without_unsubscribe(smtp, member):
    member.email = "buyer@example.com"
    member.save()
    [row] = queue_notification(
        recipient_id=member.user_id, event="order.approved", subject="申请已通过", body="恭喜，您的申请已通过。",
        dedupe_key="mail1", channels=("email",), link="/me/orders/1/",
    )  # fmt: skip
    row.refresh_from_db()
    assert row.status == "sent"
    [(recipients, message)] = smtp.messages
    assert recipients == ["buyer@example.com"]
    assert str(email.header.make_header(email.header.decode_header(message["Subject"]))) == "申请已通过"
    bodies = parts(message)
    assert "恭喜，您的申请已通过。" in bodies["text/plain"]
    assert "https://member.example.com/me/orders/1/" in bodies["text/html"]
    assert "unsubscribe" not in bodies["text/html"].lower()
    assert message["List-Unsubscribe"] is None


def test_marketing_mail_carries_a_working_unsubscribe_link(smtp, member, client):
    member.email = "buyer@example.com"
    member.save()
    queue_notification(
        recipient_id=member.user_id, event="campaign", subject="双十二购车节", body="限时优惠", dedupe_key="mail2",
        channels=("email",), category="marketing",
    )  # fmt: skip
    [(_recipients, message)] = smtp.messages
    url = re.search(r"https://member\.example\.com(/unsubscribe/[^/]+/)", parts(message)["text/plain"]).group(1)
    assert message["List-Unsubscribe"].strip() == f"<https://member.example.com{url}>"  # folded header
    assert client.get(url).status_code == 200
    assert not Preference.objects.exists()  # the GET only asks
    assert 'id="unsubscribed"' in client.post(url).content.decode()
    assert Preference.objects.get(user=member.user, category="marketing", channel="email").is_enabled is False
    assert client.get("/unsubscribe/forged-token/").status_code == 404


def test_smtp_down_is_a_retryable_failure(member, settings):
    from notifications.sms import SmsDeliveryError

    member.email = "buyer@example.com"
    member.save()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    [row] = queue_notification(
        recipient_id=member.user_id, event="t", subject="s", body="b", dedupe_key="mail3", channels=("email",),
        send_after=timezone.now() + datetime.timedelta(hours=1),
    )  # fmt: skip
    from notifications.models import Notification

    Notification.objects.filter(pk=row.pk).update(send_after=row.created_at)
    with pytest.raises(SmsDeliveryError):
        deliver_notification(notification_id=row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1)
