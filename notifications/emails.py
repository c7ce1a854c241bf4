"""E-mail in both HTML and text, with a one-click unsubscribe link on marketing mail."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from notifications.models import Category

_UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def unsubscribe_token(*, user_id: int, category: str) -> str:
    return signing.dumps({"user": user_id, "category": category}, salt=_UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> dict | None:
    try:
        return signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None


def build_email(*, notification, address: str) -> EmailMultiAlternatives:
    context = {
        "subject": notification.subject,
        "body": notification.body,
        "unsubscribe_url": "",
        "customer_service_phone": settings.CUSTOMER_SERVICE_PHONE,
    }
    if notification.link:
        context["link"] = f"{settings.SITE_URL.rstrip('/')}{notification.link}"
    headers = {}
    if notification.category == Category.MARKETING:
        token = unsubscribe_token(user_id=notification.recipient_id, category=Category.MARKETING)
        url = f"{settings.SITE_URL.rstrip('/')}{reverse('notifications:unsubscribe', args=[token])}"
        context["unsubscribe_url"] = url
        headers["List-Unsubscribe"] = f"<{url}>"
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=render_to_string("notifications/email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers=headers,
    )
    message.attach_alternative(render_to_string("notifications/email.html", context), "text/html")
    for attachment in notification.attachments or ():
        with open(attachment["path"], "rb") as handle:
            message.attach(attachment["filename"], handle.read(), attachment["content_type"])
    return message
