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
        cast.advance(cast.new_order(), "submitted")
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
    applied = MemberFactory(referred_by=member, preferred_store=cast.store)
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
