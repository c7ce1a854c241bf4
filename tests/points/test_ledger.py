"""The ledger's rules through its services: earning, spending, adjusting, reversing, expiring."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from notifications.models import Notification
from points import services
from points.enums import EarnEvent
from points.exceptions import (
    AdjustmentNotPermitted,
    IdempotencyKeyReused,
    InsufficientPoints,
    InvalidAdjustment,
    RedemptionLimitReached,
    RewardNotFound,
    RewardUnavailable,
)
from points.models import Coupon, EarnRule, PointsAccount, PointsEntry, PointsPolicy
from points.selectors import find_ledger_violations, get_balance
from tests.helpers import row_counts
from tests.members.factories import MemberFactory, StaffFactory
from tests.points.factories import RewardFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_code")]


def balance(member) -> int:
    return get_balance(member_id=member.pk)


def test_the_same_event_twice_earns_once(member):
    first = services.earn_points(member_id=member.pk, event=EarnEvent.REGISTRATION, idempotency_key="registration:x")
    second = services.earn_points(member_id=member.pk, event=EarnEvent.REGISTRATION, idempotency_key="registration:x")
    assert first == second
    assert balance(member) == 100
    assert PointsEntry.objects.count() == 1


def test_switched_off_rule_earns_nothing(member, registration_rule):
    registration_rule.is_active = False
    registration_rule.save()
    assert services.earn_points(member_id=member.pk, event=EarnEvent.REGISTRATION, idempotency_key="k1") is None
    assert balance(member) == 0


def test_rule_outside_its_window_earns_nothing(member, registration_rule):
    registration_rule.active_until = timezone.localdate() - datetime.timedelta(days=1)
    registration_rule.save()
    assert services.earn_points(member_id=member.pk, event=EarnEvent.REGISTRATION, idempotency_key="k1") is None


def test_daily_cap_limits_points(member):
    rule = EarnRule.objects.get(event=EarnEvent.SERVICE_SPEND)
    rule.daily_cap = 150
    rule.save()
    services.award_service_spend(
        member_id=member.pk, record_reference="bill:1", spend_by_type={"customer": Decimal("100")}
    )
    services.award_service_spend(
        member_id=member.pk, record_reference="bill:2", spend_by_type={"customer": Decimal("100")}
    )
    assert (
        services.award_service_spend(
            member_id=member.pk, record_reference="bill:3", spend_by_type={"customer": Decimal("100")}
        )
        is None
    )
    assert balance(member) == 150


def test_service_spend_mixes_consumption_types_and_rounds_down(member):
    entry = services.award_service_spend(
        member_id=member.pk, record_reference="repair:77",
        spend_by_type={"customer": Decimal("123.45"), "insurance": Decimal("1000.99"), "manufacturer": Decimal("99.99"),
                       "internal": Decimal("5000")},
    )  # fmt: skip
    # 123.45 × 1 + 1000.99 × 0.5 + 99.99 × 0.1 + 0 = 633.944 → 633
    assert entry.points == 633


def test_internal_only_spend_earns_nothing(member):
    assert (
        services.award_service_spend(
            member_id=member.pk, record_reference="repair:78", spend_by_type={"internal": Decimal("800")}
        )
        is None
    )


def test_earned_points_form_a_lot_that_expires_after_the_policy_months(member):
    entry = services.earn_points(member_id=member.pk, event=EarnEvent.REGISTRATION, idempotency_key="k")
    assert entry.lot.expires_on == timezone.localdate().replace(year=timezone.localdate().year + 2)


def test_redeem_creates_coupon_entry_and_balance_change_together(rich_member):
    reward = RewardFactory(cost_points=1200, face_value=Decimal("120.00"), valid_days=30)
    redemption = services.redeem_reward(member_id=rich_member.pk, reward_id=reward.pk, idempotency_key="r1")
    assert redemption.is_new
    assert redemption.balance == 3800 == balance(rich_member)
    coupon = redemption.coupon
    assert (coupon.status, coupon.face_value) == ("active", Decimal("120.00"))
    assert coupon.valid_until == timezone.localdate() + datetime.timedelta(days=30)
    assert len(coupon.code) == 12
    assert coupon.redemption.points == -1200


def test_same_key_again_returns_the_same_coupon_without_a_second_charge(rich_member):
    reward = RewardFactory()
    first = services.redeem_reward(member_id=rich_member.pk, reward_id=reward.pk, idempotency_key="r1")
    again = services.redeem_reward(member_id=rich_member.pk, reward_id=reward.pk, idempotency_key="r1")
    assert again.coupon == first.coupon
    assert not again.is_new
    assert balance(rich_member) == 4000
    assert Coupon.objects.count() == 1


def test_same_key_with_a_different_reward_is_refused(rich_member):
    services.redeem_reward(member_id=rich_member.pk, reward_id=RewardFactory().pk, idempotency_key="r1")
    other_reward = RewardFactory()
    before = row_counts(PointsEntry, Coupon, Notification)
    with pytest.raises(IdempotencyKeyReused):
        services.redeem_reward(member_id=rich_member.pk, reward_id=other_reward.pk, idempotency_key="r1")
    assert Coupon.objects.count() == 1
    assert balance(rich_member) == 4000
    assert row_counts(PointsEntry, Coupon, Notification) == before


def test_insufficient_points_changes_nothing(member, give_points):
    give_points(member, 999)
    with pytest.raises(InsufficientPoints):
        services.redeem_reward(member_id=member.pk, reward_id=RewardFactory(cost_points=1000).pk, idempotency_key="r")
    assert balance(member) == 999
    assert not Coupon.objects.exists()


@pytest.mark.parametrize(
    ("reward_fields", "error"), [({"is_active": False}, RewardUnavailable), ({"stock": 0}, RewardUnavailable)]
)
def test_unavailable_rewards_are_refused(rich_member, reward_fields, error):
    reward = RewardFactory(**reward_fields)
    before = row_counts(PointsEntry, Coupon, Notification)
    with pytest.raises(error):
        services.redeem_reward(member_id=rich_member.pk, reward_id=reward.pk, idempotency_key="r")
    assert balance(rich_member) == 5000
    assert row_counts(PointsEntry, Coupon, Notification) == before
    reward.refresh_from_db()
    assert reward.stock == reward_fields.get("stock")


def test_unknown_reward_is_refused(rich_member):
    before = row_counts(PointsEntry, Coupon, Notification)
    with pytest.raises(RewardNotFound):
        services.redeem_reward(member_id=rich_member.pk, reward_id=987654, idempotency_key="r")
    assert balance(rich_member) == 5000
    assert row_counts(PointsEntry, Coupon, Notification) == before


def test_stock_goes_down_and_runs_out(rich_member):
    reward = RewardFactory(stock=1)
    services.redeem_reward(member_id=rich_member.pk, reward_id=reward.pk, idempotency_key="r1")
    reward.refresh_from_db()
    assert reward.stock == 0
    before = row_counts(PointsEntry, Coupon, Notification)
    with pytest.raises(RewardUnavailable):
        services.redeem_reward(member_id=rich_member.pk, reward_id=reward.pk, idempotency_key="r2")
    reward.refresh_from_db()
    assert reward.stock == 0
    assert balance(rich_member) == 4000
    assert row_counts(PointsEntry, Coupon, Notification) == before


def test_per_member_limit(rich_member):
    reward = RewardFactory(per_member_limit=1)
    services.redeem_reward(member_id=rich_member.pk, reward_id=reward.pk, idempotency_key="r1")
    before = row_counts(PointsEntry, Coupon, Notification)
    with pytest.raises(RedemptionLimitReached):
        services.redeem_reward(member_id=rich_member.pk, reward_id=reward.pk, idempotency_key="r2")
    assert balance(rich_member) == 4000
    assert row_counts(PointsEntry, Coupon, Notification) == before


def test_redemption_consumes_the_oldest_lots_first(member, give_points):
    old = give_points(member, 300, "old")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=40)):
        new = give_points(member, 900, "new")
    services.redeem_reward(member_id=member.pk, reward_id=RewardFactory(cost_points=500).pk, idempotency_key="r")
    old.lot.refresh_from_db()
    new.lot.refresh_from_db()
    assert (old.lot.remaining, new.lot.remaining) == (0, 700)


def test_adjustment_needs_permission_reason_and_sane_amount(member, give_points):
    clerk = StaffFactory(username="clerk")  # a call-center agent without the adjust permission
    before = row_counts(PointsEntry, PointsAccount, Notification)
    with pytest.raises(AdjustmentNotPermitted):
        services.adjust_points(member_id=member.pk, points=10, reason="x", actor=clerk)
    for points, reason in ((0, "zero"), (10, "  "), (10**9, "absurd"), (-(10**9), "absurd")):
        with pytest.raises(InvalidAdjustment):
            give_points(member, points, reason)
    assert row_counts(PointsEntry, PointsAccount, Notification) == before
    give_points(member, 100)
    before = row_counts(PointsEntry, Notification)
    with pytest.raises(InsufficientPoints):
        give_points(member, -101)
    assert balance(member) == 100
    assert row_counts(PointsEntry, Notification) == before
    entry = give_points(member, -40, "补录错误")
    assert (entry.kind, entry.points, entry.balance_after, entry.reason) == ("adjust", -40, 60, "补录错误")


def test_reversal_takes_back_earned_points_once(member):
    services.earn_points(member_id=member.pk, event=EarnEvent.REGISTRATION, idempotency_key="reg")
    first = services.reverse_earned_points(idempotency_key="reg", reason="撤销")
    second = services.reverse_earned_points(idempotency_key="reg", reason="撤销")
    assert first == second
    assert first.points == -100
    assert balance(member) == 0


def test_expiry_expires_lots_past_their_date_and_coupons(member, give_points):
    give_points(member, 500)
    coupon = services.redeem_reward(
        member_id=member.pk, reward_id=RewardFactory(cost_points=100, valid_days=10).pk, idempotency_key="r"
    ).coupon
    later = timezone.localdate() + datetime.timedelta(days=800)
    assert services.expire_points(today=later) == 1
    assert services.expire_points(today=later) == 0
    assert balance(member) == 0
    assert PointsEntry.objects.filter(kind="expire").get().points == -400
    coupon.refresh_from_db()
    assert coupon.status == "expired"
    assert find_ledger_violations() == []


def test_members_are_told_30_days_before_points_expire(member, give_points):
    from notifications.models import Notification

    entry = give_points(member, 250)
    give_points(member, 100)  # the same day: one message with the sum
    other = MemberFactory()
    give_points(other, 40)
    notice_day = entry.lot.expires_on - datetime.timedelta(days=PointsPolicy.current().expiry_notice_days)
    assert services.notify_expiring_points(today=notice_day - datetime.timedelta(days=1)) == 0
    assert services.notify_expiring_points(today=notice_day) == 2
    assert services.notify_expiring_points(today=notice_day) == 0
    message = Notification.objects.get(event="points.expiring", recipient=member.user)
    assert "350" in message.body
    assert entry.lot.expires_on.isoformat() in message.body
    assert message.dedupe_key == f"points-expiring:{entry.account_id}:{entry.lot.expires_on.isoformat()}:inbox"
    assert (message.channel, message.status, message.link) == ("inbox", "sent", "/me/rewards/")


def test_use_coupon_marks_it_used_once(rich_member, points_admin):
    coupon = services.redeem_reward(member_id=rich_member.pk, reward_id=RewardFactory().pk, idempotency_key="r").coupon
    used = services.use_coupon(code=coupon.code.lower(), used_for="installment:17", actor=points_admin)
    assert (used.status, used.used_for, used.used_by) == ("used", "installment:17", points_admin)
    from points.exceptions import CouponNotUsable

    with pytest.raises(CouponNotUsable):
        services.use_coupon(code=coupon.code, used_for="installment:18", actor=points_admin)
    coupon.refresh_from_db()
    assert (coupon.status, coupon.used_for, coupon.used_at) == ("used", "installment:17", used.used_at)


def test_check_points_ledger_passes_on_a_healthy_ledger_and_names_a_broken_member(rich_member, capsys):
    call_command("check_points_ledger")
    assert "consistent" in capsys.readouterr().out
    with connection.cursor() as cursor:  # corrupt the balance behind the services' back
        cursor.execute("UPDATE points_pointsaccount SET balance = balance + 7 WHERE member_id = %s", [rich_member.pk])
    with pytest.raises(CommandError, match=str(rich_member.pk)):
        call_command("check_points_ledger")


def test_database_refuses_a_negative_balance(member):
    from django.db import IntegrityError, transaction

    PointsAccount.objects.create(member=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(member=member).update(balance=-1)


def test_adjust_points_command_uses_the_service(member, points_admin, capsys):
    call_command("adjust_points", phone=str(member.user.phone), points=300, reason="客服补偿", as_user="hq-points")
    entry = PointsEntry.objects.get()
    assert (entry.kind, entry.points, entry.reason, entry.created_by) == ("adjust", 300, "客服补偿", points_admin)
    with pytest.raises(CommandError):
        call_command("adjust_points", phone=str(member.user.phone), points=0, reason="x", as_user="hq-points")
    with pytest.raises(CommandError):
        call_command("adjust_points", phone="13000000000", points=5, reason="x", as_user="hq-points")
    assert list(PointsEntry.objects.values_list("pk", flat=True)) == [entry.pk]
    assert balance(member) == 300


def test_member_events_earn_their_points(django_capture_on_commit_callbacks):
    from members.consents import ConsentSource, grant_consents
    from members.id_numbers import check_character
    from members.services import (
        register_member,
        save_member_qualification,
        update_member_profile,
        verify_member_identity,
    )
    from tests.members.factories import StoreFactory

    with django_capture_on_commit_callbacks(execute=True):
        member = register_member(phone="13912340000")
    with django_capture_on_commit_callbacks(execute=True):
        update_member_profile(member=member, name="李雷", gender="male", birthday=datetime.date(1990, 3, 7),
                              city="深圳", preferred_store=StoreFactory())  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        update_member_profile(member=member, city="广州")  # already complete: no second award
    first_17 = "44010619900307128"
    grant_consents(member=member, kinds=["sensitive_personal_info"], source=ConsentSource(None, "test", "api"))
    with django_capture_on_commit_callbacks(execute=True):
        verify_member_identity(member=member, real_name="李雷", id_number=first_17 + check_character(first_17))
    qualification = {
        "employment": "employed", "employer_name": "", "monthly_income_band": "5k_10k", "years_at_job": 2,
        "has_driving_licence": True, "marital_status": "single",
    }  # fmt: skip
    for _time in range(2):  # saved twice: points once
        with django_capture_on_commit_callbacks(execute=True):
            save_member_qualification(member=member, **qualification)
    reasons = list(PointsEntry.objects.order_by("pk").values_list("rule__event", "points"))
    assert reasons == [
        ("registration", 100), ("profile_completed", 50), ("identity_verified", 100), ("qualification_completed", 50)
    ]  # fmt: skip


def test_campaign_code_earns_once_per_member(member, points_admin):
    from points.exceptions import CampaignNotAvailable
    from points.models import Campaign

    Campaign.objects.create(code="test-drive-2026", name="试驾有礼", points=88, starts_on=timezone.localdate(),
                            ends_on=timezone.localdate())  # fmt: skip
    services.award_campaign(member_id=member.pk, campaign_code="TEST-DRIVE-2026", actor=points_admin)
    services.award_campaign(member_id=member.pk, campaign_code="test-drive-2026", actor=points_admin)
    assert balance(member) == 88
    before = row_counts(PointsEntry, Coupon, Notification)
    with pytest.raises(CampaignNotAvailable):
        services.award_campaign(member_id=member.pk, campaign_code="nope", actor=points_admin)
    assert balance(member) == 88
    assert row_counts(PointsEntry, Coupon, Notification) == before


def test_other_members_key_space_is_separate():
    first, second = MemberFactory(), MemberFactory()
    services.earn_points(member_id=first.pk, event=EarnEvent.REGISTRATION, idempotency_key=f"registration:{first.pk}")
    services.earn_points(member_id=second.pk, event=EarnEvent.REGISTRATION, idempotency_key=f"registration:{second.pk}")
    assert balance(first) == balance(second) == 100
