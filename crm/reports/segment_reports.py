"""The reports read from the segment history: tier distribution and movement, churn rate, complaint rate. Each is
a ``Report`` registered in the catalog; the numbers come from the tier and lifecycle history the nightly
computation keeps (``TierChange``, ``LifecycleChange``), so a past month reads as it was, not as it is today.

A member belongs to their preferred store; a complaint to the store it was filed with. Periods are calendar months
(local dates) inside the filter's from–to; each month costs one query, the rest a fixed few.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from crm.care.complaints.models import Complaint
from crm.reports.forms import ReportFilterForm
from crm.reports.framework import Chart, Column, Report, ReportResult, rate
from crm.reports.router import reading_from_replica
from crm.reports.selectors import report_scope
from crm.segments.enums import TIER_ORDER, Lifecycle
from crm.segments.models import LifecycleChange, TierChange
from members.models import Member, Store
from staff_tasks.selectors import local_day_bounds

# Customers in service: handed a car, not (yet) churned.
IN_SERVICE = (Lifecycle.NEW.value, Lifecycle.ACTIVE.value, Lifecycle.AT_RISK.value)
NO_STORE = _("No store")


def _local_date(value) -> datetime.date:
    # TruncMonth gives a date for a date column, a local aware datetime for a timestamp.
    return value.date() if isinstance(value, datetime.datetime) else value


def months_in(date_from: datetime.date, date_to: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The calendar months the period touches, each clipped to the period: [(first day, last day), …]."""
    months, start = [], date_from
    while start <= date_to:
        following = (start.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        months.append((start, min(date_to, following - datetime.timedelta(days=1))))
        start = following
    return months


def _members_in(store_ids: list[int] | None):
    members = Member.objects.filter(closed_at__isnull=True)
    return members if store_ids is None else members.filter(preferred_store_id__in=store_ids)


def _store_names(store_ids) -> dict[int | None, str]:
    names = dict(Store.objects.filter(pk__in=[pk for pk in store_ids if pk]).values_list("pk", "name"))
    return {pk: names.get(pk, str(NO_STORE)) if pk else str(NO_STORE) for pk in store_ids}


def _tier_rank(tier: str) -> int:
    return next((i for i, t in enumerate(TIER_ORDER) if t.value == tier), len(TIER_ORDER))


# ---------------------------------------------------------------------------------------------------------- tiers


def tier_report(*, user, date_from: datetime.date, date_to: datetime.date, store: int | None = None) -> ReportResult:
    """How many members each tier held at the end of the period (the latest tier change on or before it; normal
    without one), and the moves in the period: into each tier from below (up) or above (down), out of it; and per
    month the ups and downs. Two queries."""
    store_ids = report_scope(user=user, store_id=store)
    end = local_day_bounds(date_to)[1]
    latest = TierChange.objects.filter(member=OuterRef("pk"), as_of__lte=date_to).order_by("-as_of", "-pk")
    members = _members_in(store_ids).filter(created_at__lt=end)
    changes = TierChange.objects.filter(as_of__gte=date_from, as_of__lte=date_to, member__closed_at__isnull=True)
    if store_ids is not None:
        changes = changes.filter(member__preferred_store_id__in=store_ids)
    with reading_from_replica():
        held = dict(
            members.annotate(tier_then=Coalesce(Subquery(latest.values("to_tier")[:1]), Value("normal")))
            .values_list("tier_then")
            .annotate(n=Count("pk"))
            .order_by()
        )
        moves = list(
            changes.annotate(month=TruncMonth("as_of"))
            .values_list("month", "from_tier", "to_tier")
            .annotate(n=Count("pk"))
            .order_by()
        )
    up_into, down_into, out_of = defaultdict(int), defaultdict(int), defaultdict(int)
    by_month = {first: {"up": 0, "down": 0} for first, _last in months_in(date_from, date_to)}
    for month, from_tier, to_tier, count in moves:
        rose = _tier_rank(to_tier) < _tier_rank(from_tier)
        (up_into if rose else down_into)[to_tier] += count
        out_of[from_tier] += count
        first = max(date_from, _local_date(month))
        by_month[first]["up" if rose else "down"] += count
    total_members = sum(held.values())
    rows = [
        {"tier": tier.value, "label": str(tier.label), "members": held.get(tier.value, 0),
         "share": rate(held.get(tier.value, 0), total_members), "moved_up_in": up_into[tier.value],
         "moved_down_in": down_into[tier.value], "moved_out": out_of[tier.value]}
        for tier in TIER_ORDER
    ]  # fmt: skip
    months = [{"month": first, "moved_up": n["up"], "moved_down": n["down"]} for first, n in by_month.items()]
    return ReportResult(
        columns=[
            Column("label", _("Tier"), "text"),
            Column("members", _("Members at the end of the period"), "int"),
            Column("share", _("Share"), "rate"),
            Column("moved_up_in", _("Moved up into it"), "int"),
            Column("moved_down_in", _("Moved down into it"), "int"),
            Column("moved_out", _("Moved out of it"), "int"),
        ],  # fmt: skip
        rows=rows,
        total={
            "label": str(_("Total")),
            "members": total_members,
            "share": rate(total_members, total_members),
            "moved_up_in": sum(up_into.values()),
            "moved_down_in": sum(down_into.values()),
            "moved_out": sum(out_of.values()),
        },  # fmt: skip
        chart=Chart(
            "bar",
            [row["label"] for row in rows],
            [{"label": str(_("Members")), "data": [row["members"] for row in rows]}],
        ),  # fmt: skip
        extra={"months": months},
        sections=[
            (
                _("Moves per month"),
                [
                    Column("month", _("Month"), "date"),
                    Column("moved_up", _("Moved up"), "int"),
                    Column("moved_down", _("Moved down"), "int"),
                ],
                months,
            )
        ],  # fmt: skip
    )


# ----------------------------------------------------------------------------------------- churn and complaints


def _in_service_by_store(store_ids, *, first: datetime.date, last: datetime.date) -> dict[int | None, tuple]:
    """Per store: the members in service at the start of the month (their latest lifecycle change before it is
    new, active or at risk) and how many of those became churned during it. One query."""
    stage = LifecycleChange.objects.filter(member=OuterRef("pk"), as_of__lt=first).order_by("-as_of", "-pk")
    churned = LifecycleChange.objects.filter(
        member=OuterRef("pk"), to_lifecycle=Lifecycle.CHURNED, as_of__gte=first, as_of__lte=last
    )
    rows = (
        _members_in(store_ids)
        .annotate(stage=Subquery(stage.values("to_lifecycle")[:1]), churned=Exists(churned))
        .filter(stage__in=IN_SERVICE)
        .values_list("preferred_store_id")
        .annotate(in_service=Count("pk"), churned_n=Count("pk", filter=Q(churned=True)))
        .order_by()
    )
    return {store_id: (in_service, churned_n) for store_id, in_service, churned_n in rows}


def churn_report(*, user, date_from: datetime.date, date_to: datetime.date, store: int | None = None) -> ReportResult:
    """Per month and store: members in service at the start of the month, how many of them became churned in it,
    and the share. One query a month."""
    store_ids = report_scope(user=user, store_id=store)
    months = months_in(date_from, date_to)
    with reading_from_replica():
        counts = {first: _in_service_by_store(store_ids, first=first, last=last) for first, last in months}
    names = _store_names({pk for per_store in counts.values() for pk in per_store})
    rows, per_month = [], []
    for first, _last in months:
        month_base = month_churned = 0
        for store_id, (base, churned) in sorted(counts[first].items(), key=lambda item: names[item[0]]):
            rows.append({"month": first, "store": store_id, "store_name": names[store_id], "in_service": base,
                         "churned": churned, "churn_rate": rate(churned, base)})  # fmt: skip
            month_base, month_churned = month_base + base, month_churned + churned
        per_month.append({"month": first, "in_service": month_base, "churned": month_churned,
                          "churn_rate": rate(month_churned, month_base)})  # fmt: skip
    base, churned = sum(m["in_service"] for m in per_month), sum(m["churned"] for m in per_month)
    return ReportResult(
        columns=[
            Column("month", _("Month"), "date"),
            Column("store_name", _("Store"), "text"),
            Column("in_service", _("Members in service at the start"), "int"),
            Column("churned", _("Became churned"), "int"),
            Column("churn_rate", _("Churn rate"), "rate"),
        ],  # fmt: skip
        rows=rows,
        # Over the months: member-months in service, and the churns among them.
        total={
            "store_name": str(_("Total")),
            "in_service": base,
            "churned": churned,
            "churn_rate": rate(churned, base),
        },  # fmt: skip
        chart=Chart(
            "line",
            [m["month"].isoformat() for m in per_month],
            [{"label": str(_("Churn rate")), "data": [float(m["churn_rate"] or 0) for m in per_month]}],
        ),  # fmt: skip
        extra={"months": per_month},
    )


def complaint_rate_report(
    *, user, date_from: datetime.date, date_to: datetime.date, store: int | None = None
) -> ReportResult:
    """Per month and store: complaints received, members in service at the start of the month, and complaints per
    100 of them. One query for the complaints, one a month for the members."""
    store_ids = report_scope(user=user, store_id=store)
    start, end = local_day_bounds(date_from)[0], local_day_bounds(date_to)[1]
    months = months_in(date_from, date_to)
    complaints = Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
    if store_ids is not None:
        complaints = complaints.filter(store_id__in=store_ids)
    with reading_from_replica():
        received = {
            (max(date_from, _local_date(month)), store_id): n
            for month, store_id, n in complaints.annotate(month=TruncMonth("received_at"))
            .values_list("month", "store_id")
            .annotate(n=Count("pk"))
            .order_by()
        }
        in_service = {first: _in_service_by_store(store_ids, first=first, last=last) for first, last in months}
    keys = {(first, pk) for first, per_store in in_service.items() for pk in per_store} | set(received)
    names = _store_names({pk for _first, pk in keys})
    rows = []
    for first, store_id in sorted(keys, key=lambda key: (key[0], names[key[1]])):
        base = in_service[first].get(store_id, (0, 0))[0]
        count = received.get((first, store_id), 0)
        rows.append({"month": first, "store": store_id, "store_name": names[store_id], "complaints": count,
                     "in_service": base, "per_100": _per_100(count, base)})  # fmt: skip
    per_month = []
    for first, _last in months:
        count = sum(row["complaints"] for row in rows if row["month"] == first)
        base = sum(row["in_service"] for row in rows if row["month"] == first)
        per_month.append({"month": first, "complaints": count, "in_service": base, "per_100": _per_100(count, base)})
    count, base = sum(m["complaints"] for m in per_month), sum(m["in_service"] for m in per_month)
    return ReportResult(
        columns=[
            Column("month", _("Month"), "date"),
            Column("store_name", _("Store"), "text"),
            Column("complaints", _("Complaints"), "int"),
            Column("in_service", _("Members in service at the start"), "int"),
            Column("per_100", _("Complaints per 100 members"), "money"),
        ],  # fmt: skip
        rows=rows,
        total={
            "store_name": str(_("Total")),
            "complaints": count,
            "in_service": base,
            "per_100": _per_100(count, base),
        },  # fmt: skip
        chart=Chart(
            "bar",
            [m["month"].isoformat() for m in per_month],
            [{"label": str(_("Complaints per 100 members")), "data": [float(m["per_100"] or 0) for m in per_month]}],
        ),  # fmt: skip
        extra={"months": per_month},
    )


def _per_100(count: int, base: int) -> Decimal | None:
    value = rate(count * 100, base)
    return None if value is None else value.quantize(Decimal("0.01"))


TIERS = Report(
    slug="tiers",
    title=_("Tier distribution and movement"),
    description=_("How many members each tier held at the end of the period, and who moved up or down in it."),
    form_class=ReportFilterForm,
    run=tier_report,
)
CHURN = Report(
    slug="churn",
    title=_("Churn rate"),
    description=_("Per month and store: of the members in service at the start of the month, how many churned."),
    form_class=ReportFilterForm,
    run=churn_report,
)
COMPLAINT_RATE = Report(
    slug="complaint-rate",
    title=_("Complaint rate"),
    description=_("Per month and store: complaints received per 100 members in service."),
    form_class=ReportFilterForm,
    run=complaint_rate_report,
)
