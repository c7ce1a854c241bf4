import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.care.complaints.enums import (
    OPEN_STATUSES,
    ComplaintCategory,
    ComplaintStatus,
    EscalationLevel,
    FiledBy,
    Severity,
    SlaStatus,
)
from crm.care.complaints.state_machine import ComplaintStateMachine


def private_photo_storage() -> FileSystemStorage:
    """Complaint photos live under MEDIA_ROOT/private with no public URL; a view checks permission and serves them."""
    return FileSystemStorage(location=settings.MEDIA_ROOT / "private", base_url=None)


class SlaTarget(models.Model):
    """Head office's promise per category and severity: business hours to the first response and to resolution."""

    category = models.CharField(_("category"), max_length=20, choices=ComplaintCategory.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    first_response_hours = models.PositiveSmallIntegerField(_("first response (business hours)"))
    resolution_hours = models.PositiveSmallIntegerField(_("resolution (business hours)"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["category", "severity"]
        constraints = [
            models.UniqueConstraint(fields=["category", "severity"], name="complaint_sla_target_unique"),
            models.CheckConstraint(
                condition=Q(first_response_hours__gt=0) & Q(resolution_hours__gte=models.F("first_response_hours")),
                name="complaint_sla_target_hours_ordered",
            ),
        ]
        verbose_name = _("complaint SLA target")
        verbose_name_plural = _("complaint SLA targets")

    def __str__(self) -> str:
        return f"{self.get_category_display()} / {self.get_severity_display()}"


class WorkingDayOverride(models.Model):
    """A date whose working hours the admin sets by hand: a holiday or make-up day the calendar library does not
    know yet (a new year's schedule before the library is updated), or a company day off."""

    day = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(_("working day"))
    opens = models.TimeField(_("opens"), null=True, blank=True, help_text=_("Empty: the usual hours."))
    closes = models.TimeField(_("closes"), null=True, blank=True, help_text=_("Empty: the usual hours."))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__isnull=True) | Q(closes__isnull=True) | Q(opens__lt=models.F("closes")),
                name="working_day_override_opens_before_closes",
            ),
        ]
        verbose_name = _("working-calendar date")
        verbose_name_plural = _("working-calendar dates")

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.note}"


class Complaint(ComplaintStateMachine):
    """One complaint, from the first word to the member's rating. A complaint reopened long after it was closed
    becomes a new complaint pointing at this one (``reopens``)."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("member")
    )
    store = models.ForeignKey(
        "members.Store", on_delete=models.PROTECT, null=True, blank=True, related_name="complaints",
        verbose_name=_("store"),
    )  # fmt: skip
    category = models.CharField(_("category"), max_length=20, choices=ComplaintCategory.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.GENERAL)
    filed_by = models.CharField(_("filed by"), max_length=10, choices=FiledBy.choices)
    description = models.TextField(_("description"))
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("application")
    )
    vehicle = models.ForeignKey(
        "vehicles.OwnedVehicle", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("car"),
    )  # fmt: skip
    reopens = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reopened_as",
        verbose_name=_("reopens complaint"),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("filed by (account)"),
    )  # fmt: skip
    solution = models.TextField(_("solution"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    prevention = models.TextField(_("prevention"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    # Where the SLA clock counts from: the moment received, or the moment a recently closed complaint reopened.
    clock_started_at = models.DateTimeField(_("clock started at"))
    paused_business_seconds = models.PositiveIntegerField(_("business time paused (seconds)"), default=0)
    first_responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The SLA: deadlines in business hours from the moment received (moved on by pauses), and the moments 80 % of
    # each is used. The sweep reads only these columns.
    first_response_due = models.DateTimeField(_("first response due"))
    first_response_risk_at = models.DateTimeField(_("first response at risk from"))
    resolution_due = models.DateTimeField(_("resolution due"))
    resolution_risk_at = models.DateTimeField(_("resolution at risk from"))
    paused_at = models.DateTimeField(_("clock paused at"), null=True, blank=True)
    pause_reason = models.CharField(_("pause reason"), max_length=200, blank=True)
    sla_status = models.CharField(_("SLA"), max_length=10, choices=SlaStatus.choices, default=SlaStatus.ON_TRACK)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalated to"), choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # What the complaint was opened from, when that can repeat (an SMS reply's message id): opened once.
    source_key = models.CharField(  # noqa: DJ001
        _("source key"), max_length=80, null=True, blank=True, unique=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(escalation_level__lte=2), name="complaint_escalation_level_known"),
            models.CheckConstraint(
                condition=Q(status=ComplaintStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=ComplaintStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="complaint_closed_at_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(paused_at__isnull=True) | ~Q(pause_reason=""), name="complaint_pause_has_reason"
            ),
        ]
        indexes = [
            # The SLA sweep and the escalation read the open complaints only.
            models.Index(
                fields=["sla_status", "escalation_level"],
                name="complaint_open_sla",
                condition=Q(status__in=OPEN_STATUSES),
            ),  # fmt: skip
            models.Index(fields=["store", "status"], name="complaint_store_status"),
        ]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.status == ComplaintStatus.CLOSED

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class ComplaintEvent(models.Model):
    """The audit trail: one row per step, pause, resume or change, written in its transaction."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField(max_length=40)
    from_status = models.CharField(max_length=24, choices=ComplaintStatus.choices)
    to_status = models.CharField(max_length=24, choices=ComplaintStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.transition}"


def _photo_path(photo, filename: str) -> str:
    extension = {"image/png": "png", "image/jpeg": "jpg"}.get(photo.content_type, "bin")
    return f"complaints/{photo.complaint_id}/{uuid.uuid4().hex}.{extension}"


class ComplaintPhoto(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), upload_to=_photo_path, storage=private_photo_storage)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("complaint photo")
        verbose_name_plural = _("complaint photos")

    def __str__(self) -> str:
        return f"{self.complaint_id}/{self.pk}"


class ComplaintRating(models.Model):
    """The member's rating of how the complaint was handled: once, after closing."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, related_name="rating", verbose_name=_("complaint")
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="complaint_rating_score_1_to_5"),
        ]
        verbose_name = _("complaint rating")
        verbose_name_plural = _("complaint ratings")

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.score}"
