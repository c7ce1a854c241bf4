"""The back office's member pages for store staff: search, and one member's 360 view (own store only)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from common.backoffice import staff_required
from crm.customer360 import selectors
from crm.customer360.exceptions import MemberNotFound
from crm.segments.selectors import staff_tags
from members.cards import card_number_from_scan
from members.selectors import find_member_by_card_number
from orders.enums import OrderState

SEARCH_PAGE_SIZE = 25


def search_context(request) -> dict:
    """The search box's term and one page of results, with phones as this person may see them."""
    search = selectors.clean_query(request.GET.get("q", ""))
    page = Paginator(selectors.search_members(user=request.user, query=search), SEARCH_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for member in page:
        member.phone_shown = selectors.phone_shown_to(user=request.user, phone=str(member.user.phone))
        member.latest_order_state_label = (
            OrderState(member.latest_order_state).label if member.latest_order_state in OrderState.values else ""
        )
    return {"search": search, "page": page}


@staff_required
def member_search(request):
    return render(request, "customer360/backoffice/search.html", search_context(request))


@staff_required
def member_page(request, member_id: int):
    try:
        view = selectors.get_customer_360(user=request.user, member_id=member_id)
    except MemberNotFound:
        raise Http404() from None
    context = {"view": view, "surface": "backoffice", "staff_tags": staff_tags()}
    return render(request, "customer360/backoffice/member.html", context)


@staff_required
def card_lookup(request):
    """A card scanner types the QR text and presses Enter here; a typed card number works too. A card in use of a
    member this person may see opens the member's page; anything else says no card was found."""
    scanned = selectors.clean_query(request.GET.get("code", ""))
    not_found = False
    if scanned:
        member = find_member_by_card_number(user=request.user, number=card_number_from_scan(scanned))
        if member is not None:
            return redirect("customer360:member", member_id=member.pk)
        not_found = True
    return render(request, "customer360/backoffice/card_lookup.html", {"scanned": scanned, "not_found": not_found})
