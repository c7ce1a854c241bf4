"""What is particular to the ledger's PostgreSQL functions: one round trip, the same in-app messages as the ORM code
(operator templates included), and the same answers to bad input. The rules themselves are tested for both
implementations in test_ledger.py, test_concurrency.py and test_ledger_properties.py (the ``ledger_code`` fixture)."""

import datetime

import pytest
from django.utils import timezone

from notifications.catalog import default_text, render
from notifications.models import Channel, Notification, NotificationTemplate
from points import services
from points.enums import EarnEvent
from points.exceptions import RewardNotFound
from points.models import Coupon, PointsEntry
from points.selectors import get_balance
from tests.helpers import row_counts
from tests.points.factories import RewardFactory

pytestmark = pytest.mark.django_db


def test_an_earn_and_a_redemption_are_one_statement_each(rich_member, django_assert_num_queries):
    reward = RewardFactory(cost_points=100)
    with django_assert_num_queries(1):
        entry = services.earn_points(
            member_id=rich_member.pk, event=EarnEvent.CAMPAIGN, idempotency_key="one-trip", points=30
        )
    with django_assert_num_queries(1):
        redemption = services.redeem_reward(member_id=rich_member.pk, reward_id=reward.pk, idempotency_key="trip")
    # What the services return without reading back is what was stored.
    stored = PointsEntry.objects.get(pk=entry.pk)
    assert (stored.points, stored.balance_after, stored.reason, stored.rule_id, stored.account_id) == (
        entry.points, entry.balance_after, entry.reason, entry.rule_id, entry.account_id,
    )  # fmt: skip
    coupon = Coupon.objects.get(pk=redemption.coupon.pk)
    assert (coupon.code, coupon.valid_until, coupon.face_value, coupon.redemption_id) == (
        redemption.coupon.code, redemption.coupon.valid_until, redemption.coupon.face_value,
        redemption.coupon.redemption_id,
    )  # fmt: skip
    assert redemption.balance == 5000 + 30 - 100


@pytest.mark.parametrize("ledger_code", ["database functions", "orm"], indirect=True)
def test_both_implementations_write_the_same_in_app_messages(ledger_code, rich_member):
    reward = RewardFactory(name="洗车券", cost_points=200, valid_days=30)
    services.earn_points(
        member_id=rich_member.pk, event=EarnEvent.CAMPAIGN, idempotency_key="msg", points=50, reason="试驾活动"
    )
    redemption = services.redeem_reward(member_id=rich_member.pk, reward_id=reward.pk, idempotency_key="msg")
    messages = Notification.objects.filter(recipient=rich_member.user, channel=Channel.INBOX).order_by("pk")
    earned, redeemed = [(row.event, row.subject, row.body, row.link, row.status) for row in messages][-2:]
    assert earned == (
        "points.earn",
        "您获得了 50 积分",
        "试驾活动：+50 积分，当前余额 5050 积分。",
        "/me/points/",
        "sent",
    )
    subject, body = default_text(event="points.redeem", channel=Channel.INBOX, language="zh-hans")
    context = {
        "reward": "洗车券", "points": 200, "code": redemption.coupon.code,
        "valid_until": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    }  # fmt: skip
    assert redeemed == ("points.redeem", render(subject, context), render(body, context), "/me/points/", "sent")


@pytest.mark.parametrize("ledger_code", ["database functions", "orm"], indirect=True)
def test_an_operator_template_is_used_and_values_with_braces_stay_as_they_are(ledger_code, member):
    NotificationTemplate.objects.create(
        event="points.earn", channel=Channel.INBOX, language="zh-hans", subject="积分 +{points}",
        body="{{积分}} {reason} → {balance}",
    )  # fmt: skip
    services.earn_points(
        member_id=member.pk, event=EarnEvent.CAMPAIGN, idempotency_key="tpl", points=7, reason="活动 {balance}"
    )
    row = Notification.objects.get(recipient=member.user, event="points.earn", dedupe_key__startswith="points-entry")
    assert (row.subject, row.body) == ("积分 +7", "{积分} 活动 {balance} → 7")


@pytest.mark.parametrize("ledger_code", ["database functions", "orm"], indirect=True)
@pytest.mark.parametrize("reward_id", [0, -1, 2**63, 10**30])
def test_a_reward_id_out_of_range_is_not_found(ledger_code, rich_member, reward_id):
    before = row_counts(PointsEntry, Coupon, Notification)
    with pytest.raises(RewardNotFound):
        services.redeem_reward(member_id=rich_member.pk, reward_id=reward_id, idempotency_key="out-of-range")
    assert get_balance(member_id=rich_member.pk) == 5000
    assert row_counts(PointsEntry, Coupon, Notification) == before
