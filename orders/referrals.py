"""How far each invited friend has come, for the referral funnel members and staff see (registered → rewarded)."""

from orders.enums import OrderState
from orders.models import OrderEvent
from points.selectors import rewarded_invitee_ids

_STAGES = [("delivered", OrderState.DELIVERED), ("approved", OrderState.APPROVED), ("applied", OrderState.SUBMITTED)]


def referral_statuses(*, invitee_ids: list[int]) -> dict[int, str]:
    reached = {}
    rows = OrderEvent.objects.filter(order__member_id__in=invitee_ids, to_state__in=[state for _n, state in _STAGES])
    for member_id, state in rows.values_list("order__member_id", "to_state").distinct():
        reached.setdefault(member_id, set()).add(state)
    statuses = {}
    for member_id, states in reached.items():
        statuses[member_id] = next(name for name, state in _STAGES if state in states)
    for member_id in rewarded_invitee_ids(invitee_ids=invitee_ids):
        statuses[member_id] = "rewarded"
    return statuses
