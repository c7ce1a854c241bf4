"""Domain events: what happened in one app that apps above it react to, as rows written in the cause's transaction.

Who reacts is the setting ``DOMAIN_EVENT_SUBSCRIBERS`` (event name → dotted paths). Each subscriber that has run
leaves an ``EventHandling`` row in the same transaction as its work, so it runs once; the event is ``handled`` when
all of them have.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DomainEvent(models.Model):
    name = models.CharField(_("event"), max_length=60)
    # Ids only (e.g. {"member_id": 7}); subscribers read the rows they need when they run.
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # When the sweeper may pick the event up: a little after it was written (the task queued on commit normally
    # handles it first), later after each failed attempt.
    retry_at = models.DateTimeField(_("next attempt at"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        indexes = [
            # What the sweeper reads: unhandled events by their next attempt, never the handled history.
            models.Index(fields=["retry_at", "id"], name="domain_event_to_sweep", condition=Q(handled_at__isnull=True))
        ]
        ordering = ["-created_at"]
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")

    def __str__(self) -> str:
        return f"{self.name} {self.payload}"


class EventHandling(models.Model):
    """One subscriber has handled one event (written in the same transaction as the subscriber's work)."""

    event = models.ForeignKey(DomainEvent, on_delete=models.CASCADE, related_name="handlings")
    subscriber = models.CharField(_("subscriber"), max_length=200)
    handled_at = models.DateTimeField(_("handled at"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="one_handling_per_event_subscriber")
        ]
        verbose_name = _("event handling")
        verbose_name_plural = _("event handlings")

    def __str__(self) -> str:
        return f"{self.event_id} {self.subscriber}"
