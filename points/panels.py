from members.dashboard import Panel
from points import selectors


def points_panel(*, request, member) -> Panel:
    return Panel(
        template="points/_dashboard_points.html",
        context={
            "balance": selectors.get_balance(member_id=member.pk),
            "expiring": selectors.list_expiring(member_id=member.pk, within_days=30)[:1],
        },
    )
