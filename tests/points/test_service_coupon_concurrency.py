"""Two clerks (or a clerk and a booking) using one service coupon at the same moment: it is used once."""

import pytest

from points import services
from points.models import Coupon
from tests.members.factories import MemberFactory, StaffFactory
from tests.points.factories import RewardFactory
from tests.points.test_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_racing_clerks_use_a_service_coupon_once(give_points, store):
    member = MemberFactory(preferred_store=store)
    give_points(member, 500)
    reward = RewardFactory(kind="service_coupon", cost_points=500)
    coupon = services.redeem_reward(member_id=member.pk, reward_id=reward.pk, idempotency_key="race").coupon
    clerks = [StaffFactory(role="store_staff", store=store) for _ in range(8)]

    outcomes = run_at_once(
        [lambda clerk=clerk: services.use_service_coupon_at_store(code=coupon.code, staff=clerk) for clerk in clerks]
    )

    kinds = sorted(kind for kind, _value in outcomes)
    assert kinds == ["ok"] + ["refused"] * 7
    used = Coupon.objects.get(pk=coupon.pk)
    assert used.status == "used"
    winner = next(value for kind, value in outcomes if kind == "ok")
    assert used.used_by_id == winner.coupon.used_by_id
