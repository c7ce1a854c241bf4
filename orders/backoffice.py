"""Back-office screens for store staff, reviewers and finance: a queue per state, the order page, the steps this
person may take now. Scoped in selectors: store staff see only their store's orders."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.backoffice import staff_required
from common.exceptions import DomainError
from members.enums import STORE_BOUND_ROLES, IncomeBand, MaritalStatus
from members.selectors import list_active_stores
from orders import repayments, selectors, services
from orders.downloads import document_response, handle_upload, upload_form_for
from orders.enums import DropOutReason, OrderState
from orders.forms import BankCardForm, ExpectedArrivalForm, PaymentForm, SettlementForm, TransitionForm


@staff_required
def order_queue(request):
    state = request.GET.get("state", "")
    if state not in OrderState.values:
        state = ""
    search = request.GET.get("q", "").strip()[:50]
    # Applications waiting for a store: a queue for staff who see every store (store roles never see them).
    sees_all_stores = request.user.role not in STORE_BOUND_ROLES
    unassigned = sees_all_stores and request.GET.get("unassigned") == "1"
    # Open work by default; a state tab, a search or the unassigned queue look at everything they match.
    view = request.GET.get("view", "")
    if view not in selectors.QUEUE_VIEWS:
        view = "all" if (state or search or unassigned) else "open"
    orders = selectors.list_store_orders(
        user=request.user, state=state, search=search, unassigned=unassigned, view=view
    )
    page = Paginator(orders, 25).get_page(request.GET.get("page"))
    counts = selectors.count_orders_by_state(user=request.user)
    tabs = [(value, label, counts[value]) for value, label in OrderState.choices]
    context = {
        "page": page, "tabs": tabs, "state": state, "search": search, "total": sum(counts.values()),
        "view": view, "view_counts": selectors.count_queue_views(user=request.user),
        "overdue_before": selectors.overdue_before(),
        "unassigned": unassigned,
        "unassigned_count": selectors.count_unassigned_orders(user=request.user) if sees_all_stores else None,
    }  # fmt: skip
    return render(request, "orders/backoffice/queue.html", context)


@staff_required
def order_page(request, order_id: int):
    order = _get_order_or_404(request, order_id)
    upload_form = upload_form_for(request, order=order)
    if request.method == "POST":
        upload_form, done = handle_upload(request, order=order)
        if done:
            messages.success(request, done)
            return redirect("backoffice:order", order_id=order.pk)
    transitions = selectors.available_transitions_for(order=order, user=request.user)
    qualification = getattr(order.member, "qualification", None)
    for step in transitions:
        step["consequence"] = STEP_CONSEQUENCES.get(step["name"], "forward")
    installments = list(order.loan.installments.all()) if hasattr(order, "loan") else []
    context = {
        "order": order,
        "member": order.member,
        "transitions": transitions,
        "reason_codes": DropOutReason.choices,
        "credit_check": selectors.latest_credit_check(order=order),
        "qualification": qualification,
        "qualification_income": _choice_label(IncomeBand, qualification.monthly_income_band) if qualification else "",
        "qualification_marital": _choice_label(MaritalStatus, qualification.marital_status) if qualification else "",
        "can_set_arrival": request.user.role in STORE_BOUND_ROLES,
        "can_review_documents": not order.is_terminal
        and (request.user.role == "reviewer" or request.user.role in STORE_BOUND_ROLES),
        "missing_documents": selectors.missing_documents_to_show(order=order),
        "blocked_step": selectors.blocked_store_step(order=order, user=request.user),
        "upload_form": upload_form,
        "stores": list_active_stores() if request.user.has_perm("orders.reassign_order_store") else None,
        "assign_stores": (
            list_active_stores() if order.is_unassigned and request.user.has_perm("orders.assign_order_store") else None
        ),
        "installments": installments,
        "settlement": repayments.settlement_quote(installments=installments, on=timezone.localdate())
        if installments
        else None,
        "can_apply_coupons": repayments.may_record_payments(user=request.user),
        "bank_card_form": BankCardForm(
            initial={field: getattr(order.loan, field) for field in repayments.BANK_CARD_FIELDS}
        )
        if installments and repayments.may_record_payments(user=request.user)
        else None,
        "can_apply_down_payment_coupon": order.state in repayments.DOWN_PAYMENT_COUPON_STATES
        and not order.down_payment_coupon_code
        and (request.user.role in repayments.STORE_ROLES or request.user.is_superuser),
        "today": timezone.localdate(),
        "is_head_office": request.user.role == "head_office",
    }
    return render(request, "orders/backoffice/order.html", context)


# How a step's button looks says what it does to the application: moving it on, sending it back to the member for
# more, or ending it (which asks for a confirmation first).
STEP_CONSEQUENCES = {"request_materials": "back", "reject": "end", "terminate": "end"}


@require_POST
@staff_required
def take_step(request, order_id: int, name: str):
    order = _get_order_or_404(request, order_id)
    form = TransitionForm(request.POST)
    if STEP_CONSEQUENCES.get(name) == "end" and request.POST.get("confirm") != "yes":
        messages.error(request, _("Please confirm that this ends the application."))
        return redirect("backoffice:order", order_id=order.pk)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("backoffice:order", order_id=order.pk)
    data = form.cleaned_data
    try:
        services.apply_transition(
            order_id=order.pk, name=name, actor=request.user, reason=data["reason"], reason_code=data["reason_code"],
            vin=data["vin"],
            signing_at=data["signing_at"], plate=data["plate"],
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Done."))
    return redirect("backoffice:order", order_id=order.pk)


def _choice_label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value or "—"


@require_POST
@staff_required
def review_document(request, order_id: int, document_id: int):
    order = _get_order_or_404(request, order_id)
    if not any(document.pk == document_id for document in order.documents.all()):
        raise Http404
    decision = request.POST.get("decision", "")
    if decision not in ("accept", "reject"):
        messages.error(request, _("Please choose to accept or reject the document."))
        return redirect("backoffice:order", order_id=order.pk)
    try:
        services.review_document(
            document_id=document_id, accept=decision == "accept", note=request.POST.get("note", ""), actor=request.user
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Document accepted.") if decision == "accept" else _("Document rejected; the member is asked again."),
        )
    return redirect("backoffice:order", order_id=order.pk)


@require_POST
@staff_required
def record_expected_arrival(request, order_id: int):
    """The store says when the car the member waits for should arrive; the member is told when the date changes."""
    order = _get_order_or_404(request, order_id)
    form = ExpectedArrivalForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("backoffice:order", order_id=order.pk)
    try:
        services.record_expected_arrival(
            order_id=order.pk, expected_arrival_on=form.cleaned_data["expected_arrival_on"], actor=request.user
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The expected arrival date is saved and the member is told."))
    return redirect("backoffice:order", order_id=order.pk)


@require_POST
@staff_required
def reassign_store(request, order_id: int):
    order = _get_order_or_404(request, order_id)
    store_id = request.POST.get("store", "")
    if not store_id.isdigit() or not list_active_stores().filter(pk=int(store_id)).exists():
        messages.error(request, _("Please choose a store."))
        return redirect("backoffice:order", order_id=order.pk)
    try:
        services.reassign_order_store(order_id=order.pk, store_id=int(store_id), actor=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The application was moved to the other store."))
    return redirect("backoffice:order", order_id=order.pk)


@require_POST
@staff_required
def agree_despite_credit_decline(request, order_id: int):
    order = _get_order_or_404(request, order_id)
    try:
        note = request.POST.get("note", "")[:1000]
        services.agree_to_approve_declined(order_id=order.pk, actor=request.user, note=note)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Head office's agreement is recorded. A reviewer can now approve."))
    return redirect("backoffice:order", order_id=order.pk)


@require_POST
@staff_required
def assign_store(request, order_id: int):
    order = _get_order_or_404(request, order_id)
    store = selectors.find_active_store(reference=request.POST.get("store", ""))
    if store is None:
        messages.error(request, _("Please choose a store."))
        return redirect("backoffice:order", order_id=order.pk)
    try:
        services.assign_order_store(order_id=order.pk, store_id=store.pk, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The application is now with %(store)s.") % {"store": store.name})
    return redirect("backoffice:order", order_id=order.pk)


@require_POST
@staff_required
def apply_coupon(request, order_id: int, installment_id: int):
    order = _get_order_or_404(request, order_id)
    loan = getattr(order, "loan", None)
    if loan is None or not loan.installments.filter(pk=installment_id).exists():
        raise Http404
    try:
        installment = repayments.apply_repayment_coupon(
            installment_id=installment_id, coupon_code=request.POST.get("coupon", "")[:16], actor=request.user
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("Coupon applied: ¥%(amount)s off installment %(number)s.")
            % {"amount": installment.deduction, "number": installment.number},
        )  # fmt: skip
    return redirect("backoffice:order", order_id=order.pk)


@require_POST
@staff_required
def record_payment(request, order_id: int, installment_id: int):
    order = _get_order_or_404(request, order_id)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("backoffice:order", order_id=order.pk)
    if not selectors.installments_visible_to(user=request.user).filter(pk=installment_id, loan__order=order).exists():
        raise Http404
    try:
        installment, created = repayments.record_payment(
            installment_id=installment_id, actor=request.user, **form.cleaned_data
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        message = _("Payment recorded.") if created else _("This payment was already recorded; nothing changed.")
        messages.success(request, f"{message} {installment.get_status_display()}")
    return redirect("backoffice:order", order_id=order.pk)


@require_POST
@staff_required
def settle_early(request, order_id: int):
    order = _get_order_or_404(request, order_id)
    form = SettlementForm(request.POST)
    loan = getattr(order, "loan", None)
    if loan is None:
        raise Http404
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("backoffice:order", order_id=order.pk)
    try:
        repayments.settle_loan_early(loan_id=loan.pk, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The loan is settled; every installment is paid."))
    return redirect("backoffice:order", order_id=order.pk)


@require_POST
@staff_required
def apply_down_payment_coupon(request, order_id: int):
    order = _get_order_or_404(request, order_id)
    try:
        order = repayments.apply_down_payment_coupon(
            order_id=order.pk, coupon_code=request.POST.get("coupon", "")[:16], actor=request.user
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("Coupon applied: ¥%(amount)s off the down payment.") % {"amount": order.down_payment_deduction}
        )
    return redirect("backoffice:order", order_id=order.pk)


@require_POST
@staff_required
def record_bank_card(request, order_id: int):
    """Finance enters the card repayments are debited from and the debit day."""
    order = _get_order_or_404(request, order_id)
    loan = getattr(order, "loan", None)
    if loan is None:
        raise Http404
    form = BankCardForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("backoffice:order", order_id=order.pk)
    try:
        repayments.record_bank_card(loan_id=loan.pk, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The repayment card is saved."))
    return redirect("backoffice:order", order_id=order.pk)


@staff_required
def document_file(request, order_id: int, document_id: int):
    return document_response(request, order=_get_order_or_404(request, order_id), document_id=document_id)


def _get_order_or_404(request, order_id: int):
    try:
        return selectors.get_order_for(user=request.user, order_id=order_id)
    except DomainError:
        raise Http404 from None
