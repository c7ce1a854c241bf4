import datetime

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from members.selectors import members_visible_to, rows_of_visible_member, sees_all_stores
from points.enums import CouponStatus, RewardKind
from points.models import (
    Coupon,
    EarnRule,
    LotConsumption,
    PendingReferralReward,
    PointsAccount,
    PointsEntry,
    PointsLot,
    Reward,
    TierBenefit,
)


def get_balance(*, member_id: int) -> int:
    return PointsAccount.objects.filter(member_id=member_id).values_list("balance", flat=True).first() or 0


def list_expiring(*, member_id: int, within_days: int = 90) -> list[dict]:
    """Points that will expire soon, summed per expiry date."""
    today = timezone.localdate()
    rows = (
        PointsLot.objects.filter(
            account__member_id=member_id,
            remaining__gt=0,
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=within_days),
        )  # fmt: skip
        .values("expires_on")
        .annotate(points=Sum("remaining"))
        .order_by("expires_on")
    )
    return [{"points": row["points"], "expires_on": row["expires_on"]} for row in rows]


def list_entries(*, member_id: int) -> QuerySet[PointsEntry]:
    return (
        PointsEntry.objects.filter(account__member_id=member_id)
        .select_related("rule", "reward")
        .order_by("-created_at", "-pk")
    )


def list_rewards(*, member_id: int) -> list[tuple[Reward, bool]]:
    """Rewards on offer, each with whether this member can redeem it now."""
    balance = get_balance(member_id=member_id)
    counts = dict(
        Coupon.objects.filter(member_id=member_id)
        .values("reward_id")
        .annotate(n=Count("pk"))
        .values_list("reward_id", "n")
    )
    rewards = []
    for reward in Reward.objects.filter(is_active=True).order_by("sort_order", "cost_points"):
        limited_out = reward.per_member_limit is not None and counts.get(reward.pk, 0) >= reward.per_member_limit
        available = reward.stock != 0 and not limited_out and balance >= reward.cost_points
        rewards.append((reward, available))
    return rewards


def list_coupons(*, member_id: int) -> QuerySet[Coupon]:
    return Coupon.objects.filter(member_id=member_id).select_related("reward").order_by("-created_at")


def pending_referral_points(*, member_id: int) -> list[PendingReferralReward]:
    return list(
        PendingReferralReward.objects.filter(
            referrer_id=member_id, granted_at__isnull=True, cancelled_at__isnull=True
        ).select_related("invitee")
    )


def rewarded_invitee_ids(*, invitee_ids: list[int]) -> set[int]:
    return set(
        PendingReferralReward.objects.filter(invitee_id__in=invitee_ids, granted_at__isnull=False).values_list(
            "invitee_id", flat=True
        )
    )


def find_ledger_violations() -> list[dict]:
    """Members whose ledger does not hold together: balance ≠ sum of entries, balance ≠ points left in lots, or a
    lot whose consumptions do not match what it lost. A handful of set-based queries over the whole table."""
    entry_sum = (
        PointsEntry.objects.filter(account=OuterRef("pk"))
        .values("account")
        .annotate(total=Sum("points"))
        .values("total")
    )
    lot_sum = (
        PointsLot.objects.filter(account=OuterRef("pk"))
        .values("account")
        .annotate(total=Sum("remaining"))
        .values("total")
    )
    accounts = PointsAccount.objects.annotate(
        entries_total=Coalesce(Subquery(entry_sum), Value(0)), lots_total=Coalesce(Subquery(lot_sum), Value(0))
    ).exclude(balance=F("entries_total"), lots_total=F("balance"))
    violations = [
        {"member_id": account.member_id, "balance": account.balance, "entries": account.entries_total,
         "lots": account.lots_total, "problem": "balance"}
        for account in accounts
    ]  # fmt: skip
    consumed = (
        LotConsumption.objects.filter(lot=OuterRef("pk")).values("lot").annotate(total=Sum("points")).values("total")
    )
    lots = PointsLot.objects.annotate(consumed=Coalesce(Subquery(consumed), Value(0))).exclude(
        consumed=F("points") - F("remaining")
    )
    violations += [
        {"member_id": lot.account.member_id, "lot": lot.pk, "points": lot.points, "remaining": lot.remaining,
         "consumed": lot.consumed, "problem": "lot"}
        for lot in lots.select_related("account")
    ]  # fmt: skip
    return violations


# Whom a staff account may see (members.selectors): a member's points follow the member.


def points_accounts_visible_to(*, user, member=None) -> QuerySet[PointsAccount]:
    """``member``: only that member's rows (a member from ``member_visible_to`` needs no second check)."""
    if member is not None:
        return PointsAccount.objects.filter(rows_of_visible_member(user=user, member=member))
    if sees_all_stores(user=user):
        return PointsAccount.objects.all()
    return PointsAccount.objects.filter(member__in=members_visible_to(user=user))


def points_entries_visible_to(*, user, member=None) -> QuerySet[PointsEntry]:
    """``member``: only that member's rows (a member from ``member_visible_to`` needs no second check)."""
    if member is not None:
        return PointsEntry.objects.filter(rows_of_visible_member(user=user, member=member, field="account__member"))
    if sees_all_stores(user=user):
        return PointsEntry.objects.all()
    return PointsEntry.objects.filter(account__member__in=members_visible_to(user=user))


def coupons_visible_to(*, user, member=None) -> QuerySet[Coupon]:
    """``member``: only that member's rows (a member from ``member_visible_to`` needs no second check)."""
    if member is not None:
        return Coupon.objects.filter(rows_of_visible_member(user=user, member=member))
    if sees_all_stores(user=user):
        return Coupon.objects.all()
    return Coupon.objects.filter(member__in=members_visible_to(user=user))


def state_card_withdrawal(*, member_id: int) -> int:
    """The points withdrawing the membership card would forfeit now: the whole balance (see
    points.services.withdraw_membership)."""
    return get_balance(member_id=member_id)


def list_usable_service_coupons(*, member_id: int) -> QuerySet[Coupon]:
    """The member's value-added-service coupons that can be used today."""
    return list_usable_coupons(member_id=member_id, kind=RewardKind.SERVICE_COUPON).select_related("reward")


def list_usable_coupons(*, member_id: int, kind: str) -> QuerySet[Coupon]:
    """The member's coupons of ``kind`` that can be used today."""
    return Coupon.objects.filter(
        member_id=member_id, status=CouponStatus.ACTIVE, valid_until__gte=timezone.localdate(), reward__kind=kind
    ).order_by("valid_until", "pk")


def get_tier_benefit(*, tier: str) -> TierBenefit | None:
    return TierBenefit.objects.filter(tier=tier).select_related("birthday_reward").first()


SERVICE_PAYER_TYPES = ("customer", "insurance", "manufacturer", "internal")


def service_payer_types_counted() -> dict[str, bool]:
    """Which payers of a service bill count towards a member's spend: those the service-spend earn rule pays points
    for (a rate above zero), so tiers and points agree on what a bill is worth to the member."""
    rule = EarnRule.objects.filter(event="service_spend", is_active=True).first()
    return {payer: bool(rule and rule.rate_for(payer) > 0) for payer in SERVICE_PAYER_TYPES}
