from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-app message")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    # Not an outbox channel: calls are staff tasks (the staff_tasks app). A "call" preference that is off means the
    # member asked not to be phoned; the task rules leave them out.
    CALL = "call", _("Phone call by staff")


# Channels a member may switch off per category; the in-app inbox always receives everything.
SWITCHABLE_CHANNELS = ("sms", "email")


class Category(models.TextChoices):
    TRANSACTIONAL = "transactional", _("Transactional")
    SERVICE = "service", _("Service")
    MARKETING = "marketing", _("Marketing")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    HELD = "held", _("Held (campaign paused)")


class Notification(models.Model):
    """The outbox: one row per message per channel, written in the transaction of the event that causes it.

    In-app rows are delivered by being written; SMS and e-mail rows are sent by a task after commit.
    """

    # Not indexed on its own: the inbox index below starts with it.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
        null=True,
        verbose_name=_("recipient"),
    )
    # An SMS to a phone that has no account yet (a lead). Nullable so the set-based INSERTs need not name it.
    to_phone = models.CharField(max_length=32, null=True, blank=True, verbose_name=_("to phone"))  # noqa: DJ001
    category = models.CharField(
        max_length=16, choices=Category.choices, default=Category.TRANSACTIONAL, verbose_name=_("category")
    )
    event = models.CharField(max_length=60, verbose_name=_("event"))
    channel = models.CharField(max_length=8, choices=Channel.choices, verbose_name=_("channel"))
    subject = models.CharField(max_length=200, verbose_name=_("subject"))
    body = models.TextField(verbose_name=_("body"))
    link = models.CharField(max_length=200, blank=True, verbose_name=_("link"))
    dedupe_key = models.CharField(max_length=200, verbose_name=_("dedupe key"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    send_after = models.DateTimeField(default=timezone.now, verbose_name=_("send after"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    provider_message_id = models.CharField(max_length=64, blank=True, verbose_name=_("provider message id"))
    provider_status = models.CharField(max_length=20, blank=True, verbose_name=_("delivery report"))
    # Set when a delivery task was queued for the row; cleared again when queuing failed (broker down), so the
    # dispatcher picks the row up on its next run.
    enqueued_at = models.DateTimeField(null=True, blank=True, verbose_name=_("queued at"))
    sending_started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sending started at"))
    # E-mail only: files to attach, [{"path", "filename", "content_type"}] (the file stays where it is, on the
    # shared media volume). Nullable so the set-based INSERTs and the database functions need not name it.
    attachments = models.JSONField(null=True, blank=True, verbose_name=_("attachments"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_inbox"),
            models.Index(fields=["status", "send_after"], name="notification_due"),
            # What the dispatcher claims: pending, not queued, oldest first — without reading the rest of the outbox.
            models.Index(
                fields=["send_after", "id"],
                name="notification_to_dispatch",
                condition=Q(status="pending", enqueued_at__isnull=True),
            ),
        ]
        constraints = [
            # A constraint, not unique=True: the same guarantee (ON CONFLICT relies on it) without a second
            # pattern-matching index that no query uses.
            models.UniqueConstraint(fields=["dedupe_key"], name="notification_dedupe_key_unique"),
            # Either an account or (for SMS) a bare phone number.
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | Q(channel="sms", to_phone__isnull=False),
                name="notification_has_recipient_or_phone",
            ),
        ]
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.channel}:{self.event} → {self.recipient_id or self.to_phone}"


class SmsOptOut(models.Model):
    """A phone that replied the opt-out keyword, whether or not it has an account: no marketing SMS to it."""

    phone = models.CharField(_("phone"), max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("SMS opt-out")
        verbose_name_plural = _("SMS opt-outs")

    def __str__(self) -> str:
        return self.phone


class Preference(models.Model):
    """A member's choice for one category on one channel. No row means "on". Transactional messages cannot be
    switched off; the in-app inbox always receives everything."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(max_length=16, choices=Category.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    is_enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "category", "channel"], name="one_preference_per_category_channel"),
            models.CheckConstraint(
                condition=~Q(category="transactional", is_enabled=False), name="transactional_always_on"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.category}/{self.channel}: {self.is_enabled}"


class NotificationTemplate(models.Model):
    """An operator's text for one event, channel and language, replacing the built-in default."""

    event = models.CharField(_("event"), max_length=60)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "language"], name="one_template_per_event_channel_language"
            )
        ]
        ordering = ["event", "channel", "language"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self) -> str:
        return f"{self.event} · {self.channel} · {self.language}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from notifications.catalog import formatted_placeholders_in, get_event, placeholders_in

        spec = get_event(self.event)
        if spec is None:
            raise ValidationError({"event": _("Unknown event.")})
        allowed = set(spec.placeholders)
        errors = {}
        for field_name in ("subject", "body"):
            try:
                unknown = placeholders_in(getattr(self, field_name)) - allowed
            except ValueError:
                errors[field_name] = _("Unbalanced braces: write {name} for a placeholder.")
                continue
            if unknown:
                errors[field_name] = _("Unknown placeholders: %(names)s. Allowed: %(allowed)s.") % {
                    "names": ", ".join(sorted(unknown)),
                    "allowed": ", ".join(spec.placeholders) or "—",
                }
            elif formatted := formatted_placeholders_in(getattr(self, field_name)):
                errors[field_name] = _("Write placeholders as {name}, without formatting: %(names)s.") % {
                    "names": ", ".join(sorted(formatted))
                }
        if errors:
            raise ValidationError(errors)


class ReminderPolicy(models.Model):
    """Operator settings of the reminder rules (one row). Maintenance intervals are set per car model."""

    days_before = models.CharField(
        _("care reminders, days before"), max_length=40, default="7,1", help_text=_("Comma-separated, e.g. 7,1")
    )
    send_hour = models.PositiveSmallIntegerField(_("reminders go out at (hour, local)"), default=9)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(send_hour__gte=8, send_hour__lte=20), name="reminder_daytime")
        ]
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return str(_("Reminder settings"))

    def clean(self):
        from django.core.exceptions import ValidationError

        try:
            days = [int(part) for part in self.days_before.split(",") if part.strip()]
        except ValueError:
            raise ValidationError({"days_before": _("Whole numbers separated by commas, e.g. 7,1.")}) from None
        if not days or any(day < 0 or day > 90 for day in days):
            raise ValidationError({"days_before": _("Give one to a few numbers of days between 0 and 90.")})

    @property
    def day_offsets(self) -> list[int]:
        return sorted({int(part) for part in self.days_before.split(",") if part.strip()}, reverse=True)

    @classmethod
    def current(cls) -> "ReminderPolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy
