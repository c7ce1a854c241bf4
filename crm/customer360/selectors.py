"""The member 360 view (客户全景) and member search for staff: one read that gathers a member's whole relationship
from every app, through each app's own visibility selector, so a store clerk sees only what their store may see.

The number of queries does not grow with the member's history: every section is one query, and
the long sections (messages, points entries, coupons, service visits, tasks, leads) show the latest rows only.
"""

import dataclasses
import datetime
from decimal import Decimal

from django.db.models import CharField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, NullIf, Replace, Upper

from common.baked import baked_rows
from common.choices import choice_labels
from crm.care.complaints.selectors import member_complaint_summaries
from crm.customer360.exceptions import MemberNotFound
from crm.leads.enums import ContactOutcome, LeadChannel, LeadStatus
from crm.leads.models import LeadContact, LeadEnquiry
from crm.leads.selectors import leads_visible_to
from crm.segments.selectors import MemberSegmentView, member_segment_view
from members.cards import card_number_from_scan
from members.enums import STORE_BOUND_ROLES
from members.models import Member
from members.phones import mask_phone
from members.selectors import cards_visible_to, member_visible_to, members_visible_to
from notifications.models import Channel as MessageChannel
from notifications.models import Status as MessageStatus
from notifications.selectors import notifications_visible_to
from orders.enums import OrderState
from orders.models import Installment, OrderEvent
from orders.selectors import orders_visible_to
from points.enums import CouponStatus, EntryKind
from points.selectors import coupons_visible_to, points_accounts_visible_to, points_entries_visible_to
from staff_tasks.enums import TaskKind, TaskOutcome, TaskStatus
from staff_tasks.selectors import tasks_visible_to
from vehicles.models import ServiceRecord
from vehicles.selectors import owned_vehicles_visible_to

# How many of the latest rows the long sections show.
LATEST_MESSAGES = 20
LATEST_POINTS_ENTRIES = 10
LATEST_COUPONS = 20
LATEST_SERVICE_VISITS = 10
OPEN_TASKS = 50
CONTACT_HISTORY = 20
LEADS = 10


# The long sections are read as rows of plain values (``.values``), labels and names included, and the few whole
# objects (the member, applications, cars) without the columns the view does not show: the view reads a few hundred
# rows, and building a model object per row — decrypting a member's ID number, parsing each account's phone — was
# most of its time.
# The columns the view shows of the whole objects: compiling a query of every column of six joined tables cost more
# than running it. The pages' query counts (tests) would show any column that a template reads besides these.
_SHOWN_TRIM = ("trim__name", "trim__car_model__name", "trim__car_model__brand__name")
SHOWN_MEMBER_FIELDS = (
    "name", "real_name", "gender", "birthday", "email", "city", "id_number_masked", "verification_status", "tier",
    "channel", "channel_partner", "created_at", "user__phone", "preferred_store__code", "preferred_store__name",
    "referred_by__name", "referred_by__real_name",
)  # fmt: skip
SHOWN_ORDER_FIELDS = (
    "number", "state", "plate", "price", "monthly_payment", "created_at", *_SHOWN_TRIM, "store__code", "store__name",
    "loan__principal", "loan__annual_rate", "loan__term_months", "loan__monthly_payment", "loan__disbursed_at",
)  # fmt: skip
SHOWN_CAR_FIELDS = (
    "plate", "vin", "delivered_on", "mileage_km", "next_service_on", "next_service_km", "inspection_due_on",
    "insurance_due_on", *_SHOWN_TRIM,
)  # fmt: skip


def _shown_account(relation: str):
    """How the view names an account (``str()`` of a user): the username, else the phone number."""
    return Coalesce(NullIf(F(f"{relation}__username"), Value("")), Cast(f"{relation}__phone", CharField()))


def _with_labels(rows, **labelled: type) -> list[dict]:
    """Each row with ``<field>_label`` for the fields named: ``_with_labels(rows, kind=TaskKind)``."""
    rows = list(rows)
    for field, choices in labelled.items():
        labels, name = choice_labels(choices), f"{field}_label"
        for row in rows:
            row[name] = labels.get(row[field], row[field])
    return rows


def _grouped(rows, *, key: str) -> dict[int, list[dict]]:
    groups: dict[int, list[dict]] = {}
    for row in rows:
        groups.setdefault(row.pop(key), []).append(row)
    return groups


# Longest search term looked at; anything longer is cut, never refused.
MAX_QUERY_LENGTH = 50


@dataclasses.dataclass(frozen=True)
class LoanSummary:
    principal: Decimal
    annual_rate: Decimal
    term_months: int
    monthly_payment: Decimal
    disbursed_at: datetime.datetime | None
    installments: list


@dataclasses.dataclass(frozen=True)
class OrderSummary:
    order: object
    timeline: list
    loan: LoanSummary | None
    installments: list


@dataclasses.dataclass(frozen=True)
class CarSummary:
    car: object
    service_visits: list


@dataclasses.dataclass(frozen=True)
class Customer360:
    member: Member
    phone: str
    orders: list[OrderSummary]
    cars: list[CarSummary]
    points_balance: int
    points_entries: list
    coupons: list
    messages: list
    open_tasks: list
    contact_history: list
    leads: list
    segments: MemberSegmentView
    complaints: list = dataclasses.field(default_factory=list)


def shows_full_phone(*, user) -> bool:
    """Store roles see phone numbers masked in lists; the 360 page of one member shows the number to call."""
    return not (user.role in STORE_BOUND_ROLES and not user.is_superuser)


def get_customer_360(*, user, member_id: int) -> Customer360:
    """Everything about one member that ``user`` may see, in a fixed number of queries; someone else's member (or
    no member) is "not found"."""
    # Visibility of the member is decided once; the sections that follow the member rule then read the member's
    # rows without compiling the rule again (a store clerk's rule is several subqueries).
    member = member_visible_to(
        user=user,
        member_id=member_id,
        shape=lambda members: members.select_related("user", "preferred_store", "referred_by").only(
            *SHOWN_MEMBER_FIELDS
        ),
        baked_as="360.member",
    )
    if member is None or not user.is_staff:
        raise MemberNotFound()

    orders = baked_rows("360.orders", _order_rows, user=user, member=member)
    timelines = _grouped(
        _with_labels(
            baked_rows("360.timeline", _timeline_rows, user=user, order_ids=[order.pk for order in orders]),
            to_state=OrderState,
        ),
        key="order_id",
    )
    loan_ids = [loan.pk for loan in (getattr(order, "loan", None) for order in orders) if loan is not None]
    installments: dict[int, list] = {}
    for installment in baked_rows("360.installments", _installment_rows, user=user, loan_ids=loan_ids):
        installments.setdefault(installment.loan_id, []).append(installment)
    cars = baked_rows("360.cars", _car_rows, user=user, member=member)
    visits = _grouped(
        baked_rows("360.service_visits", _service_visit_rows, user=user, car_ids=[car.pk for car in cars]),
        key="vehicle_id",
    )
    account = baked_rows("360.points_balance", _balance_rows, user=user, member=member)
    leads = _with_labels(
        baked_rows("360.leads", _lead_rows, user=user, member=member, phone=str(member.user.phone)),
        status=LeadStatus,
        channel=LeadChannel,
    )
    lead_ids = [lead["id"] for lead in leads]
    enquiries = _grouped(baked_rows("360.enquiries", _enquiry_rows, user=user, lead_ids=lead_ids), key="lead_id")
    contacts = _grouped(
        _with_labels(baked_rows("360.contacts", _contact_rows, user=user, lead_ids=lead_ids), outcome=ContactOutcome),
        key="lead_id",
    )
    for lead in leads:
        lead["enquiries"] = enquiries.get(lead["id"], [])
        lead["contacts"] = contacts.get(lead["id"], [])
    return Customer360(
        member=member,
        phone=str(member.user.phone),
        orders=[
            _order_summary(order, timeline=timelines.get(order.pk, []), installments=installments) for order in orders
        ],
        cars=[CarSummary(car=car, service_visits=visits.get(car.pk, [])[:LATEST_SERVICE_VISITS]) for car in cars],
        points_balance=account[0]["balance"] if account else 0,
        points_entries=_with_labels(
            baked_rows("360.points_entries", _points_entry_rows, user=user, member=member), kind=EntryKind
        ),
        coupons=_with_labels(baked_rows("360.coupons", _coupon_rows, user=user, member=member), status=CouponStatus),
        messages=_with_labels(
            baked_rows("360.messages", _message_rows, user=user, member=member),
            channel=MessageChannel,
            status=MessageStatus,
        ),
        open_tasks=_with_labels(baked_rows("360.open_tasks", _open_task_rows, user=user, member=member), kind=TaskKind),
        complaints=member_complaint_summaries(user=user, member_id=member.pk),
        contact_history=_with_labels(
            baked_rows("360.contact_history", _done_task_rows, user=user, member=member),
            kind=TaskKind,
            outcome=TaskOutcome,
        ),
        leads=leads,
        segments=member_segment_view(user=user, member=member),
    )


# The long sections, each a statement baked once per caller (common.baked): they read the caller only through the
# visibility selectors, and the member only by key (the leads also by phone).


def _order_rows(*, user, member) -> QuerySet:
    return (
        orders_visible_to(user=user)
        .filter(member=member)
        .select_related("trim__car_model__brand", "store", "loan")
        .only(*SHOWN_ORDER_FIELDS)
        .order_by("-created_at", "-pk")
    )


def _installment_rows(*, user, loan_ids: list[int]) -> QuerySet:
    # The loans of the orders orders_visible_to gave this caller; by number, as the schedule reads.
    return (
        Installment.objects.filter(loan__in=loan_ids)
        .only("loan_id", "number", "due_on", "amount", "deduction", "status", "paid_at")
        .order_by("loan_id", "number")
    )


def _car_rows(*, user, member) -> QuerySet:
    return (
        owned_vehicles_visible_to(user=user, member=member)
        .select_related("trim__car_model__brand")
        .only(*SHOWN_CAR_FIELDS)
        .order_by("-delivered_on", "-pk")
    )


def _service_visit_rows(*, user, car_ids: list[int]) -> QuerySet:
    # The cars owned_vehicles_visible_to gave this caller; newest visit first.
    return (
        ServiceRecord.objects.filter(vehicle__in=car_ids)
        .order_by("vehicle_id", "-serviced_on", "-pk")
        .values("vehicle_id", "serviced_on", "mileage_km", "description", "is_maintenance")
    )


def _timeline_rows(*, user, order_ids: list[int]) -> QuerySet:
    # The orders are the ones orders_visible_to gave this caller.
    return (
        OrderEvent.objects.filter(order__in=order_ids)
        .order_by("created_at", "pk")
        .values("order_id", "transition", "from_state", "to_state", "reason", "created_at")
        .annotate(actor=_shown_account("actor"))
    )


def _balance_rows(*, user, member) -> QuerySet:
    return points_accounts_visible_to(user=user, member=member).values("balance")[:1]


def _lead_rows(*, user, member, phone: str) -> QuerySet:
    # Leads from this phone, converted or not, and those linked to the member; with every enquiry (二次咨询) and
    # contact attempt.
    return (
        leads_visible_to(user=user)
        .filter(Q(member=member) | Q(phone=phone))
        .order_by("-created_at", "-pk")
        .values("id", "status", "channel", "model_text", "enquiries_count", "created_at", "converted_at")
        .annotate(partner=F("partner__name"), store=F("store__code"), assignee=_shown_account("assignee"))[:LEADS]
    )


def _enquiry_rows(*, user, lead_ids: list[int]) -> QuerySet:
    # The leads are the ones leads_visible_to gave this caller.
    return (
        LeadEnquiry.objects.filter(lead__in=lead_ids)
        .order_by("created_at", "pk")
        .values("lead_id", "channel", "model_text", "city", "created_at")
    )


def _contact_rows(*, user, lead_ids: list[int]) -> QuerySet:
    return (
        LeadContact.objects.filter(lead__in=lead_ids)
        .order_by("-created_at", "-pk")
        .values("lead_id", "outcome", "note", "created_at")
        .annotate(by=_shown_account("contacted_by"))
    )


def _points_entry_rows(*, user, member) -> QuerySet:
    return (
        points_entries_visible_to(user=user, member=member)
        .order_by("-created_at", "-pk")
        .values("kind", "points", "balance_after", "reason", "created_at")[:LATEST_POINTS_ENTRIES]
    )


def _coupon_rows(*, user, member) -> QuerySet:
    return (
        coupons_visible_to(user=user, member=member)
        .order_by("-created_at", "-pk")
        .values("code", "face_value", "status", "valid_until", "used_at")
        .annotate(reward=F("reward__name"))[:LATEST_COUPONS]
    )


def _message_rows(*, user, member) -> QuerySet:
    return (
        notifications_visible_to(user=user, member=member)
        .order_by("-created_at", "-pk")
        .values("id", "channel", "event", "subject", "status", "provider_status", "created_at", "sent_at", "read_at")[
            :LATEST_MESSAGES
        ]
    )


def _open_task_rows(*, user, member) -> QuerySet:
    return (
        tasks_visible_to(user=user)
        .filter(member=member, status=TaskStatus.OPEN)
        .order_by("due_at", "pk")
        .values("id", "kind", "title", "due_at")
        .annotate(store=F("store__code"), assignee=_shown_account("assignee"))[:OPEN_TASKS]
    )


def _done_task_rows(*, user, member) -> QuerySet:
    return (
        tasks_visible_to(user=user)
        .filter(member=member, status=TaskStatus.DONE)
        .order_by("-completed_at", "-pk")
        .values("id", "kind", "title", "outcome", "note", "completed_at")
        .annotate(completed_by=_shown_account("completed_by"))[:CONTACT_HISTORY]
    )


def _order_summary(order, *, timeline: list[dict], installments: dict[int, list]) -> OrderSummary:
    loan = getattr(order, "loan", None)  # the reverse one-to-one raises an AttributeError when there is none
    if loan is None:
        return OrderSummary(order=order, timeline=timeline, loan=None, installments=[])
    shown = installments.get(loan.pk, [])
    return OrderSummary(
        order=order,
        timeline=timeline,
        loan=LoanSummary(
            principal=loan.principal, annual_rate=loan.annual_rate, term_months=loan.term_months,
            monthly_payment=loan.monthly_payment, disbursed_at=loan.disbursed_at, installments=shown,
        ),
        installments=shown,
    )  # fmt: skip


# Search -----------------------------------------------------------------------------------------------------------


def clean_query(raw: str | None) -> str:
    """What a search box sent, made safe to look up: no NUL or other control characters, at most 50 characters."""
    text = "".join(character for character in (raw or "") if character.isprintable())
    return text.strip()[:MAX_QUERY_LENGTH]


def _phone_digits(term: str) -> str:
    """The digits of a term that looks like a phone number (``+86 138 0013 8000``, ``8000``), without the country
    code; empty when the term is not phone-like."""
    if not term or any(not (character.isdigit() or character in "+-() ") for character in term):
        return ""
    digits = "".join(character for character in term if character.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if len(digits) >= 4 else ""


def _compact_plate(value) -> Replace:
    """A plate as compared: upper case, without the spaces, dots and dashes people type or leave out."""
    expression = Upper(value)
    for separator in (" ", "·", "•", "-"):
        expression = Replace(expression, Value(separator), Value(""))
    return expression


def search_members(*, user, query: str) -> QuerySet[Member]:
    """Members ``user`` may see, found by phone (with or without +86, or its last digits), name, plate,
    application number or membership card number (typed, or the card's scanned QR text); newest first. Each row
    carries its latest visible application's number and state."""
    term = clean_query(query)
    latest_order = orders_visible_to(user=user).filter(member_id=OuterRef("pk")).order_by("-created_at", "-pk")
    members = (
        members_visible_to(user=user)
        .select_related("user", "preferred_store")
        .annotate(
            latest_order_number=Subquery(latest_order.values("number")[:1]),
            latest_order_state=Subquery(latest_order.values("state")[:1]),
        )
        .order_by("-created_at", "-pk")
    )
    if not term:
        return members
    plate = "".join(term.upper().split()).replace("·", "").replace("•", "").replace("-", "")
    condition = Q(name__icontains=term) | Q(real_name__icontains=term)
    condition |= Q(pk__in=orders_visible_to(user=user).filter(number__iexact=term).values("member_id"))
    if len(term) >= 4:
        condition |= Q(pk__in=orders_visible_to(user=user).filter(number__icontains=term).values("member_id"))
    if len(plate) >= 3:
        condition |= Q(
            pk__in=owned_vehicles_visible_to(user=user)
            .annotate(compact_plate=_compact_plate("plate"))
            .filter(compact_plate__contains=plate)
            .values("member_id")
        )
        condition |= Q(
            pk__in=orders_visible_to(user=user)
            .annotate(compact_plate=_compact_plate("plate"))
            .filter(compact_plate__contains=plate)
            .values("member_id")
        )
    card_number = card_number_from_scan(term)
    if card_number:
        # Only a card in use: a replaced or withdrawn card's number finds nobody.
        cards_in_use = cards_visible_to(user=user).filter(number=card_number, status="active")
        condition |= Q(pk__in=cards_in_use.values("member_id"))
    digits = _phone_digits(term)
    if digits:
        condition |= Q(user__phone__contains=digits)
    return members.filter(condition)


def phone_shown_to(*, user, phone: str) -> str:
    return phone if shows_full_phone(user=user) else mask_phone(phone)
