"""The reports read from the segment history: tier distribution and movement, churn rate, complaint rate. Each is
a ``Report`` registered in the catalog; the numbers come from the tier and lifecycle history the nightly
computation keeps (``TierChange``, ``LifecycleChange``), so a past month reads as it was, not as it is today.

A member belongs to their preferred store; a complaint to the store it was filed with. Periods are calendar months
(local dates) inside the filter's from–to.

Both histories are read as changes that add up: a tier change takes one member from its ``from_tier`` to its
``to_tier``, a lifecycle change one member out of or into service (new, active or at risk); the nightly segment run
writes each member's changes in date order, each from the state the one before left. So the members holding a tier
at the end of a day, or in service at the start of a month, are the sum of the changes before it, per store. The
nightly ``refresh_report_aggregates`` keeps those sums per day and store (``TierDay``, ``LifecycleDay``); a report
adds the days it covers and reads the days since from the history itself (its index on the day). A fixed few
queries whatever the period.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from crm.care.complaints.models import Complaint
from crm.reports.forms import ReportFilterForm
from crm.reports.framework import AGGREGATED, Chart, Column, Report, ReportResult, rate
from crm.reports.models import AggregateRefresh, LifecycleDay, TierDay
from crm.reports.router import reading_from_replica
from crm.reports.selectors import _fetch, _in_stores, _moment, report_scope
from crm.segments.enums import TIER_ORDER, Lifecycle
from crm.segments.models import TierChange
from members.enums import Tier
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


SEGMENT_DAYS_AGGREGATE = "segment-days"
# Before this day there is no history.
HISTORY_START = datetime.date(2000, 1, 1)
_IN_SERVICE_SQL = "(" + ", ".join(f"'{stage}'" for stage in IN_SERVICE) + ")"

# Per day and store of the open members: the net change in members holding each tier. Bounds: day from, day before.
TIER_DAYS_SQL = """
    SELECT d.as_of, d.store_id, d.tier, SUM(d.change) AS change FROM (
        SELECT c.as_of, m.preferred_store_id AS store_id, c.to_tier AS tier, 1 AS change
        FROM segments_tierchange c JOIN members_member m ON m.id = c.member_id
        WHERE m.closed_at IS NULL AND c.as_of >= %s AND c.as_of < %s AND {stores}
        UNION ALL
        SELECT c.as_of, m.preferred_store_id, c.from_tier, -1
        FROM segments_tierchange c JOIN members_member m ON m.id = c.member_id
        WHERE m.closed_at IS NULL AND c.as_of >= %s AND c.as_of < %s AND {stores}
    ) AS d
    GROUP BY d.as_of, d.store_id, d.tier
    HAVING SUM(d.change) <> 0
"""
# Per day and store of the open members: the net change in members in service, and the changes to churned from in
# service.
LIFECYCLE_DAYS_SQL = f"""
    SELECT c.as_of, m.preferred_store_id AS store_id,
           SUM(CASE WHEN c.to_lifecycle IN {_IN_SERVICE_SQL} THEN 1 ELSE 0 END)
               - SUM(CASE WHEN c.from_lifecycle IN {_IN_SERVICE_SQL} THEN 1 ELSE 0 END) AS in_service_change,
           SUM(CASE WHEN c.to_lifecycle = '{Lifecycle.CHURNED.value}' AND c.from_lifecycle IN {_IN_SERVICE_SQL}
                    THEN 1 ELSE 0 END) AS churned
    FROM segments_lifecyclechange c JOIN members_member m ON m.id = c.member_id
    WHERE m.closed_at IS NULL AND c.as_of >= %s AND c.as_of < %s AND {{stores}}
    GROUP BY c.as_of, m.preferred_store_id
"""  # noqa: S608  (our enum values)


def segment_days_sql(sql: str, *, alias: str, since: datetime.date, before: datetime.date, store_ids) -> tuple:
    """``TIER_DAYS_SQL`` or ``LIFECYCLE_DAYS_SQL`` for the days ``since`` ≤ day < ``before`` in the stores, and its
    parameters."""
    where, store_params = _in_stores("m.preferred_store_id", store_ids)
    bounds = [_moment(alias, since), _moment(alias, before), *store_params]
    return sql.format(stores=where), bounds * sql.count("c.as_of >= %s")


def _covered_until(alias: str) -> datetime.date | None:
    return (
        AggregateRefresh.objects.using(alias)
        .filter(name=SEGMENT_DAYS_AGGREGATE)
        .values_list("covers_until", flat=True)
        .first()
    )


def _aggregated_before(alias: str, before: datetime.date) -> datetime.date | None:
    """The day before which the nightly sums are read (the history live from it on); None before the first refresh
    (everything live)."""
    covered = _covered_until(alias)
    return None if covered is None else min(covered, before)


def _tiers_held(alias: str, *, store_ids, date_to: datetime.date) -> dict[str, int]:
    """Members (open, in the stores) holding each tier above normal at the end of ``date_to``. Two queries."""
    before = date_to + datetime.timedelta(days=1)
    aggregated_before = _aggregated_before(alias, before)
    live_from = aggregated_before or HISTORY_START
    held: dict[str, int] = defaultdict(int)
    if aggregated_before is not None:
        days = TierDay.objects.using(alias).filter(as_of__lt=aggregated_before)
        if store_ids is not None:
            days = days.filter(store_id__in=store_ids)
        for tier, change in days.values_list("tier").annotate(Sum("change")).order_by():
            held[tier] += change
    if live_from < before:
        sql, params = segment_days_sql(TIER_DAYS_SQL, alias=alias, since=live_from, before=before, store_ids=store_ids)
        for tier, change in _fetch(alias, f"SELECT tier, SUM(change) FROM ({sql}) AS days GROUP BY tier", params):  # noqa: S608
            held[tier] += int(change)  # PostgreSQL sums a sum as numeric
    return {tier: count for tier, count in held.items() if tier != Tier.NORMAL}


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
    members = _members_in(store_ids).filter(created_at__lt=end)
    changes = TierChange.objects.filter(as_of__gte=date_from, as_of__lte=date_to, member__closed_at__isnull=True)
    if store_ids is not None:
        changes = changes.filter(member__preferred_store_id__in=store_ids)
    with reading_from_replica() as alias:
        held = _tiers_held(alias, store_ids=store_ids, date_to=date_to)
        # Everyone else who was a member by then is normal (no change yet, or back to normal).
        held[Tier.NORMAL.value] = members.count() - sum(held.values())
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


def _in_service_by_month(store_ids, months: list[tuple[datetime.date, datetime.date]], *, alias: str) -> dict:
    """Per month (its first day) and store: the members in service at its start (the changes before it added up)
    and how many of them became churned during it; stores with nobody in service left out. Up to three queries."""
    before = months[-1][1] + datetime.timedelta(days=1)
    aggregated_before = _aggregated_before(alias, before)
    live_from = aggregated_before or HISTORY_START
    # Per store and month (-1: the days before the first month, then 0, 1, …): the in-service change and the churned.
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    if aggregated_before is not None:
        month_of = Case(
            When(as_of__lt=months[0][0], then=Value(-1)),
            *(When(as_of__lte=last, then=Value(index)) for index, (_first, last) in enumerate(months)),
            output_field=IntegerField(),
        )
        days = LifecycleDay.objects.using(alias).filter(as_of__lt=aggregated_before)
        if store_ids is not None:
            days = days.filter(store_id__in=store_ids)
        for store_id, month, change, churned in (
            days.annotate(month=month_of).values_list("store_id", "month")
            .annotate(Sum("in_service_change"), Sum("churned")).order_by()
        ):  # fmt: skip
            sums[(store_id, month)][0] += change
            sums[(store_id, month)][1] += churned
    if live_from < before:
        sql, params = segment_days_sql(
            LIFECYCLE_DAYS_SQL, alias=alias, since=live_from, before=before, store_ids=store_ids
        )
        cases = " ".join(f"WHEN d.as_of <= %s THEN {index}" for index in range(len(months)))
        month_sql = f"CASE WHEN d.as_of < %s THEN -1 {cases} END"
        month_params = [_moment(alias, months[0][0]), *(_moment(alias, last) for _first, last in months)]
        grouped = f"""SELECT d.store_id, {month_sql}, SUM(d.in_service_change), SUM(d.churned)
                      FROM ({sql}) AS d GROUP BY d.store_id, 2"""  # noqa: S608
        for store_id, month, change, churned in _fetch(alias, grouped, month_params + params):
            sums[(store_id, month)][0] += int(change)  # PostgreSQL sums a sum as numeric
            sums[(store_id, month)][1] += int(churned)
    # In service at a month's start: the changes of every month before it added up.
    stores = {store_id for store_id, _month in sums}
    in_service = {store_id: sums.get((store_id, -1), (0, 0))[0] for store_id in stores}
    by_month: dict[datetime.date, dict] = {}
    for index, (first, _last) in enumerate(months):
        per_store = {}
        for store_id in stores:
            change, churned = sums.get((store_id, index), (0, 0))
            if in_service[store_id] > 0:
                per_store[store_id] = (in_service[store_id], churned)
            in_service[store_id] += change
        by_month[first] = per_store
    return by_month


def churn_report(*, user, date_from: datetime.date, date_to: datetime.date, store: int | None = None) -> ReportResult:
    """Per month and store: members in service at the start of the month, how many of them became churned in it,
    and the share. Up to four queries."""
    store_ids = report_scope(user=user, store_id=store)
    months = months_in(date_from, date_to)
    with reading_from_replica() as alias:
        counts = _in_service_by_month(store_ids, months, alias=alias)
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
    100 of them. One query for the complaints, up to three for the members in service."""
    store_ids = report_scope(user=user, store_id=store)
    start, end = local_day_bounds(date_from)[0], local_day_bounds(date_to)[1]
    months = months_in(date_from, date_to)
    complaints = Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
    if store_ids is not None:
        complaints = complaints.filter(store_id__in=store_ids)
    with reading_from_replica() as alias:
        received = {
            (max(date_from, _local_date(month)), store_id): n
            for month, store_id, n in complaints.annotate(month=TruncMonth("received_at"))
            .values_list("month", "store_id")
            .annotate(n=Count("pk"))
            .order_by()
        }
        in_service = _in_service_by_month(store_ids, months, alias=alias)
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
    freshness=AGGREGATED,
)
CHURN = Report(
    slug="churn",
    title=_("Churn rate"),
    description=_("Per month and store: of the members in service at the start of the month, how many churned."),
    form_class=ReportFilterForm,
    run=churn_report,
    freshness=AGGREGATED,
)
COMPLAINT_RATE = Report(
    slug="complaint-rate",
    title=_("Complaint rate"),
    description=_("Per month and store: complaints received per 100 members in service."),
    form_class=ReportFilterForm,
    run=complaint_rate_report,
    freshness=AGGREGATED,
)
