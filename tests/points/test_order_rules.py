"""Points that orders trigger: the first application, its reversal, and referrals with their cooling-off period."""

import datetime

import pytest
from django.utils import timezone

from points import services
from points.models import PendingReferralReward, PointsEntry
from points.selectors import get_balance
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_first_application_within_seven_days_earns_and_termination_reverses(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = cast.advance(cast.new_order(), "submitted")
    assert PointsEntry.objects.get(rule__event="first_application").points == 200
    with django_capture_on_commit_callbacks(execute=True):
        cast.step(order, "cancel", cast.member_user, reason="不买了")
    assert get_balance(member_id=cast.member.pk) == 0
    assert PointsEntry.objects.filter(kind="reverse").get().reverses.rule.event == "first_application"


def test_first_application_after_seven_days_earns_nothing(cast, django_capture_on_commit_callbacks):
    type(cast.member).objects.filter(pk=cast.member.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    cast.member.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        cast.advance(cast.new_order(), "submitted")
    assert not PointsEntry.objects.filter(rule__event="first_application").exists()


def test_second_application_earns_nothing_more(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = cast.advance(cast.new_order(), "under_review")
        cast.step(first, "reject", cast.reviewer, reason="收入不足")  # one open application at a time
        cast.advance(cast.new_order(), "submitted")
    assert PointsEntry.objects.filter(rule__event="first_application").count() == 1


def test_referral_reward_waits_out_the_cooling_off_period(cast, django_capture_on_commit_callbacks):
    referrer = MemberFactory()
    cast.member.referred_by = referrer
    cast.member.save()
    with django_capture_on_commit_callbacks(execute=True):
        cast.advance(cast.new_order(), "delivered")
    pending = PendingReferralReward.objects.get()
    assert pending.release_on == timezone.localdate() + datetime.timedelta(days=7)
    assert services.release_referral_rewards(today=timezone.localdate() + datetime.timedelta(days=6)) == 0
    assert get_balance(member_id=referrer.pk) == 0
    assert services.release_referral_rewards(today=pending.release_on) == 1
    assert services.release_referral_rewards(today=pending.release_on) == 0
    assert get_balance(member_id=referrer.pk) == 500
    assert PointsEntry.objects.filter(account__member=cast.member, rule__event="referral_invitee").get().points == 300


def test_cancelled_referral_is_never_granted(cast, django_capture_on_commit_callbacks):
    referrer = MemberFactory()
    cast.member.referred_by = referrer
    cast.member.save()
    with django_capture_on_commit_callbacks(execute=True):
        cast.advance(cast.new_order(), "delivered")
    assert services.cancel_referral_reward(invitee_id=cast.member.pk)
    assert services.release_referral_rewards(today=timezone.localdate() + datetime.timedelta(days=30)) == 0
    assert get_balance(member_id=referrer.pk) == 0


def test_referral_funnel_per_invitee(cast, member_client, member, django_capture_on_commit_callbacks):
    applied = MemberFactory(referred_by=member, preferred_store=cast.store, verified=True)
    cast.member.referred_by = member
    cast.member.save()
    with django_capture_on_commit_callbacks(execute=True):
        cast.advance(cast.new_order(), "delivered")
    from orders.services import create_order

    order = create_order(member=applied, trim_id=cast.trim.pk, plan_id=cast.plan.pk, actor=applied.user)
    cast.step(order, "submit", applied.user)
    MemberFactory(referred_by=member)  # registered only
    statuses = sorted(row["status"] for row in member_client.get("/api/v1/me/referrals/").json()["invitees"])
    assert statuses == ["applied", "delivered", "registered"]
    services.release_referral_rewards(today=timezone.localdate() + datetime.timedelta(days=7))
    statuses = sorted(row["status"] for row in member_client.get("/api/v1/me/referrals/").json()["invitees"])
    assert statuses == ["applied", "registered", "rewarded"]


def test_a_member_cannot_refer_themself(member):
    from django.db import IntegrityError, transaction

    member.referred_by = member
    with pytest.raises(IntegrityError), transaction.atomic():
        member.save()


def test_finance_applies_a_repayment_coupon_to_an_installment(cast, client, give_points):
    from decimal import Decimal

    from tests.points.factories import RewardFactory

    order = cast.advance(cast.new_order(), "funded")
    give_points(cast.member, 1000)
    coupon = services.redeem_reward(
        member_id=cast.member.pk, reward_id=RewardFactory(cost_points=1000, face_value=Decimal("100.00")).pk,
        idempotency_key="c1",
    ).coupon  # fmt: skip
    first = order.loan.installments.get(number=1)
    client.force_login(cast.store_staff)
    client.post(f"/backoffice/orders/{order.pk}/installments/{first.pk}/coupon/", {"coupon": coupon.code})
    first.refresh_from_db()
    assert first.coupon_code == ""  # only finance applies coupons
    client.force_login(cast.finance)
    page = client.get(f"/backoffice/orders/{order.pk}/").content.decode()
    assert 'id="installments"' in page
    client.post(f"/backoffice/orders/{order.pk}/installments/{first.pk}/coupon/", {"coupon": coupon.code})
    first.refresh_from_db()
    coupon.refresh_from_db()
    assert (first.coupon_code, first.deduction) == (coupon.code, Decimal("100.00"))
    assert (coupon.status, coupon.used_for) == ("used", f"installment:{first.pk}")
    second = order.loan.installments.get(number=2)
    response = client.post(
        f"/backoffice/orders/{order.pk}/installments/{second.pk}/coupon/", {"coupon": coupon.code}, follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert "This coupon is used, expired or not valid here." in response.content.decode()
    second.refresh_from_db()
    assert second.coupon_code == ""


def test_someone_elses_coupon_cannot_be_applied(cast, give_points):
    from points.exceptions import CouponNotUsable
    from tests.points.factories import RewardFactory

    order = cast.advance(cast.new_order(), "funded")
    stranger = MemberFactory()
    give_points(stranger, 1000)
    coupon = services.redeem_reward(
        member_id=stranger.pk, reward_id=RewardFactory(cost_points=1000).pk, idempotency_key="c"
    ).coupon
    from orders.repayments import apply_repayment_coupon

    installment = order.loan.installments.get(number=1)
    with pytest.raises(CouponNotUsable):
        apply_repayment_coupon(installment_id=installment.pk, coupon_code=coupon.code, actor=cast.finance)
    coupon.refresh_from_db()
    assert (coupon.status, coupon.used_for, coupon.used_by) == ("active", "", None)
    installment.refresh_from_db()
    assert (installment.coupon_code, installment.deduction) == ("", 0)
