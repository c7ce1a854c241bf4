"""The default earn rules. The data migration creates them; operators edit them in the admin.
``ensure_default_earn_rules`` puts back any that are missing (after a database flush, in the demo)."""

from django.db import transaction

from points.models import EarnRule

DEFAULT_RULES = [
    ("registration", "注册会员", 100, {}, {}),
    ("profile_completed", "完善个人资料", 50, {}, {}),
    ("identity_verified", "完成实名认证", 100, {}, {}),
    ("qualification_completed", "完善工作与收入信息", 50, {}, {}),
    ("first_application", "注册后 7 天内首次申请", 200, {}, {"within_days": 7}),
    ("referral_referrer", "推荐好友成功提车", 500, {}, {"cooling_off_days": 7}),
    ("referral_invitee", "受邀购车成功提车", 300, {}, {"cooling_off_days": 7}),
    ("campaign", "活动与任务", 0, {}, {}),
    (
        "service_spend",
        "维修保养消费",
        0,
        {"customer": "1", "insurance": "0.5", "manufacturer": "0.1", "internal": "0"},
        {},
    ),
    ("event_attendance", "参加车主活动", 100, {}, {}),
]


@transaction.atomic
def ensure_default_earn_rules() -> None:
    for event, name, points, rates, params in DEFAULT_RULES:
        EarnRule.objects.get_or_create(
            event=event, defaults={"name": name, "points": points, "rates": rates, "params": params}
        )
