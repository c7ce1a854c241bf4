"""Segments: each member's value tier, loyalty, lifecycle and churn risk as of the last nightly computation, the
history of tier and lifecycle changes, and tags (computed by rules, or set by staff with who and when)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.segments.enums import Lifecycle, Loyalty, TagKind, TagSource
from members.enums import Tier

DEFAULT_CHURN_WEIGHTS = {
    "no_service_visit": 30,
    "overdue_installments": 30,
    "opted_out": 15,
    "no_sign_in": 15,
    "open_complaint": 20,
    "poorly_rated_complaint": 20,
    "detractor_answer": 15,
}


class SegmentRules(models.Model):
    """Head office's thresholds for lifecycle and churn risk (one row). The tier grace period is a setting
    (SEGMENTS_TIER_GRACE_DAYS) because it is a promise to members, not a tuning knob."""

    new_customer_days = models.PositiveSmallIntegerField(
        _("new customer for (days)"), default=180, help_text=_("Days after the first car a customer counts as new.")
    )
    at_risk_days = models.PositiveSmallIntegerField(
        _("at risk after (days without contact)"),
        default=180,
        help_text=_("No service visit, payment or sign-in for this long: at risk."),
    )
    churned_days = models.PositiveSmallIntegerField(
        _("churned after (days without contact)"),
        default=365,
        help_text=_("No service visit, payment or sign-in for this long: churned."),
    )
    at_risk_score = models.PositiveSmallIntegerField(
        _("at risk from churn score"), default=60, help_text=_("A churn-risk score at or above this is at risk.")
    )
    no_service_days = models.PositiveSmallIntegerField(
        _("'no service visit' after (days)"), default=180, help_text=_("Churn reason: no service visit for this long.")
    )
    no_sign_in_days = models.PositiveSmallIntegerField(
        _("'no sign-in' after (days)"), default=90, help_text=_("Churn reason: no sign-in for this long.")
    )
    feedback_months = models.PositiveSmallIntegerField(
        _("complaints and answers count for (months)"),
        default=3,
        help_text=_("Churn reasons: a poorly rated complaint or a detractor answer within this many months."),
    )
    churn_weights = models.JSONField(
        _("churn reason weights"),
        default=dict,
        blank=True,
        help_text=_('Points each reason adds to the score (0–100), e.g. {"overdue_installments": 40}.'),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="segment_rules_single_row"),
            models.CheckConstraint(
                condition=Q(at_risk_days__lt=models.F("churned_days")), name="at_risk_before_churned"
            ),
            models.CheckConstraint(condition=Q(at_risk_score__lte=100), name="at_risk_score_at_most_100"),
        ]
        verbose_name = _("segment rules")
        verbose_name_plural = _("segment rules")

    def __str__(self) -> str:
        return str(_("Segment rules"))

    @classmethod
    def current(cls) -> "SegmentRules":
        rules, _created = cls.objects.get_or_create(pk=1)
        return rules

    def weight_of(self, code: str, default: int) -> int:
        return int(self.churn_weights.get(code, DEFAULT_CHURN_WEIGHTS.get(code, default)))


class MemberSegment(models.Model):
    """One member's segments as of ``as_of``: written only by the nightly computation (crm.segments.compute)."""

    member = models.OneToOneField(
        "members.Member", primary_key=True, on_delete=models.CASCADE, related_name="segment", verbose_name=_("member")
    )
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.NORMAL)
    # What the spend ranking alone gives; differs from ``tier`` while a drop waits out the grace period.
    ranked_tier = models.CharField(_("tier by spend"), max_length=10, choices=Tier.choices, default=Tier.NORMAL)
    tier_since = models.DateField(_("tier since"), null=True, blank=True)
    grace_until = models.DateField(_("keeps the tier until"), null=True, blank=True)
    spend_12_months = models.DecimalField(
        _("spend in the last 12 months"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    spend_percent_rank = models.FloatField(_("spend rank (0 = top)"), null=True, blank=True)
    loyalty = models.CharField(_("loyalty"), max_length=14, choices=Loyalty.choices, default=Loyalty.LOW)
    customer_since = models.DateField(_("continuous customer since"), null=True, blank=True)
    first_purchase_on = models.DateField(_("first car"), null=True, blank=True)
    lifecycle = models.CharField(_("lifecycle"), max_length=10, choices=Lifecycle.choices, default=Lifecycle.LEAD)
    lifecycle_since = models.DateField(_("lifecycle since"), null=True, blank=True)
    churn_score = models.PositiveSmallIntegerField(_("churn risk"), default=0)
    # Reason codes, comma separated, in the order of crm.segments.churn.CHURN_RISK_REASONS.
    churn_reasons = models.CharField(_("churn reasons"), max_length=300, blank=True)
    last_service_on = models.DateField(_("last service visit"), null=True, blank=True)
    as_of = models.DateField(_("as of"))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(churn_score__lte=100), name="churn_score_at_most_100"),
            models.CheckConstraint(
                condition=Q(spend_percent_rank__isnull=True) | Q(spend_percent_rank__gte=0, spend_percent_rank__lte=1),
                name="spend_percent_rank_range",
            ),
        ]
        indexes = [
            models.Index(fields=["tier"], name="segment_tier"),
            models.Index(fields=["lifecycle"], name="segment_lifecycle"),
            models.Index(fields=["loyalty"], name="segment_loyalty"),
            models.Index(fields=["last_service_on"], name="segment_last_service"),
        ]
        verbose_name = _("member segment")
        verbose_name_plural = _("member segments")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.tier} / {self.lifecycle}"

    @property
    def churn_reason_codes(self) -> list[str]:
        return [code for code in self.churn_reasons.split(",") if code]


class TierChange(models.Model):
    """Tier history: one row per change, written by the computation of ``as_of``."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="tier_changes", verbose_name=_("member")
    )
    from_tier = models.CharField(_("from"), max_length=10, choices=Tier.choices)
    to_tier = models.CharField(_("to"), max_length=10, choices=Tier.choices)
    spend_12_months = models.DecimalField(_("spend in the last 12 months"), max_digits=14, decimal_places=2)
    as_of = models.DateField(_("as of"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "as_of"], name="one_tier_change_per_member_day")]
        indexes = [models.Index(fields=["as_of"], name="tier_change_day")]
        ordering = ["-as_of", "-pk"]
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_tier} → {self.to_tier}"


class LifecycleChange(models.Model):
    """Lifecycle history: becoming at risk or churned is what opens recall work."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="lifecycle_changes", verbose_name=_("member")
    )
    from_lifecycle = models.CharField(_("from"), max_length=10, choices=Lifecycle.choices, blank=True)
    to_lifecycle = models.CharField(_("to"), max_length=10, choices=Lifecycle.choices)
    as_of = models.DateField(_("as of"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "as_of"], name="one_lifecycle_change_per_member_day")]
        indexes = [models.Index(fields=["as_of", "to_lifecycle"], name="lifecycle_change_day")]
        ordering = ["-as_of", "-pk"]
        verbose_name = _("lifecycle change")
        verbose_name_plural = _("lifecycle changes")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_lifecycle} → {self.to_lifecycle}"


class TagGroup(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("tag group")
        verbose_name_plural = _("tag groups")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A label on members. System tags are computed nightly from the data (their code says the rule, e.g.
    ``city:深圳``, ``tier:gold``); staff tags are set by hand."""

    code = models.CharField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=80)
    group = models.ForeignKey(TagGroup, on_delete=models.PROTECT, related_name="tags", verbose_name=_("group"))
    kind = models.CharField(_("kind"), max_length=8, choices=TagKind.choices, default=TagKind.STAFF)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["group__sort_order", "code"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name

    @property
    def is_system(self) -> bool:
        return self.kind == TagKind.SYSTEM


class MemberTag(models.Model):
    # No single-column indexes on member and tag: the unique (member, tag) and the (tag, member) index lead with
    # them, and every index more is written for each of the millions of system tags the nightly run inserts.
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="tags", verbose_name=_("member"), db_index=False
    )
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="member_tags", verbose_name=_("tag"), db_index=False
    )
    source = models.CharField(_("set by"), max_length=8, choices=TagSource.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("added by"),
    )  # fmt: skip
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "tag"], name="one_tag_per_member"),
            # Who set a staff tag is always known.
            models.CheckConstraint(
                condition=Q(source="system") | Q(added_by__isnull=False), name="staff_tag_has_author"
            ),
        ]
        indexes = [models.Index(fields=["tag", "member"], name="member_tag_by_tag")]
        ordering = ["tag__group__sort_order", "tag__code"]
        verbose_name = _("member tag")
        verbose_name_plural = _("member tags")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.tag_id}"
