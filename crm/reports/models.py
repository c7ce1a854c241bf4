"""Pre-aggregated report figures, written set-based by ``refresh_report_aggregates`` (nightly), so that head office's
reports over a year of a million members read a few thousand grouped rows instead of the live tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FunnelDay(models.Model):
    """How many of the people who came in on a local day (per store, channel and guidance) got how far, and why
    they stopped, as of the refresh. The funnel report sums these rows over its period."""

    came_in_on = models.DateField(_("came in on"))
    store = models.ForeignKey(
        "members.Store", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("store")
    )
    channel = models.CharField(_("channel"), max_length=32)
    guided = models.PositiveSmallIntegerField(_("agent-guided"), help_text=_("1: agent-guided, 0: self-service."))
    furthest = models.PositiveSmallIntegerField(_("furthest step"))
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    people = models.PositiveIntegerField(_("people"))

    class Meta:
        indexes = [models.Index(fields=["came_in_on", "store"], name="funnel_day_came_in_store")]
        verbose_name = _("funnel day")
        verbose_name_plural = _("funnel days")

    def __str__(self) -> str:
        return f"{self.came_in_on} {self.channel} {self.furthest}: {self.people}"


class AggregateRefresh(models.Model):
    """When an aggregate was last rebuilt, and the first local day it does not cover (read live instead)."""

    name = models.CharField(_("aggregate"), max_length=40, unique=True)
    covers_until = models.DateField(_("covers the days before"))
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("aggregate refresh")
        verbose_name_plural = _("aggregate refreshes")

    def __str__(self) -> str:
        return f"{self.name} < {self.covers_until}"


class CampaignResult(models.Model):
    """A campaign's figures as of the nightly refresh (the campaigns report reads these; a campaign sent since is
    computed live)."""

    campaign = models.OneToOneField(
        "crm.Campaign", on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("campaign")
    )
    messaged = models.PositiveIntegerField(_("members messaged"))
    reached = models.PositiveIntegerField(_("reached"))
    converted = models.PositiveIntegerField(_("applied within 30 days"))
    revenue = models.DecimalField(_("delivered value"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("campaign result")
        verbose_name_plural = _("campaign results")

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.reached}/{self.messaged}"


class MemberValueDay(models.Model):
    """The open members who joined on a local day (per store) and what they had spent to date at the refresh; the
    lifetime-value report places each day in its band of membership years."""

    joined_on = models.DateField(_("joined on"))
    store = models.ForeignKey(
        "members.Store", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("store")
    )
    members = models.PositiveIntegerField(_("members"))
    spend = models.DecimalField(_("spend to date"), max_digits=18, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["joined_on", "store"], name="member_value_day_joined_store")]
        verbose_name = _("member value day")
        verbose_name_plural = _("member value days")

    def __str__(self) -> str:
        return f"{self.joined_on} {self.store_id}: {self.members}"


class StoreDay(models.Model):
    """A local day's figures for one store's members (no store: the members without one)."""

    as_of = models.DateField(_("day"))
    store = models.ForeignKey(
        "members.Store", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("store")
    )

    class Meta:
        abstract = True


class TierDay(StoreDay):
    """For a local day and a store's open members: the net change in how many hold each tier (a move from silver to
    gold is −1 silver and +1 gold), from the tier history as of the refresh. The tier report adds the days up to the
    end of its period."""

    tier = models.CharField(_("tier"), max_length=10)
    change = models.IntegerField(_("change"))

    class Meta:
        indexes = [models.Index(fields=["as_of", "store"], name="tier_day_as_of_store")]
        verbose_name = _("tier day")
        verbose_name_plural = _("tier days")

    def __str__(self) -> str:
        return f"{self.as_of} {self.store_id} {self.tier}: {self.change:+d}"


class LifecycleDay(StoreDay):
    """For a local day and a store's open members, from the lifecycle history as of the refresh: the net change in
    how many are in service (new, active or at risk), and how many became churned from in service. The churn and
    complaint-rate reports add the days before each month for the members in service at its start."""

    in_service_change = models.IntegerField(_("change in members in service"))
    churned = models.PositiveIntegerField(_("became churned"))

    class Meta:
        indexes = [models.Index(fields=["as_of", "store"], name="lifecycle_day_as_of_store")]
        verbose_name = _("lifecycle day")
        verbose_name_plural = _("lifecycle days")

    def __str__(self) -> str:
        return f"{self.as_of} {self.store_id}: {self.in_service_change:+d}, {self.churned} churned"
