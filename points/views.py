"""Member-center pages for points, rewards and coupons."""

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from members.views import member_required
from points import selectors, services


@member_required
def history(request):
    member_id = request.member.pk
    page = Paginator(selectors.list_entries(member_id=member_id), 20).get_page(request.GET.get("page"))
    context = {
        "balance": selectors.get_balance(member_id=member_id),
        "expiring": selectors.list_expiring(member_id=member_id),
        "pending_referrals": selectors.pending_referral_points(member_id=member_id),
        "page": page,
    }
    return render(request, "points/history.html", context)


@member_required
def rewards(request):
    member_id = request.member.pk
    balance = selectors.get_balance(member_id=member_id)
    context = {
        "balance": balance,
        # With each reward, how many points the member still lacks for it (0 when they have enough).
        "rewards": [
            (reward, available, max(0, reward.cost_points - balance))
            for reward, available in selectors.list_rewards(member_id=member_id)
        ],
        # One key per rendering of the page: a double click or a resent form redeems once.
        "idempotency_key": uuid.uuid4().hex,
    }
    return render(request, "points/rewards.html", context)


@require_POST
@member_required
def redeem(request, reward_id: int):
    key = request.POST.get("idempotency_key", "")
    if not 8 <= len(key) <= 100:
        messages.error(request, _("Please reload the page and try again."))
        return redirect("points:rewards")
    try:
        redemption = services.redeem_reward(
            member_id=request.member.pk, reward_id=reward_id, idempotency_key=key,
            actor=request.user,
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("points:rewards")
    messages.success(request, _("Redeemed! Your coupon %(code)s is in My coupons.") % {"code": redemption.coupon.code})
    return redirect("points:coupons")


@member_required
def coupons(request):
    return render(request, "points/coupons.html", {"coupons": selectors.list_coupons(member_id=request.member.pk)})
