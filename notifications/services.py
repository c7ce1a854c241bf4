"""The outbox. Domain apps say *when* and *what* (an event, a text, a dedupe key); this app decides *how*.

A row is written in the transaction of the event that causes it. In-app rows are delivered by being written; SMS
and e-mail rows are sent by a Celery task queued after commit (a call is no message: it is a staff task). Rows due
later, and rows whose queuing failed (broker down), are picked up by the every-minute dispatcher; rows interrupted
mid-send are marked failed for staff by the sweeper and never resent blindly, so nothing is lost and nothing is sent
twice.
"""

import datetime
import logging
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.emails import build_email
from notifications.exceptions import InvalidPreference
from notifications.models import (
    SWITCHABLE_CHANNELS,
    Category,
    Channel,
    Notification,
    Preference,
    SmsOptOut,
    Status,
)
from notifications.ratelimit import acquire_send_slot
from notifications.sms import SmsDeliveryError, send_sms

logger = logging.getLogger("member_center.notifications")

SENT_BY_TASK = (Channel.SMS, Channel.EMAIL)


def quiet_hours_shift(*, at: datetime.datetime, channel: str, category: str) -> datetime.datetime:
    """No service or marketing SMS between QUIET_HOURS_START and QUIET_HOURS_END local time: such a message waits
    for the end of the quiet hours, it is never dropped. Transactional SMS (a sign-in code, a payment) go at once."""
    if channel != Channel.SMS or category == Category.TRANSACTIONAL:
        return at
    local = timezone.localtime(at)
    start, end = settings.QUIET_HOURS_START, settings.QUIET_HOURS_END
    if end <= local.hour < start:
        return at
    morning = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if local.hour >= start:
        morning += datetime.timedelta(days=1)
    return morning


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
    send_after: datetime.datetime | None = None,
    attachments: list[dict] | None = None,
) -> list[Notification]:
    """Write one outbox row per channel in the caller's transaction; what is due now goes out after commit.
    ``attachments`` (e-mail rows only) name files to attach: ``{"path", "filename", "content_type"}``.

    The same ``dedupe_key`` twice creates nothing new, so an event delivered twice notifies once. Returns the rows
    this call created (none when they all existed already).
    """
    if Channel.CALL in channels:
        raise ValueError("A call is a staff task, not a message: open it with staff_tasks.services.open_task.")
    rows = []
    now = timezone.now()
    off = disabled_channels(user_id=recipient_id, category=category)
    for channel in channels:
        if channel in off:
            continue
        due = quiet_hours_shift(at=send_after or now, channel=channel, category=category)
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
                "send_after": due,
                "attachments": attachments if channel == Channel.EMAIL and attachments else None,
                # In-app messages are delivered by being written.
                "status": Status.PENDING if channel in SENT_BY_TASK else Status.SENT,
                "sent_at": None if channel in SENT_BY_TASK else now,
            },
        )
        if not created:
            continue
        if channel in SENT_BY_TASK and due <= now:
            _enqueue_after_commit(row)
        rows.append(row)
    return rows


def sms_opted_out(*, phone: str, category: str) -> bool:
    """Whether a phone may not get an SMS of this category: it replied the opt-out keyword, or the account with
    that phone switched SMS of the category off. Transactional messages are never switched off."""
    if category == Category.TRANSACTIONAL:
        return False
    return (
        SmsOptOut.objects.filter(phone=phone).exists()
        or Preference.objects.filter(
            user__phone=phone, category=category, channel=Channel.SMS, is_enabled=False
        ).exists()
    )


def queue_sms_to_phone(
    *, phone: str, event: str, subject: str, body: str, dedupe_key: str, category: str = Category.MARKETING
) -> Notification | None:
    """An outbox SMS to a phone that may have no account (a lead), in the caller's transaction. Nothing is written
    for an opted-out phone; the same ``dedupe_key`` twice writes one row. Returns the row created, else None."""
    if sms_opted_out(phone=phone, category=category):
        return None
    now = timezone.now()
    due = quiet_hours_shift(at=now, channel=Channel.SMS, category=category)
    row, created = Notification.objects.get_or_create(
        dedupe_key=f"{dedupe_key}:{Channel.SMS}",
        defaults={
            "recipient": None,
            "to_phone": phone,
            "event": event,
            "channel": Channel.SMS,
            "category": category,
            "subject": subject[:200],
            "body": body,
            "send_after": due,
        },
    )
    if not created:
        return None
    if due <= now:
        _enqueue_after_commit(row)
    return row


def record_sms_opt_out(*, phone: str) -> None:
    """The phone replied the opt-out keyword: remembered by number, so it holds before the phone has an account."""
    if phone:
        SmsOptOut.objects.get_or_create(phone=phone[:32])


def _enqueue_after_commit(row: Notification) -> None:
    row.enqueued_at = timezone.now()
    row.save(update_fields=["enqueued_at"])
    transaction.on_commit(lambda pk=row.pk: enqueue_delivery(notification_id=pk))


def enqueue_delivery(*, notification_id: int) -> bool:
    """Hand the row to a worker. When the broker is unreachable the row stays pending and the dispatcher retries."""
    from notifications.tasks import deliver_notification_task

    try:
        deliver_notification_task.apply_async(kwargs={"notification_id": notification_id}, retry=False)
    except Exception:  # noqa: BLE001  (any broker failure: the row is kept and picked up again)
        logger.warning(
            "broker unavailable, notification left for the dispatcher", extra={"notification": notification_id}
        )
        Notification.objects.filter(pk=notification_id, status=Status.PENDING).update(enqueued_at=None)
        return False
    return True


def dispatch_due_notifications(*, limit: int | None = None) -> int:
    """Queue delivery of pending rows that are due and not queued; run every minute by beat. Rows are claimed with
    SKIP LOCKED, so two dispatchers at once split the work instead of queuing a row twice."""
    now = timezone.now()
    if limit is None:
        # A minute's worth at the providers' rates, with a fifth to spare, so the queue never runs dry between runs.
        limit = max(100, int((settings.SMS_RATE_PER_SECOND + settings.EMAIL_RATE_PER_SECOND) * 60 * 1.2))
    with transaction.atomic():
        ids = list(
            Notification.objects.filter(
                status=Status.PENDING, channel__in=SENT_BY_TASK, send_after__lte=now, enqueued_at__isnull=True
            )
            .order_by("send_after", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        Notification.objects.filter(pk__in=ids).update(enqueued_at=now)
    return sum(enqueue_delivery(notification_id=pk) for pk in ids)


def sweep_stuck_notifications() -> dict[str, int]:
    """Rows queued long ago but never taken (a lost broker message) go back to the dispatcher; rows left "sending"
    (a worker killed mid-send) are marked failed with an explanation, for staff to check and resend by hand."""
    cutoff = timezone.now() - datetime.timedelta(minutes=settings.NOTIFICATION_STUCK_MINUTES)
    requeued = Notification.objects.filter(status=Status.PENDING, enqueued_at__lt=cutoff).update(enqueued_at=None)
    interrupted = Notification.objects.filter(status=Status.SENDING, sending_started_at__lt=cutoff).update(
        status=Status.FAILED,
        last_error="Interrupted while sending; the provider may or may not have sent it. Check before resending.",
    )
    return {"requeued": requeued, "interrupted": interrupted}


class Throttled(Exception):
    """The provider's shared rate limit is used up for this second; try again in a moment."""


def deliver_notification(*, notification_id: int) -> Notification:
    """Send one SMS or e-mail row. The status change to ``sending`` is one atomic UPDATE, so a task delivered twice
    (acks_late redelivery, a second dispatcher) sends nothing the second time."""
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    if notification.status != Status.PENDING:
        return notification
    # A long send (a campaign, a holiday greeting) may run into the evening: what is not out by then waits.
    later = quiet_hours_shift(at=timezone.now(), channel=notification.channel, category=notification.category)
    if later > timezone.now():
        Notification.objects.filter(pk=notification_id, status=Status.PENDING).update(
            send_after=later, enqueued_at=None
        )
        return notification
    provider = settings.SMS_BACKEND if notification.channel == Channel.SMS else "email"
    per_second = settings.SMS_RATE_PER_SECOND if notification.channel == Channel.SMS else settings.EMAIL_RATE_PER_SECOND
    if not acquire_send_slot(provider=provider, per_second=per_second):
        raise Throttled()
    claimed = Notification.objects.filter(pk=notification_id, status=Status.PENDING).update(
        status=Status.SENDING, attempts=F("attempts") + 1, sending_started_at=timezone.now()
    )
    if not claimed:
        return Notification.objects.get(pk=notification_id)
    notification.refresh_from_db(fields=["status", "attempts", "sending_started_at"])
    try:
        notification.provider_message_id = _send_through_channel(notification=notification)
    except SmsDeliveryError as error:
        retry = error.is_retryable and notification.attempts < settings.NOTIFICATION_MAX_ATTEMPTS
        notification.status = Status.PENDING if retry else Status.FAILED
        notification.last_error = str(error)[:2000]
        notification.save(update_fields=["status", "last_error"])
        if retry:
            raise
        return notification
    notification.status = Status.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["status", "sent_at", "last_error", "provider_message_id"])
    return notification


def sms_text(*, body: str, category: str) -> str:
    """Mainland SMS rules: the sender's signature in 【】 first, and an opt-out line on marketing messages."""
    with translation.override(settings.LANGUAGE_CODE):
        signature = str(_("[Member Center]"))
        text = body if body.startswith(signature) else f"{signature}{body}"
        if category == Category.MARKETING:
            opt_out = _("Reply TD to unsubscribe")
            text = f"{text} {opt_out}"
    return text


def _send_through_channel(*, notification: Notification) -> str:
    """Send the row's message; return the provider's message id. Raises SmsDeliveryError when it cannot go out."""
    if notification.channel == Channel.SMS:
        phone = notification.to_phone or (notification.recipient.phone if notification.recipient else "")
        if not phone:
            raise SmsDeliveryError("The recipient has no phone number.", is_retryable=False)
        text = sms_text(body=notification.body, category=notification.category)
        return send_sms(to=str(phone), body=text).provider_message_id
    member = getattr(notification.recipient, "member", None)
    address = (member.email if member is not None else "") or notification.recipient.email
    if not address:
        raise SmsDeliveryError("The recipient has no e-mail address.", is_retryable=False)
    try:
        build_email(notification=notification, address=address).send()
    except (OSError, smtplib.SMTPException) as error:  # SMTP refused or unreachable
        raise SmsDeliveryError(f"E-mail could not be sent: {error}", is_retryable=True) from error
    return ""


@transaction.atomic
def resend_failed_notification(*, notification_id: int) -> Notification:
    """Staff resend a failed row (from the admin): it becomes pending again and is queued after commit."""
    notification = Notification.objects.select_for_update().get(pk=notification_id)
    if notification.status != Status.FAILED:
        return notification
    notification.status = Status.PENDING
    notification.send_after = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["status", "send_after", "last_error"])
    _enqueue_after_commit(notification)
    return notification


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


@transaction.atomic
def save_call_preference(*, user, accepts_calls: bool) -> None:
    """Whether staff may phone the member about care and offers (return visits, the 3-day call, invitations, churn
    recall): one switch for both categories, since the task rules leave out anyone with a call switched off. Calls
    about money owed are transactional and stay (``staff_tasks.rules.respects_call_opt_out``)."""
    for category in (Category.SERVICE, Category.MARKETING):
        Preference.objects.update_or_create(
            user=user, category=category, channel=Channel.CALL, defaults={"is_enabled": accepts_calls}
        )


def disabled_channels(*, user_id: int, category: str) -> set[str]:
    if category == Category.TRANSACTIONAL:
        return set()
    return set(
        Preference.objects.filter(user_id=user_id, category=category, is_enabled=False).values_list(
            "channel", flat=True
        )
    )


# Twilio's final failure states; "delivered" confirms a sent row.
_PROVIDER_FAILURES = {"failed", "undelivered"}


def record_provider_status(*, provider_message_id: str, status: str, error_code: str = "") -> int:
    """A delivery report from the provider. Updates the row with that provider id; a failure shows it to staff."""
    if not provider_message_id or not status:
        return 0
    rows = Notification.objects.filter(provider_message_id=provider_message_id)
    if status in _PROVIDER_FAILURES:
        return rows.update(
            provider_status=status[:20], status=Status.FAILED, last_error=f"provider reported {status} {error_code}"
        )
    return rows.update(provider_status=status[:20])


def seed_message_templates() -> int:
    """Write the built-in text of every event, channel and language as editable templates (existing ones are kept)."""
    from notifications.catalog import all_events, default_text
    from notifications.models import NotificationTemplate

    created = 0
    for spec in all_events():
        channels = set(spec.channel_bodies) | {Channel.INBOX, Channel.SMS, Channel.EMAIL}
        for channel in sorted(channels):
            for language, _label in settings.LANGUAGES:
                subject, body = default_text(event=spec.code, channel=channel, language=language)
                _template, was_created = NotificationTemplate.objects.get_or_create(
                    event=spec.code,
                    channel=channel,
                    language=language,
                    defaults={"subject": subject[:200], "body": body},
                )
                created += was_created
    return created


def hold_pending(*, event: str) -> int:
    """Pause: pending rows of an event (a campaign) are held back from the dispatcher."""
    return Notification.objects.filter(event=event, status=Status.PENDING).update(status=Status.HELD, enqueued_at=None)


def release_held(*, event: str) -> int:
    """Resume: held rows go back to the dispatcher, which sends them at the provider's pace."""
    return Notification.objects.filter(event=event, status=Status.HELD).update(status=Status.PENDING, enqueued_at=None)


def sms_reply_names_a_complaint(body: str) -> bool:
    """Whether an SMS reply contains one of ``COMPLAINT_SMS_KEYWORDS``. From a member's phone such a reply opens a
    complaint (crm.care.complaints) instead of a generic call-back task: one rule, read by both subscribers."""
    text = (body or "").lower()
    return any(keyword.lower() in text for keyword in settings.COMPLAINT_SMS_KEYWORDS)


def record_sms_reply(*, phone: str, body: str, message_sid: str) -> None:
    """A member's (or anyone's) SMS reply other than an opt-out — "please call me" — is not dropped: it becomes the
    domain event ``sms.replied``, whose subscriber (settings.DOMAIN_EVENT_SUBSCRIBERS) opens a call-back task."""
    from domain_events.services import record_event

    with transaction.atomic():
        record_event(
            name="sms.replied", payload={"phone": phone[:30], "body": body[:1000], "message_sid": message_sid[:64]}
        )
