"""The messages points sends, declared in the notifications catalog so operators can edit them."""

from django.utils.translation import gettext_lazy as _

from notifications.catalog import EventSpec, register_event
from notifications.models import Category


def register_points_events() -> None:
    register_event(
        EventSpec(
            code="points.earn", category=Category.TRANSACTIONAL, placeholders=("reason", "points", "balance"),
            sample={"reason": "完成实名认证", "points": "100", "balance": "350"},
            subject=lambda: _("You earned {points} points"),
            body=lambda: _("{reason}: +{points} points. Your balance is {balance}."),
        )
    )  # fmt: skip
    register_event(
        EventSpec(
            code="points.redeem", category=Category.TRANSACTIONAL,
            placeholders=("reward", "points", "code", "valid_until"),
            sample={"reward": "月供抵扣券 100 元", "points": "1000", "code": "7KQ2M9XW4PZD",
                    "valid_until": "2027-02-21"},
            subject=lambda: _("Reward redeemed: {reward}"),
            body=lambda: _("You used {points} points. Your coupon {code} is valid until {valid_until}."),
        )
    )  # fmt: skip
    register_event(
        EventSpec(
            code="points.expiring", category=Category.SERVICE, placeholders=("points", "date"),
            sample={"points": "250", "date": "2026-12-23"},
            subject=lambda: _("Points expiring soon"),
            body=lambda: _("{points} of your points expire on {date}. Redeem them for coupons before then."),
        )
    )  # fmt: skip
