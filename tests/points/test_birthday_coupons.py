"""The tier's birthday coupon: given without spending points (no ledger entry), once per member and year, by the
member's tier as head office set it in the tier benefits; run with the morning reminders."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from crm.services import run_reminders
from points import services
from points.exceptions import IdempotencyKeyReused
from points.models import Coupon, PointsEntry, TierBenefit
from points.selectors import get_balance
from tests.members.factories import MemberFactory
from tests.points.factories import RewardFactory

BIRTHDAY = datetime.date(2026, 5, 20)


def _benefits():
    gold_gift = RewardFactory(name="生日保养券（金卡）", kind="service_coupon", face_value="300.00", valid_days=30)
    silver_gift = RewardFactory(name="生日洗车券（银卡）", kind="service_coupon", face_value="50.00")
    for tier, reward in (("gold", gold_gift), ("silver", silver_gift), ("normal", None)):
        TierBenefit.objects.update_or_create(tier=tier, defaults={"birthday_reward": reward})
    return gold_gift, silver_gift


def _born(month_day: tuple[int, int], *, tier: str, year: int = 1990):
    return MemberFactory(tier=tier, birthday=datetime.date(year, *month_day))


@pytest.mark.django_db
def test_a_benefit_coupon_spends_no_points_and_its_key_gives_it_once():
    member, other = MemberFactory(), MemberFactory()
    reward = RewardFactory(face_value="88.00", valid_days=10)
    coupon, is_new = services.issue_benefit_coupon(member_id=member.pk, reward_id=reward.pk, idempotency_key="k:1")
    assert is_new
    assert (coupon.redemption_id, coupon.face_value, coupon.status) == (None, Decimal("88.00"), "active")
    assert not PointsEntry.objects.exists()
    assert get_balance(member_id=member.pk) == 0
    again, is_new = services.issue_benefit_coupon(member_id=member.pk, reward_id=reward.pk, idempotency_key="k:1")
    assert (again.pk, is_new) == (coupon.pk, False)
    with pytest.raises(IdempotencyKeyReused):
        services.issue_benefit_coupon(member_id=other.pk, reward_id=reward.pk, idempotency_key="k:1")
    assert Coupon.objects.count() == 1


@pytest.mark.django_db
def test_birthday_coupons_follow_the_tier_once_a_year():
    gold_gift, silver_gift = _benefits()
    gold, silver, normal = (_born((5, 20), tier=tier) for tier in ("gold", "silver", "normal"))
    not_today = _born((5, 21), tier="gold")
    closed = _born((5, 20), tier="gold")
    closed.closed_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    closed.save()
    assert services.issue_birthday_coupons(day=BIRTHDAY) == 2
    given = {coupon.member_id: coupon for coupon in Coupon.objects.all()}
    assert set(given) == {gold.pk, silver.pk}
    assert (given[gold.pk].reward, given[gold.pk].face_value) == (gold_gift, Decimal("300.00"))
    assert given[gold.pk].valid_until == BIRTHDAY + datetime.timedelta(days=30)
    assert given[silver.pk].reward == silver_gift
    assert given[gold.pk].benefit_key == f"birthday:{gold.pk}:2026"
    assert not PointsEntry.objects.exists()
    # Again the same day, or a tier rise later that year: nothing more.
    assert services.issue_birthday_coupons(day=BIRTHDAY) == 0
    silver.tier = "gold"
    silver.save()
    assert services.issue_birthday_coupons(day=BIRTHDAY) == 0
    # Next year's birthday: the gift of the tier then.
    assert services.issue_birthday_coupons(day=BIRTHDAY.replace(year=2027)) == 2
    assert Coupon.objects.filter(member=silver, reward=gold_gift).count() == 1
    assert not Coupon.objects.filter(member__in=[normal, not_today, closed]).exists()


@pytest.mark.django_db
def test_head_office_changes_a_tier_s_gift_and_an_inactive_reward_gives_none():
    gold_gift, _silver = _benefits()
    member = _born((5, 20), tier="gold")
    gold_gift.is_active = False
    gold_gift.save()
    assert services.issue_birthday_coupons(day=BIRTHDAY) == 0
    other = RewardFactory(name="生日礼包", kind="service_coupon", face_value="120.00")
    TierBenefit.objects.filter(tier="gold").update(birthday_reward=other)
    assert services.issue_birthday_coupons(day=BIRTHDAY) == 1
    assert Coupon.objects.get(member=member).reward == other


@pytest.mark.django_db
def test_29_february_birthdays_get_theirs_on_28_february_in_other_years():
    _benefits()
    leapling = _born((2, 29), tier="gold", year=1992)
    assert services.issue_birthday_coupons(day=datetime.date(2027, 2, 28)) == 1
    assert Coupon.objects.get().member == leapling
    assert services.issue_birthday_coupons(day=datetime.date(2028, 2, 28)) == 0  # 2028 has its own 29th
    assert services.issue_birthday_coupons(day=datetime.date(2028, 2, 29)) == 1


@pytest.mark.django_db
def test_the_morning_run_gives_them():
    _benefits()
    member = _born((5, 20), tier="gold")
    created = run_reminders(day=BIRTHDAY)
    assert created["points.birthday_coupons"] == 1
    assert Coupon.objects.filter(member=member).count() == 1
    assert run_reminders(day=BIRTHDAY)["points.birthday_coupons"] == 0


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_give_each_member_one_coupon():
    _benefits()
    members = [_born((5, 20), tier="gold") for _n in range(20)]
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            barrier.wait()
            services.issue_birthday_coupons(day=BIRTHDAY)
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(Coupon.objects.values_list("member_id", flat=True)) == sorted(m.pk for m in members)


@pytest.mark.django_db
def test_the_member_sees_their_tier_s_birthday_gift(client):
    _benefits()
    member = _born((5, 20), tier="gold")
    client.force_login(member.user)
    page = client.get("/me/points/").content.decode()
    assert "生日保养券（金卡）" in page
