"""The points ledger: an account row with the balance, append-only entries, lots that expire."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from members.enums import Tier
from points.enums import CouponStatus, EarnEvent, EntryKind, RewardKind


class PointsAccount(models.Model):
    """The member's balance, changed only together with a ledger entry, under this row's lock."""

    member = models.OneToOneField(
        "members.Member", on_delete=models.PROTECT, related_name="points_account", verbose_name=_("member")
    )
    balance = models.IntegerField(default=0, verbose_name=_("balance"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="points_balance_not_negative")]
        indexes = [
            # The points liability counts the members per balance held from this index alone (index-only).
            models.Index(fields=["balance"], condition=Q(balance__gt=0), name="points_account_held_balance"),
        ]
        permissions = [("adjust_points", _("Can add or remove a member's points with a reason"))]
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.balance}"


class EarnRule(models.Model):
    event = models.CharField(_("event"), max_length=30, choices=EarnEvent.choices, unique=True)
    name = models.CharField(_("name"), max_length=100)
    points = models.PositiveIntegerField(_("points (fixed)"), default=0)
    # Points per yuan for spend-based rules, by consumption type, e.g. {"customer": "1", "insurance": "0.5"}.
    rates = models.JSONField(_("points per yuan by consumption type"), default=dict, blank=True)
    daily_cap = models.PositiveIntegerField(_("cap per member per day"), null=True, blank=True)
    monthly_cap = models.PositiveIntegerField(_("cap per member per month"), null=True, blank=True)
    # Rule-specific numbers, e.g. {"within_days": 7} for the first application, {"cooling_off_days": 7} for referrals.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_until = models.DateField(_("active until"), null=True, blank=True)
    is_active = models.BooleanField(_("on"), default=True)

    class Meta:
        ordering = ["event"]
        verbose_name = _("earn rule")
        verbose_name_plural = _("earn rules")

    def __str__(self) -> str:
        return self.name

    def rate_for(self, consumption_type: str) -> Decimal:
        return Decimal(str(self.rates.get(consumption_type, "0")))


class Reward(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=RewardKind.choices)
    description = models.TextField(_("description"), blank=True)
    cost_points = models.PositiveIntegerField(_("cost in points"))
    face_value = models.DecimalField(_("face value (yuan)"), max_digits=10, decimal_places=2, default=Decimal("0.00"))
    stock = models.PositiveIntegerField(_("stock"), null=True, blank=True, help_text=_("Empty for unlimited."))
    valid_days = models.PositiveIntegerField(_("coupon valid for (days)"), default=90)
    per_member_limit = models.PositiveIntegerField(_("per member at most"), null=True, blank=True)
    is_active = models.BooleanField(_("on"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0, verbose_name=_("sort order"))

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(cost_points__gt=0), name="reward_costs_points")]
        ordering = ["sort_order", "cost_points"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")

    def __str__(self) -> str:
        return self.name


class PointsEntry(models.Model):
    """One line of the ledger. Never updated, never deleted."""

    account = models.ForeignKey(
        PointsAccount, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account")
    )
    kind = models.CharField(max_length=10, choices=EntryKind.choices, verbose_name=_("kind"))
    points = models.IntegerField(verbose_name=_("points"))
    balance_after = models.IntegerField(verbose_name=_("balance after"))
    reason = models.CharField(max_length=200, verbose_name=_("reason"))
    rule = models.ForeignKey(
        EarnRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("rule")
    )
    reward = models.ForeignKey(
        Reward, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reward")
    )
    # What caused it, e.g. "order:42" or "service_record:7"; free text so any app can be a source.
    source = models.CharField(max_length=100, blank=True, verbose_name=_("source"))
    idempotency_key = models.CharField(max_length=200, unique=True, verbose_name=_("idempotency key"))
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by", verbose_name=_("reverses")
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="entry_points_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="entry_balance_after_not_negative"),
            models.CheckConstraint(
                condition=Q(kind__in=["earn"], points__gt=0)
                | Q(kind__in=["redeem", "expire"], points__lt=0)
                | Q(kind__in=["adjust", "reverse"]),
                name="entry_sign_matches_kind",
            ),
        ]
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.kind} {self.points:+d}"


class PointsLot(models.Model):
    """Points earned together, spent and expired oldest first (pending referral rewards wait elsewhere)."""

    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="lots")
    entry = models.OneToOneField(PointsEntry, on_delete=models.PROTECT, related_name="lot")
    points = models.PositiveIntegerField()
    remaining = models.PositiveIntegerField()
    expires_on = models.DateField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(remaining__lte=F("points")), name="lot_not_over_consumed"),
        ]
        indexes = [models.Index(fields=["account", "expires_on"], name="lot_account_expiry")]
        ordering = ["expires_on", "pk"]

    def __str__(self) -> str:
        return f"lot {self.pk}: {self.remaining}/{self.points} until {self.expires_on}"


class LotConsumption(models.Model):
    """Which lots a redemption, expiry, negative adjustment or reversal took its points from."""

    entry = models.ForeignKey(PointsEntry, on_delete=models.PROTECT, related_name="consumptions")
    lot = models.ForeignKey(PointsLot, on_delete=models.PROTECT, related_name="consumptions")
    points = models.PositiveIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(points__gt=0), name="consumption_positive")]

    def __str__(self) -> str:
        return f"{self.entry_id} took {self.points} from lot {self.lot_id}"


class Coupon(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="coupons", verbose_name=_("member")
    )
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="coupons", verbose_name=_("reward"))
    # A coupon bought with points has its ledger entry; one given as a benefit (the birthday coupon of a tier) has
    # none, and instead the key of what it was given for (``birthday:<member>:<year>``), so it is given once.
    redemption = models.OneToOneField(
        PointsEntry, on_delete=models.PROTECT, related_name="coupon", verbose_name=_("redemption"), null=True,
        blank=True,
    )  # fmt: skip
    benefit_key = models.CharField(  # noqa: DJ001  (NULL for bought coupons: unique only among benefits)
        _("given for"), max_length=80, null=True, blank=True, unique=True, editable=False
    )
    face_value = models.DecimalField(max_digits=10, decimal_places=2, verbose_name=_("face value"))
    status = models.CharField(
        max_length=10, choices=CouponStatus.choices, default=CouponStatus.ACTIVE, verbose_name=_("status")
    )
    valid_until = models.DateField(verbose_name=_("valid until"))
    used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("used at"))
    used_for = models.CharField(_("used for"), max_length=100, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("used by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(redemption__isnull=False) | Q(benefit_key__isnull=False),
                name="coupon_bought_or_given",
            ),
        ]
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")

    def __str__(self) -> str:
        return self.code


class PendingReferralReward(models.Model):
    """A referral reward waiting out its cooling-off period; granted by the daily job, or cancelled."""

    invitee = models.OneToOneField("members.Member", on_delete=models.PROTECT, related_name="pending_referral_reward")
    referrer = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=100)
    release_on = models.DateField(db_index=True)
    granted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(granted_at__isnull=True) | Q(cancelled_at__isnull=True),
                name="referral_granted_or_cancelled",
            )
        ]

    def __str__(self) -> str:
        return f"referral {self.referrer_id} → {self.invitee_id}"


class PointsPolicy(models.Model):
    """Operator-editable settings of the points programme (one row)."""

    expiry_months = models.PositiveSmallIntegerField(_("points expire after (months)"), default=24)
    expiry_notice_days = models.PositiveSmallIntegerField(_("tell members this many days before expiry"), default=30)
    max_adjustment = models.PositiveIntegerField(_("largest single staff adjustment"), default=100_000)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(expiry_months__gte=1), name="policy_expiry_at_least_a_month")]
        verbose_name = _("points policy")
        verbose_name_plural = _("points policy")

    def __str__(self) -> str:
        return str(_("Points policy"))

    @classmethod
    def current(cls) -> "PointsPolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class Campaign(models.Model):
    """A campaign or task whose code staff enter for a member (e.g. a test-drive event); once per member."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    points = models.PositiveIntegerField(_("points"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    is_active = models.BooleanField(_("on"), default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="campaign_gives_points"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_dates_in_order"),
        ]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class TierBenefit(models.Model):
    """What each value tier gives (seed 001: 等级激励): a points multiplier on spend-based earning, shown to the
    member with their tier. Head office edits it; the tiers themselves are computed nightly (crm.segments)."""

    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, unique=True)
    points_multiplier = models.DecimalField(
        _("points multiplier"), max_digits=4, decimal_places=2, default=Decimal("1.00"),
        help_text=_("Spend-based points (service bills) are multiplied by this, e.g. 1.50."),
    )  # fmt: skip
    description = models.CharField(_("other benefits"), max_length=200, blank=True)
    birthday_reward = models.ForeignKey(
        Reward, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("birthday coupon"),
        help_text=_("Given once a year on the member's birthday, without spending points. Empty: none."),
    )  # fmt: skip

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(points_multiplier__gte=1, points_multiplier__lte=10), name="tier_multiplier_range"
            )
        ]
        ordering = ["-points_multiplier"]
        verbose_name = _("tier benefit")
        verbose_name_plural = _("tier benefits")

    def __str__(self) -> str:
        return self.get_tier_display()
