"""Member-center pages for points, rewards, coupons and the membership card."""

import uuid

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from members import cards as card_services
from members import selectors as member_selectors
from members.views import member_required
from points import selectors, services
from points.forms import CardWithdrawalForm


@member_required
def history(request):
    member_id = request.member.pk
    page = Paginator(selectors.list_entries(member_id=member_id), 20).get_page(request.GET.get("page"))
    context = {
        "balance": selectors.get_balance(member_id=member_id),
        "tier_label": request.member.get_tier_display(),
        "tier_benefit": selectors.get_tier_benefit(tier=request.member.tier),
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


# The membership card ----------------------------------------------------------------------------------------------


def _card_qr_svg(card) -> str:
    """The card's QR code as inline SVG, drawn on the server (no script, no outside service)."""
    code = segno.make(card_services.card_qr_text(card), error="m")
    return code.svg_inline(scale=5, border=2, title=_("Membership card %(number)s") % {"number": card.number})


@member_required
def card(request):
    member = request.member
    current = member_selectors.get_current_card(member=member)
    context = {
        "card": current,
        "card_status": current.shown_status() if current else "",
        "qr_svg": _card_qr_svg(current) if current else "",
        "card_changes": member_selectors.list_card_changes(member=member)[:20],
    }
    return render(request, "points/card.html", context)


_CARD_ACTIONS = {
    "join": (lambda request: card_services.issue_card(member_id=request.member.pk, actor=request.user, note="member"),
             _lazy("Welcome! Your membership card is ready.")),
    "renew": (lambda request: card_services.renew_card(member_id=request.member.pk, actor=request.user),
              _lazy("Your card is renewed for another year.")),
    "upgrade": (lambda request: card_services.upgrade_card(member_id=request.member.pk, actor=request.user),
                _lazy("Your card is upgraded.")),
    "replace": (lambda request: card_services.replace_card(member_id=request.member.pk, actor=request.user,
                                                           note="reported lost by the member"),
                _lazy("Your lost card no longer works. Here is your new card number.")),
}  # fmt: skip


@require_POST
@member_required
def card_action(request, action: str):
    if action not in _CARD_ACTIONS:
        raise Http404
    perform, done_message = _CARD_ACTIONS[action]
    try:
        perform(request)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, str(done_message))
    return redirect("points:card")


@member_required
def card_withdraw(request):
    """GET states what withdrawing does to the member's points; POST with that same number applies it."""
    member = request.member
    current = member_selectors.get_current_card(member=member)
    if current is None:
        return redirect("points:card")
    points_forfeited = selectors.state_card_withdrawal(member_id=member.pk)
    if request.method == "POST":
        form = CardWithdrawalForm(request.POST)
        if form.is_valid():
            try:
                services.withdraw_membership(
                    member_id=member.pk, points_stated=form.cleaned_data["points_stated"], actor=request.user
                )
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("Your membership has ended. You are welcome to join again at any time."))
                return redirect("points:card")
    return render(request, "points/card_withdraw.html", {"card": current, "points_forfeited": points_forfeited})
