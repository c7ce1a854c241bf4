"""Many redemptions and earns at once, on PostgreSQL with real connections."""

import threading

import pytest
from django.db import connection

from common.exceptions import DomainError
from points import services
from points.enums import EarnEvent
from points.models import Coupon, PointsEntry
from points.selectors import find_ledger_violations, get_balance
from tests.members.factories import MemberFactory
from tests.points.factories import RewardFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ledger_code")]

WORKERS = 50


def run_at_once(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait()
            result = call()
            with lock:
                outcomes.append(("ok", result))
        except DomainError as error:
            with lock:
                outcomes.append(("refused", error.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_fifty_redemptions_against_a_balance_for_one(give_points):
    member = MemberFactory()
    give_points(member, 1000)
    reward = RewardFactory(cost_points=1000)

    outcomes = run_at_once(
        [
            lambda key=key: services.redeem_reward(member_id=member.pk, reward_id=reward.pk, idempotency_key=f"k{key}")
            for key in range(WORKERS)
        ]
    )

    kinds = [kind for kind, _value in outcomes]
    assert kinds.count("ok") == 1
    assert kinds.count("refused") == WORKERS - 1
    assert {value for kind, value in outcomes if kind == "refused"} == {"insufficient_points"}
    assert Coupon.objects.count() == 1
    assert get_balance(member_id=member.pk) == 0
    assert PointsEntry.objects.filter(kind="redeem").count() == 1
    assert find_ledger_violations() == []


def test_fifty_redemptions_with_the_same_key_charge_once(give_points):
    member = MemberFactory()
    give_points(member, 5000)
    reward = RewardFactory(cost_points=1000)

    outcomes = run_at_once(
        [lambda: services.redeem_reward(member_id=member.pk, reward_id=reward.pk, idempotency_key="same")] * WORKERS
    )

    coupons = {value.coupon.pk for kind, value in outcomes if kind == "ok"}
    assert len(coupons) == 1
    assert len(outcomes) == WORKERS
    assert get_balance(member_id=member.pk) == 4000


def test_fifty_earns_of_the_same_event_add_points_once(db):
    member = MemberFactory()

    outcomes = run_at_once(
        [
            lambda: services.earn_points(
                member_id=member.pk, event=EarnEvent.REGISTRATION, idempotency_key=f"registration:{member.pk}"
            )
        ]
        * WORKERS
    )

    assert [kind for kind, _value in outcomes] == ["ok"] * WORKERS
    assert PointsEntry.objects.filter(kind="earn").count() == 1
    assert get_balance(member_id=member.pk) == 100
    assert find_ledger_violations() == []


def test_limited_stock_is_never_oversold(give_points):
    reward = RewardFactory(cost_points=10, stock=5)
    members = [MemberFactory() for _unused in range(20)]
    for member in members:
        give_points(member, 100)

    outcomes = run_at_once(
        [
            lambda member=member: services.redeem_reward(member_id=member.pk, reward_id=reward.pk, idempotency_key="k")
            for member in members
        ]
    )

    assert [kind for kind, _value in outcomes].count("ok") == 5
    reward.refresh_from_db()
    assert reward.stock == 0
    assert Coupon.objects.filter(reward=reward).count() == 5
