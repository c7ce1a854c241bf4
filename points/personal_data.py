"""The points part of a member's data."""

from points.selectors import get_balance, list_coupons, list_entries


def points_section(*, member) -> dict:
    return {
        "balance": get_balance(member_id=member.pk),
        "entries": [
            {
                "kind": entry.kind,
                "points": entry.points,
                "balance_after": entry.balance_after,
                "reason": entry.reason,
                "created_at": entry.created_at.isoformat(),
            }
            for entry in list_entries(member_id=member.pk)
        ],
        "coupons": [
            {
                "code": coupon.code,
                "reward": coupon.reward.name,
                "status": coupon.status,
                "valid_until": coupon.valid_until.isoformat(),
            }
            for coupon in list_coupons(member_id=member.pk)
        ],
    }
