from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.segments.enums import Lifecycle, Loyalty
from members.enums import Tier


class Campaign(models.Model):
    """A marketing message to a segment of members, sent through the outbox at the provider's pace."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled / sending")
        PAUSED = "paused", _("Paused")

    name = models.CharField(_("name"), max_length=100)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Placeholders: {name}."))
    send_sms = models.BooleanField(_("SMS"), default=True)
    send_email = models.BooleanField(_("e-mail"), default=False)
    # Segment: every filter that is set must match.
    city = models.CharField(_("city"), max_length=50, blank=True)
    store = models.ForeignKey("members.Store", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("store"))
    car_model = models.ForeignKey(
        "vehicles.CarModel", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("owns this model")
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, blank=True)
    # Segments computed nightly (crm.segments): each send reads them as they are that day.
    lifecycle = models.CharField(_("lifecycle"), max_length=10, choices=Lifecycle.choices, blank=True)
    loyalty = models.CharField(_("loyalty"), max_length=14, choices=Loyalty.choices, blank=True)
    tag = models.ForeignKey(
        "segments.Tag", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("tagged")
    )
    no_service_for_days = models.PositiveSmallIntegerField(
        _("no service visit for (days)"), null=True, blank=True, help_text=_("Owners not back for this long.")
    )
    repeats_monthly = models.BooleanField(
        _("repeat every month"),
        default=False,
        help_text=_("Sent again each month on the day of the first send, to the segment as it is that day."),
    )
    channel = models.CharField(_("came from"), max_length=20, blank=True)
    min_points = models.PositiveIntegerField(_("at least this many points"), null=True, blank=True)
    max_points = models.PositiveIntegerField(_("at most this many points"), null=True, blank=True)
    verification_status = models.CharField(_("verification"), max_length=12, blank=True)
    owns_car = models.BooleanField(_("owns a car"), null=True, blank=True)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    total = models.PositiveIntegerField(_("messages"), default=0)
    # Entered by staff (creative, SMS fees, gifts…); the campaign report divides by it for the return on investment.
    cost = models.DecimalField(
        _("cost (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(min_points__isnull=True)
                | Q(max_points__isnull=True)
                | Q(min_points__lte=models.F("max_points")),
                name="campaign_points_range",
            ),
            models.CheckConstraint(condition=Q(cost__isnull=True) | Q(cost__gte=0), name="campaign_cost_not_negative"),
        ]
        ordering = ["-created_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    @property
    def event(self) -> str:
        return f"campaign.{self.pk}"
