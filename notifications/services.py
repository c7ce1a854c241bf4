"""The outbox. Domain apps say *when* and *what* (an event, a text, a dedupe key); this app decides *how*."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.exceptions import InvalidPreference
from notifications.models import SWITCHABLE_CHANNELS, Category, Channel, Notification, Preference, Status
from notifications.sms import SmsDeliveryError, send_sms

logger = logging.getLogger("member_center.notifications")


def queue_notification(
    *,
    recipient_id: int,
    event: str,
    subject: str,
    body: str,
    dedupe_key: str,
    channels: Iterable[str] = (Channel.INBOX,),
    category: str = Category.TRANSACTIONAL,
    link: str = "",
) -> list[Notification]:
    """Write one outbox row per channel in the caller's transaction; SMS and e-mail go out after commit.

    The same ``dedupe_key`` twice creates nothing new, so an event delivered twice notifies once. Returns the rows
    this call created (none when they all existed already).
    """
    rows = []
    now = timezone.now()
    off = disabled_channels(user_id=recipient_id, category=category)
    for channel in channels:
        if channel in off:
            continue
        row, created = Notification.objects.get_or_create(
            dedupe_key=f"{dedupe_key}:{channel}",
            defaults={
                "recipient_id": recipient_id,
                "event": event,
                "channel": channel,
                "category": category,
                "subject": subject[:200],
                "body": body,
                "link": link,
                # In-app messages are delivered by being written.
                "status": Status.SENT if channel == Channel.INBOX else Status.PENDING,
                "sent_at": now if channel == Channel.INBOX else None,
            },
        )
        if not created:
            continue
        if channel != Channel.INBOX:
            from notifications.tasks import deliver_notification_task

            transaction.on_commit(lambda pk=row.pk: deliver_notification_task.delay(notification_id=pk))
        rows.append(row)
    return rows


def deliver_notification(*, notification_id: int) -> Notification:
    """Send one SMS or e-mail row. The status change to ``sending`` is atomic, so a redelivered task sends nothing."""
    claimed = Notification.objects.filter(pk=notification_id, status=Status.PENDING).update(
        status=Status.SENDING, attempts=F("attempts") + 1
    )
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    if not claimed:
        return notification
    try:
        notification.provider_message_id = _send_through_channel(notification=notification)
    except SmsDeliveryError as error:
        notification.status = Status.PENDING if error.is_retryable else Status.FAILED
        notification.last_error = str(error)[:2000]
        notification.save(update_fields=["status", "last_error"])
        if error.is_retryable:
            raise
        return notification
    notification.status = Status.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["status", "sent_at", "last_error", "provider_message_id"])
    return notification


def _send_through_channel(*, notification: Notification) -> str:
    """Send the row's message; return the provider's message id. Raises SmsDeliveryError when it cannot go out."""
    if notification.channel == Channel.SMS:
        if not notification.recipient.phone:
            raise SmsDeliveryError("The recipient has no phone number.", is_retryable=False)
        return send_sms(to=str(notification.recipient.phone), body=notification.body).provider_message_id
    member = getattr(notification.recipient, "member", None)
    address = (member.email if member is not None else "") or notification.recipient.email
    if not address:
        raise SmsDeliveryError("The recipient has no e-mail address.", is_retryable=False)
    send_mail(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [address])
    return ""


@transaction.atomic
def mark_inbox_message_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def save_preferences(*, user, choices: dict[str, dict[str, bool]]) -> None:
    """``choices`` is {category: {channel: on}}. Transactional messages and the in-app inbox cannot be switched off."""
    for category, channels in choices.items():
        if category not in Category.values:
            raise InvalidPreference(_("Unknown category %(category)s.") % {"category": category})
        for channel, is_enabled in channels.items():
            if channel not in SWITCHABLE_CHANNELS:
                raise InvalidPreference(_("Unknown channel %(channel)s.") % {"channel": channel})
            if category == Category.TRANSACTIONAL and not is_enabled:
                raise InvalidPreference(_("Messages about your applications and payments cannot be switched off."))
            Preference.objects.update_or_create(
                user=user, category=category, channel=channel, defaults={"is_enabled": bool(is_enabled)}
            )


def disabled_channels(*, user_id: int, category: str) -> set[str]:
    if category == Category.TRANSACTIONAL:
        return set()
    return set(
        Preference.objects.filter(user_id=user_id, category=category, is_enabled=False).values_list(
            "channel", flat=True
        )
    )
