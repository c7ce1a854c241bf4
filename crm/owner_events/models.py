from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.owner_events.enums import EventKind, RegistrationStatus


class OwnerEvent(models.Model):
    """An owners' event of a store (车友会, test drive, owner class) with a fixed number of places."""

    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    store = models.ForeignKey(
        "members.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="owner_events"
    )
    place = models.CharField(_("place"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"))
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="owner_event_has_places"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="owner_event_ends_after_start"),
        ]
        ordering = ["starts_at", "pk"]
        verbose_name = _("owner event")
        verbose_name_plural = _("owner events")

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    @property
    def is_over(self) -> bool:
        return self.ends_at <= timezone.now()


class EventRegistration(models.Model):
    """One member's registration: a place, or a place on the waiting list (moved up in order of registration when a
    place frees), then attendance checked in at the store."""

    event = models.ForeignKey(
        OwnerEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    promoted_at = models.DateTimeField(_("moved up from the waiting list at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        "members.User", verbose_name=_("checked in by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"], condition=~Q(status="cancelled"), name="one_live_registration_per_member"
            ),
            models.CheckConstraint(
                condition=~Q(status="attended") | Q(checked_in_at__isnull=False), name="attended_has_check_in_time"
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "registered_at"], name="registration_event_status")]
        ordering = ["registered_at", "pk"]
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")

    def __str__(self) -> str:
        return f"{self.event_id} {self.member_id} {self.status}"
