"""The ledger's writers lock the balance, the lots, a limited reward's stock and a coupon before writing them, seen in
the SQL they send."""

import datetime

import pytest
from django.utils import timezone

from points import services as points_services
from points.models import PointsLot
from tests.helpers import assert_locks_rows_before_write
from tests.members.factories import MemberFactory
from tests.points.factories import RewardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def orm_ledger(settings):
    """The ORM implementation: on PostgreSQL the database functions take the same locks inside one statement, which
    SQL capture cannot look into (tests/points/test_database_ledger.py covers them)."""
    settings.POINTS_LEDGER_FUNCTIONS = False


def test_redeeming_a_limited_reward_locks_balance_lots_and_stock_before_writing(orm_ledger, give_points):
    member = MemberFactory()
    give_points(member, 1500)
    reward = RewardFactory(cost_points=1000, stock=3)
    with assert_locks_rows_before_write("points_pointsaccount", "points_pointslot", "points_reward"):
        points_services.redeem_reward(member_id=member.pk, reward_id=reward.pk, idempotency_key="lock-1")
    reward.refresh_from_db()
    assert reward.stock == 2


def test_earning_locks_the_balance_before_writing_it(orm_ledger, registration_rule):
    member = MemberFactory()
    with assert_locks_rows_before_write("points_pointsaccount"):
        points_services.earn_points(member_id=member.pk, event=registration_rule.event, idempotency_key="lock-earn")


def test_a_negative_adjustment_locks_balance_and_lots_before_writing(give_points):
    member = MemberFactory()
    give_points(member, 500)
    with assert_locks_rows_before_write("points_pointsaccount", "points_pointslot"):
        give_points(member, -200)


def test_expiry_locks_balance_and_lots_before_writing(give_points):
    member = MemberFactory()
    give_points(member, 300)
    PointsLot.objects.filter(account__member=member).update(expires_on=timezone.localdate() - datetime.timedelta(1))
    with assert_locks_rows_before_write("points_pointsaccount", "points_pointslot"):
        assert points_services.expire_points() == 1


def test_using_a_coupon_locks_it_before_writing_it(orm_ledger, give_points, points_admin):
    member = MemberFactory()
    give_points(member, 1000)
    reward = RewardFactory(cost_points=1000)
    coupon = points_services.redeem_reward(member_id=member.pk, reward_id=reward.pk, idempotency_key="c").coupon
    with assert_locks_rows_before_write("points_coupon"):
        points_services.use_coupon(code=coupon.code, used_for="installment:1", actor=points_admin)
