"""Reads of the orders app, always scoped to the person asking: members see their own orders, store staff their
store's, other staff all (the rule is members.selectors.store_ids_visible_to)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, Count, Exists, IntegerField, Prefetch, Q, QuerySet, When
from django.utils import timezone

from members.models import Member, Store
from members.selectors import list_active_stores, sees_all_stores, store_ids_visible_to
from orders.enums import TERMINAL_STATE_VALUES, DocumentKind, InstallmentStatus, OrderState
from orders.exceptions import OrderNotFound
from orders.messages import MEMBER_NEXT_STEP, MEMBER_STATE_LABELS, MEMBER_STEP_NAMES, UNASSIGNED_NEXT_STEP
from orders.models import CreditCheck, Installment, Loan, Order, OrderDocument, OrderEvent, Payment, RepaymentImport
from orders.state_machine import TRANSITION_ACTORS
from vehicles.models import OwnedVehicle

# The main road of an application, for the timeline and the funnel.
MAIN_PATH = [
    OrderState.DRAFT,
    OrderState.SUBMITTED,
    OrderState.COLLECTING_MATERIALS,
    OrderState.UNDER_REVIEW,
    OrderState.APPROVED,
    OrderState.VEHICLE_CONFIRMED,
    OrderState.CONTRACT_SCHEDULED,
    OrderState.SIGNED,
    OrderState.DOWN_PAYMENT_PAID,
    OrderState.FUNDED,
    OrderState.READY_FOR_PICKUP,
    OrderState.DELIVERED,
]


def _with_details(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.select_related("trim__car_model__brand", "plan", "store", "member__user").prefetch_related(
        Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "pk")),
        Prefetch("documents", queryset=OrderDocument.objects.order_by("created_at", "pk")),
    )


def orders_visible_to(*, user) -> QuerySet[Order]:
    if not user.is_authenticated:
        return Order.objects.none()
    if not user.is_staff:
        return Order.objects.filter(member__user=user)
    store_ids = store_ids_visible_to(user=user)
    if store_ids is None:
        return Order.objects.all()
    return Order.objects.filter(store_id__in=store_ids)


def member_ids_with_orders_at(*, store_ids: list[int]) -> QuerySet:
    """A member belongs to every store that has an application of theirs (members.selectors)."""
    return Order.objects.filter(store_id__in=store_ids).values("member_id")


def _of_visible_orders(queryset: QuerySet, *, user) -> QuerySet:
    return queryset if sees_all_stores(user=user) else queryset.filter(order__in=orders_visible_to(user=user))


def order_events_visible_to(*, user) -> QuerySet[OrderEvent]:
    return _of_visible_orders(OrderEvent.objects.all(), user=user)


def order_documents_visible_to(*, user) -> QuerySet[OrderDocument]:
    return _of_visible_orders(OrderDocument.objects.all(), user=user)


def credit_checks_visible_to(*, user) -> QuerySet[CreditCheck]:
    return _of_visible_orders(CreditCheck.objects.all(), user=user)


def loans_visible_to(*, user) -> QuerySet[Loan]:
    return _of_visible_orders(Loan.objects.all(), user=user)


def installments_visible_to(*, user) -> QuerySet[Installment]:
    if sees_all_stores(user=user):
        return Installment.objects.all()
    return Installment.objects.filter(loan__order__in=orders_visible_to(user=user))


def list_member_orders(*, user) -> QuerySet[Order]:
    return (
        orders_visible_to(user=user).select_related("trim__car_model__brand", "plan", "store").order_by("-created_at")
    )


def get_order_for(*, user, order_id: int) -> Order:
    """The order if ``user`` may see it; otherwise "not found", never "forbidden" (docs/api.md)."""
    order = _with_details(orders_visible_to(user=user)).filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound()
    return order


# Queue views: open work (the default), what waits on the person asking, what has waited too long, everything.
QUEUE_VIEWS = ("open", "mine", "overdue", "all")
# Back-office steps that move an application on (not the ones that send it back or end it).
_FORWARD_STEPS = {
    name
    for name in TRANSITION_ACTORS
    if name not in {"request_materials", "reject", "terminate", "cancel", "change_model"}
}


def states_waiting_on(*, user) -> list[str]:
    """States in which an application waits for a forward step that ``user``'s role takes."""
    states = set()
    for transition in Order._meta.get_field("state").get_all_transitions(Order):
        if transition.name in _FORWARD_STEPS and user.role in TRANSITION_ACTORS[transition.name]:
            states.add(transition.source)
    return sorted(state for state in states if state in OrderState.values)


def overdue_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=settings.BACKOFFICE_OVERDUE_HOURS)


def list_store_orders(
    *, user, state: str = "", search: str = "", unassigned: bool = False, view: str = "all"
) -> QuerySet[Order]:
    """``unassigned``: the call center's queue, submitted applications waiting for a store (store roles never see
    them: their visibility is their own store). ``view`` (QUEUE_VIEWS): open work, the longest-waiting first;
    what waits on ``user``; open work untouched longer than BACKOFFICE_OVERDUE_HOURS; or everything, newest first."""
    orders = orders_visible_to(user=user).select_related("trim__car_model__brand", "store", "member__user")
    if view in ("open", "mine", "overdue"):
        orders = orders.exclude(state__in=TERMINAL_STATE_VALUES)
    if view == "mine":
        orders = orders.filter(state__in=states_waiting_on(user=user))
    if view == "overdue":
        orders = orders.filter(updated_at__lt=overdue_before())
    if state:
        orders = orders.filter(state=state)
    if unassigned:
        orders = orders.filter(unassigned_orders_condition())
    if search:
        term = search.strip()
        digits = "".join(character for character in term if character.isdigit())
        condition = Q(number__icontains=term) | Q(plate__icontains=term) | Q(member__name__icontains=term)
        if len(digits) >= 4:
            condition |= Q(member__user__phone__contains=digits)
        orders = orders.filter(condition)
    if view == "all":
        return orders.order_by("-updated_at")
    # What needs this person's action first, then what has waited longest.
    waits_on_me = Case(When(state__in=states_waiting_on(user=user), then=0), default=1, output_field=IntegerField())
    return orders.annotate(waits_on_me=waits_on_me).order_by("waits_on_me", "updated_at", "pk")


def count_queue_views(*, user) -> dict[str, int]:
    """How many applications each queue view holds, in one query."""
    open_orders = orders_visible_to(user=user).exclude(state__in=TERMINAL_STATE_VALUES)
    return open_orders.aggregate(
        open=Count("pk"),
        mine=Count("pk", filter=Q(state__in=states_waiting_on(user=user))),
        overdue=Count("pk", filter=Q(updated_at__lt=overdue_before())),
    )


def unassigned_orders_condition() -> Q:
    return Q(state=OrderState.SUBMITTED, store__isnull=True)


def count_unassigned_orders(*, user) -> int:
    return orders_visible_to(user=user).filter(unassigned_orders_condition()).count()


def find_active_store(*, reference) -> Store | None:
    """An open store named by its code (as every answer names it) or, for older clients, by its numeric id."""
    if isinstance(reference, bool) or not isinstance(reference, str | int):
        return None
    value = str(reference).strip()
    if not value or len(value) > 20 or "\x00" in value:
        return None
    stores = list_active_stores()
    store = stores.filter(code=value).first()
    if store is None and value.isascii() and value.isdigit() and len(value) <= 18:
        store = stores.filter(pk=int(value)).first()
    return store


def count_orders_by_state(*, user) -> dict[str, int]:
    rows = orders_visible_to(user=user).values("state").annotate(total=Count("pk"))
    counts = {state.value: 0 for state in OrderState}
    counts.update({row["state"]: row["total"] for row in rows})
    return counts


def available_transitions_for(*, order: Order, user) -> list[dict]:
    """The steps ``user`` may take on ``order`` now, conditions included, for buttons and the API."""
    transitions = []
    for transition in order.get_available_user_state_transitions(user):
        transitions.append(
            {
                "name": transition.name,
                "target": transition.target,
                "label": str(transition.custom["label"]),
                "needs_reason": bool(transition.custom.get("needs_reason")),
            }
        )
    # Forward steps first, in the order of the road; cancel and terminate last.
    return sorted(transitions, key=lambda item: _STEP_ORDER.index(item["name"]))


_STEP_ORDER = list(TRANSITION_ACTORS)


def member_timeline(*, order: Order) -> list[dict]:
    """The order's steps in the member's words, with the note a reviewer left where there is one."""
    return [
        {
            "state": event.to_state,
            "label": str(MEMBER_STATE_LABELS.get(event.to_state, event.to_state)),
            "at": event.created_at,
            "note": event.reason if event.to_state in _MEMBER_VISIBLE_NOTES else "",
        }
        for event in order.events.all()
        if event.to_state != event.from_state
    ]


def member_road(*, order: Order) -> list[dict]:
    """The timeline the member's page shows: the steps taken, the step the application is at with what the member
    does next (and, while they wait for their car, when it should arrive), and the steps still ahead. A closed
    application has no steps ahead."""
    past = [{**entry, "status": "done"} for entry in member_timeline(order=order)]
    if not past or past[-1]["state"] != order.state:
        past.append({"state": order.state, "label": member_state_label(order=order), "at": None, "note": ""})
    current = past[-1]
    current["status"] = "ended" if order.is_terminal else "current"
    if not order.is_terminal:
        current["next_step"] = member_next_step(order=order)
        if order.state == OrderState.AWAITING_VEHICLE and order.expected_arrival_on:
            current["expected_arrival_on"] = order.expected_arrival_on
    ahead = [
        {"state": state.value, "label": str(MEMBER_STEP_NAMES[state]), "at": None, "note": "", "status": "ahead"}
        for state in steps_ahead(order=order)
    ]
    return past + ahead


def steps_ahead(*, order: Order) -> list[OrderState]:
    """The main-road steps an open application has still to take, in order."""
    if order.is_terminal:
        return []
    # Side steps sit on the road where they branch off: more materials return to review, waiting for the car ends
    # when the car is confirmed.
    position_of = {
        OrderState.NEEDS_MATERIALS: OrderState.COLLECTING_MATERIALS,
        OrderState.AWAITING_VEHICLE: OrderState.APPROVED,
    }
    here = position_of.get(order.state, order.state)
    return MAIN_PATH[MAIN_PATH.index(here) + 1 :]


def member_progress(*, order: Order) -> dict | None:
    """How far along the main road an open application is, for a progress bar; None once it is closed."""
    if order.is_terminal:
        return None
    total = len(MAIN_PATH) - 1  # the draft is no step of its own
    done = total - len(steps_ahead(order=order))
    return {"done": done, "total": total, "percent": round(100 * done / total)}


def member_road_facts(*, member_id: int) -> tuple[bool, bool]:
    """(has an open application, owns a car bought here), in one query."""
    open_application = Order.objects.filter(member_id=member_id).exclude(state__in=TERMINAL_STATE_VALUES)
    row = (
        Member.objects.filter(pk=member_id)
        .annotate(applying=Exists(open_application), owner=Exists(OwnedVehicle.objects.filter(member_id=member_id)))
        .values_list("applying", "owner")
        .first()
    )
    return row or (False, False)


def next_installment_of(*, member_id: int) -> Installment | None:
    """The member's earliest repayment not yet paid (an overdue one first, as it comes earliest)."""
    return (
        Installment.objects.filter(loan__order__member_id=member_id)
        .exclude(status=InstallmentStatus.PAID)
        .order_by("due_on", "pk")
        .first()
    )


_MEMBER_VISIBLE_NOTES = {OrderState.NEEDS_MATERIALS, OrderState.REJECTED, OrderState.TERMINATED}


def member_state_label(*, order: Order) -> str:
    return str(MEMBER_STATE_LABELS[order.state])


def member_next_step(*, order: Order) -> str:
    if order.is_unassigned:
        return str(UNASSIGNED_NEXT_STEP)
    return str(MEMBER_NEXT_STEP.get(order.state, ""))


def missing_document_labels(*, order: Order) -> list[str]:
    return [str(DocumentKind(kind).label) for kind in order.missing_documents()]


# Documents matter while the application is being put together; later (or once closed) nothing is "missing".
_COLLECTING_STATES = {
    OrderState.DRAFT,
    OrderState.SUBMITTED,
    OrderState.COLLECTING_MATERIALS,
    OrderState.NEEDS_MATERIALS,
}


def missing_documents_to_show(*, order: Order) -> list[dict]:
    """What is still needed for review, kind and label, while documents are being collected."""
    if order.state not in _COLLECTING_STATES:
        return []
    return [{"kind": kind, "label": str(DocumentKind(kind).label)} for kind in order.missing_documents()]


def blocked_store_step(*, order: Order, user) -> dict | None:
    """While a store collects materials, the step to review waits for the documents: name it and what it waits for,
    so the clerk sees what to do instead of "nothing to do"."""
    if order.state != OrderState.COLLECTING_MATERIALS or not user.is_staff:
        return None
    missing = missing_documents_to_show(order=order)
    return {"missing": missing} if missing else None


def latest_credit_check(*, order: Order) -> CreditCheck | None:
    return order.credit_checks.order_by("-created_at").first()


def order_funnel(
    *, date_from: datetime.date, date_to: datetime.date, channel: str = "", store_id: int | None = None
) -> list[dict]:
    """For orders created in [date_from, date_to]: how many reached each step of the main road, and the share of
    those that went on to the next step. Two queries, whatever the number of orders."""
    start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min))
    orders = Order.objects.filter(created_at__gte=start, created_at__lt=end)
    if channel:
        orders = orders.filter(channel=channel)
    if store_id:
        orders = orders.filter(store_id=store_id)
    reached = dict(
        OrderEvent.objects.filter(order__in=orders, to_state__in=MAIN_PATH[1:])
        .values("to_state")
        .annotate(total=Count("order", distinct=True))
        .values_list("to_state", "total")
    )
    reached[OrderState.DRAFT.value] = orders.count()
    steps = []
    for index, state in enumerate(MAIN_PATH):
        count = reached.get(state.value, 0)
        previous = reached.get(MAIN_PATH[index - 1].value, 0) if index else None
        steps.append(
            {
                "state": state.value,
                "label": str(state.label),
                "count": count,
                "conversion": round(count / previous, 4) if previous else None,
            }
        )
    return steps


def list_member_loans(*, user) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(order__member__user=user)
        .select_related("order__trim__car_model__brand")
        .prefetch_related(Prefetch("installments", queryset=Installment.objects.order_by("number")))
        .order_by("-disbursed_at")
    )


def delivering_store_id(*, vin: str) -> int | None:
    """The store that handed over the car with this VIN (its delivered application), if one did. For the help a car
    gets later (rescue, surveys after a service visit): the car's store."""
    return (
        Order.objects.filter(state=OrderState.DELIVERED, vehicle_unit__vin=vin)
        .order_by("-pk")
        .values_list("store_id", flat=True)
        .first()
    )


def get_delivered_order(*, order_id: int) -> Order | None:
    """A delivered application with its member (for what follows a handover, e.g. the satisfaction survey)."""
    return Order.objects.select_related("member", "store").filter(pk=order_id, state=OrderState.DELIVERED).first()


@dataclass(frozen=True)
class LoanBill:
    """What the bills page shows for one loan, from its (prefetched) installments."""

    loan: Loan
    installments: list
    next_installment: Installment | None
    paid_so_far: Decimal
    left: Decimal
    deductions: Decimal


def loan_bill(*, loan: Loan) -> LoanBill:
    installments = list(loan.installments.all())
    unpaid = [item for item in installments if item.status != InstallmentStatus.PAID]
    return LoanBill(
        loan=loan,
        installments=installments,
        next_installment=unpaid[0] if unpaid else None,
        paid_so_far=sum((item.paid_amount for item in installments), Decimal("0.00")),
        left=sum((item.amount_left for item in unpaid), Decimal("0.00")),
        deductions=sum((item.deduction for item in installments), Decimal("0.00")),
    )


def list_member_bills(*, user) -> list[LoanBill]:
    return [loan_bill(loan=loan) for loan in list_member_loans(user=user)]


def payments_visible_to(*, user) -> QuerySet[Payment]:
    if sees_all_stores(user=user):
        return Payment.objects.all()
    return Payment.objects.filter(installment__loan__order__in=orders_visible_to(user=user))


def repayment_imports_visible_to(*, user) -> QuerySet[RepaymentImport]:
    """The loan system's files cover every store: head-office roles (finance among them) only."""
    if sees_all_stores(user=user):
        return RepaymentImport.objects.all()
    return RepaymentImport.objects.none()
