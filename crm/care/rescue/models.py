"""Roadside rescue: a member's call for help with one of their cars, dispatched to a store, each step timed."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.care.rescue.enums import OPEN_STATUSES, RescueChannel, RescueKind, RescueStatus


class RescueRequest(models.Model):
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="rescue_requests"
    )
    vehicle = models.ForeignKey(
        "vehicles.OwnedVehicle", verbose_name=_("car"), on_delete=models.PROTECT, related_name="rescue_requests"
    )
    # The store that helps: the one that handed the car over (else the member's own store), or the agent's choice.
    store = models.ForeignKey(
        "members.Store", verbose_name=_("store"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind of help"), max_length=12, choices=RescueKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=RescueStatus.choices, default=RescueStatus.REQUESTED)
    channel = models.CharField(_("asked through"), max_length=12, choices=RescueChannel.choices)
    location = models.CharField(_("where"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    on_the_way_at = models.DateTimeField(_("on the way at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        constraints = [
            # One open request per car: a second tap while help is coming is the same request.
            models.UniqueConstraint(
                fields=["vehicle"], condition=Q(status__in=OPEN_STATUSES), name="rescue_one_open_per_vehicle"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="rescue_coordinates_both_and_in_range",
            ),
            models.CheckConstraint(condition=~Q(location="") | Q(latitude__isnull=False), name="rescue_has_a_location"),
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True) | Q(arrived_at__gte=models.F("requested_at")),
                name="rescue_arrives_after_request",
            ),
        ]
        indexes = [
            # The store's open rescues at the top of its queue; the response-time report by store and period.
            models.Index(fields=["store", "status"], name="rescue_store_status"),
            models.Index(fields=["store", "requested_at"], name="rescue_store_requested"),
        ]
        ordering = ["-requested_at", "-id"]
        verbose_name = _("rescue request")
        verbose_name_plural = _("rescue requests")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def response_minutes(self) -> int | None:
        if self.arrived_at is None:
            return None
        return int((self.arrived_at - self.requested_at).total_seconds() // 60)


class RescueEvent(models.Model):
    """One step of a rescue: who moved it to which status, when (each status is reached at most once)."""

    request = models.ForeignKey(
        RescueRequest, verbose_name=_("rescue request"), on_delete=models.CASCADE, related_name="events"
    )
    status = models.CharField(_("status"), max_length=12, choices=RescueStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "status"], name="rescue_event_once_per_status")]
        ordering = ["created_at", "id"]
        verbose_name = _("rescue step")
        verbose_name_plural = _("rescue steps")

    def __str__(self) -> str:
        return f"{self.request_id} {self.status}"
