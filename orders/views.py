"""Member-center pages for choosing a car and following an application. As thin as the API."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from members.formatting import format_money
from members.views import member_required
from orders import repayments, selectors, services
from orders.downloads import document_response, handle_upload, upload_form_for
from orders.exceptions import ActiveApplicationExists
from orders.forms import LoanChoiceForm, TransitionForm
from orders.models import Order
from points import selectors as points_selectors
from points.enums import RewardKind
from vehicles import selectors as vehicle_selectors


def catalog(request):
    context = {"car_models": vehicle_selectors.list_catalog_models(), "replacing": _replacing(request)}
    return render(request, "orders/catalog.html", context)


def _replacing(request) -> str:
    """The id of the application whose car the member is changing, when they came here to change it."""
    value = request.GET.get("replace", "")
    return value if value.isdigit() else ""


def choose_plan(request, trim_id: int):
    """The plan page and its loan calculator. The member picks a plan, a down payment (yuan or a share of the
    price) and a term; "Calculate" sends them here (the page's script asks the quote API instead, as they type), and
    every figure shown is the server's quote for that choice, the one applying records."""
    plans = list(vehicle_selectors.list_active_plans(trim_id=trim_id))
    if not plans:
        raise Http404
    form = LoanChoiceForm(request.GET if "plan" in request.GET else None)
    plan, quote = plans[0], None
    if form.is_bound:
        valid = form.is_valid()
        plan = next((item for item in plans if item.pk == form.cleaned_data.get("plan")), plan)
        try:
            quote = vehicle_selectors.quote_choice(plan=plan, **form.to_choice().as_kwargs()) if valid else None
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
    else:
        quote = plan.quote()
    shown = quote or plan.quote()
    # The sentence stays one translatable string; its two numbers sit in spans the page's script updates.
    quote_detail = mark_safe(  # noqa: S308  (the catalog text is escaped; the spans hold our own numbers)
        conditional_escape(_("Down payment ¥%(down)s · %(term)s months"))
        % {
            "down": format_html('<span id="quote-down">{}</span>', format_money(shown.down_payment, symbol=False)),
            "term": format_html('<span id="quote-term">{}</span>', shown.term_months),
        }
    )
    context = {
        "trim": plan.trim, "plans": [(item, item.quote()) for item in plans], "plan": plan, "quote": quote,
        "form": form, "replacing": _replacing(request), "quote_detail": quote_detail,
        "down_payment_value": request.GET.get("down_payment", "")[:20] if form.is_bound else shown.down_payment,
        "down_payment_bounds": plan.down_payment_bounds(),
        "term_value": (form.cleaned_data.get("term_months") if form.is_bound else None) or plan.term_months,
    }  # fmt: skip
    return render(request, "orders/choose_plan.html", context)


def _calculator_url(*, trim_id: int, post) -> str:
    """Back to the plan page with the member's choice filled in, to show what was wrong with it."""
    query = urlencode({key: post.get(key, "")[:20] for key in ("plan", "down_payment", "term_months")})
    return f"{reverse('orders:choose-plan', kwargs={'trim_id': trim_id})}?{query}"


@require_POST
@member_required
def apply(request, trim_id: int):
    form = LoanChoiceForm(request.POST)
    if not form.is_valid() or form.cleaned_data["plan"] is None:
        messages.error(request, _("Please choose a finance plan."))
        return redirect("orders:choose-plan", trim_id=trim_id)
    try:
        order = services.create_order(
            member=request.member, trim_id=trim_id, plan_id=form.cleaned_data["plan"], actor=request.user,
            choice=form.to_choice(),
        )  # fmt: skip
    except ActiveApplicationExists as error:
        messages.error(request, str(error.message))
        return redirect("orders:detail", order_id=error.active_order_id)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(_calculator_url(trim_id=trim_id, post=request.POST))
    try:
        services.apply_transition(order_id=order.pk, name="submit", actor=request.user)
    except DomainError as error:
        # The draft is kept: the member can fix the problem and submit from the order page.
        messages.warning(request, str(error.message))
    else:
        messages.success(request, _("Your application is submitted. Upload your documents to speed things up."))
    return redirect("orders:detail", order_id=order.pk)


@member_required
def order_list(request):
    rows = [
        (order, selectors.member_state_label(order=order)) for order in selectors.list_member_orders(user=request.user)
    ]
    return render(request, "orders/order_list.html", {"rows": rows})


@member_required
def loans(request):
    """The bills page: per loan what is due next and when, paid so far, what is left, each installment's principal
    and interest, coupons applied, and how the money is collected; a deduction coupon can go on an upcoming
    installment here."""
    context = {
        "bills": selectors.list_member_bills(user=request.user),
        "coupons": list(
            points_selectors.list_usable_coupons(member_id=request.member.pk, kind=RewardKind.REPAYMENT_COUPON)
        ),
    }
    return render(request, "orders/loans.html", context)


@require_POST
@member_required
def apply_installment_coupon(request, installment_id: int):
    try:
        installment = repayments.apply_repayment_coupon(
            installment_id=installment_id, coupon_code=request.POST.get("coupon", "")[:16], actor=request.user
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("Coupon applied: installment %(number)s now asks %(amount)s.")
            % {"number": installment.number, "amount": format_money(installment.amount_due)},
        )  # fmt: skip
    return redirect("orders:loans")


@member_required
def order_detail(request, order_id: int):
    order = _get_order_or_404(request, order_id)
    upload_form = upload_form_for(request, order=order)
    if request.method == "POST":
        upload_form, done = handle_upload(request, order=order)
        if done:
            messages.success(request, done)
            return redirect("orders:detail", order_id=order.pk)  # the form then offers the next missing kind
    loan = getattr(order, "loan", None) if order.state in ("funded", "ready_for_pickup", "delivered") else None
    context = {
        "order": order,
        "state_label": selectors.member_state_label(order=order),
        "next_step": selectors.member_next_step(order=order),
        "timeline": selectors.member_road(order=order),
        "transitions": selectors.available_transitions_for(order=order, user=request.user),
        "missing_documents": selectors.missing_documents_to_show(order=order),
        "can_upload": not order.is_terminal,
        "upload_form": upload_form,
        "loan": loan,
        "installments": list(loan.installments.all()) if loan else [],
    }
    return render(request, "orders/order_detail.html", context)


@require_POST
@member_required
def take_step(request, order_id: int, name: str):
    order = _get_order_or_404(request, order_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Some fields are not valid. Please check them and try again."))
        return redirect("orders:detail", order_id=order.pk)
    data = form.cleaned_data
    try:
        order = services.apply_transition(
            order_id=order.pk, name=name, actor=request.user, reason=data["reason"], trim_id=data["trim"],
            plan_id=data["plan"], choice=form.to_choice(),
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("orders:detail", order_id=order.pk)
    messages.success(request, _("Done."))
    if name == "change_model" and hasattr(order, "replaced_by"):
        return redirect("orders:detail", order_id=order.replaced_by.pk)
    return redirect("orders:detail", order_id=order.pk)


@member_required
def document_file(request, order_id: int, document_id: int):
    order = _get_order_or_404(request, order_id)
    return document_response(request, order=order, document_id=document_id)


def _get_order_or_404(request, order_id: int) -> Order:
    try:
        return selectors.get_order_for(user=request.user, order_id=order_id)
    except DomainError:
        raise Http404 from None
