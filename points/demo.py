"""Rewards and a campaign for the demo, and some points for the demo members, loaded idempotently."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from points.defaults import ensure_default_earn_rules
from points.enums import RewardKind
from points.models import Campaign, Reward, TierBenefit

REWARDS = [
    ("月还抵扣券 100 元", RewardKind.REPAYMENT_COUPON, 1000, Decimal("100.00"), None, 90, None),
    ("月还抵扣券 300 元", RewardKind.REPAYMENT_COUPON, 2800, Decimal("300.00"), None, 90, 2),
    ("首付抵扣券 1000 元", RewardKind.DOWN_PAYMENT_COUPON, 8000, Decimal("1000.00"), None, 180, 1),
    ("月供抵扣券 100 元", RewardKind.REPAYMENT_COUPON, 1000, Decimal("100.00"), None, 90, None),
    ("月供抵扣券 300 元", RewardKind.REPAYMENT_COUPON, 2800, Decimal("300.00"), None, 90, 2),
    ("免费精致洗车", RewardKind.SERVICE_COUPON, 300, Decimal("0.00"), None, 60, None),
    ("保养工时 8 折券", RewardKind.SERVICE_COUPON, 800, Decimal("0.00"), 200, 180, 1),
    ("定制车载香薰", RewardKind.GIFT, 1500, Decimal("0.00"), 50, 30, 1),
]


@transaction.atomic
def seed_points_demo() -> None:
    ensure_default_earn_rules()
    for sort_order, (name, kind, cost, face_value, stock, valid_days, limit) in enumerate(REWARDS):
        Reward.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "cost_points": cost, "face_value": face_value, "stock": stock,
                      "valid_days": valid_days, "per_member_limit": limit, "sort_order": sort_order},
        )  # fmt: skip
    # The birthday gift by tier (seed 001: 生日福利): a car wash for silver and gold, the labour coupon above.
    car_wash = Reward.objects.get(name="免费精致洗车")
    labour = Reward.objects.get(name="保养工时 8 折券")
    for tier, gift in (("silver", car_wash), ("gold", car_wash), ("platinum", labour), ("diamond", labour)):
        TierBenefit.objects.filter(tier=tier, birthday_reward__isnull=True).update(birthday_reward=gift)
    today = timezone.localdate()
    Campaign.objects.get_or_create(
        code="test-drive", defaults={"name": "到店试驾有礼", "points": 200, "starts_on": today,
                                     "ends_on": today + datetime.timedelta(days=365)},
    )  # fmt: skip
