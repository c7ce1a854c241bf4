"""The reports' numbers. Every selector is scoped once (``report_scope``: head office every store, store staff
their own store, in rows and totals alike), reads inside ``reading_from_replica()`` and runs a fixed number of
queries, whatever the number of members: grouping happens in SQL (portable to PostgreSQL and the SQLite demo), Python
only shapes the few grouped rows.

Stores: a member belongs to their preferred store; a lead to its store (else its member's); a campaign to the
store its segment names; a task to its store.
"""

import datetime
from collections import defaultdict
from decimal import Decimal
from functools import partial

from dateutil.relativedelta import relativedelta
from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.care.complaints import selectors as complaint_selectors
from crm.care.rescue import selectors as rescue_selectors
from crm.leads.enums import OPEN_STATUSES, LeadLostReason, LeadStatus
from crm.models import Campaign
from crm.reports.exceptions import ReportNotAllowed, StoreNotVisible
from crm.reports.framework import Chart, Column, ReportResult, money, rate
from crm.reports.models import AggregateRefresh, CampaignResult, FunnelDay
from crm.reports.router import reading_from_replica
from crm.supervision import selectors as supervision_selectors
from crm.surveys import selectors as survey_selectors
from members.enums import Channel
from members.models import Member, Store
from members.selectors import store_ids_visible_to
from notifications.models import Status
from orders.enums import DropOutReason, OrderState
from orders.models import OrderEvent, ReferralActivation
from points.models import Reward
from staff_tasks.bulk import sql_days_since
from staff_tasks.selectors import local_day_bounds, sql_local_date
from vehicles.models import OwnedVehicle

# ---------------------------------------------------------------------------------------------------------- scope


def report_scope(*, user, store_id: int | None = None) -> list[int] | None:
    """The stores whose figures ``user`` reads: None for all (head office without a chosen store), else a list.
    Staff outside any store's scope may not read reports; a store they do not see is refused, never emptied."""
    if not (user.is_authenticated and user.is_staff):
        raise ReportNotAllowed()
    visible = store_ids_visible_to(user=user)
    if visible == []:
        raise ReportNotAllowed()
    if store_id is None:
        return visible
    if visible is not None and store_id not in visible:
        raise StoreNotVisible()
    return [store_id]


def _in_stores(column: str, store_ids: list[int] | None) -> tuple[str, list]:
    """A WHERE fragment keeping rows of the given stores (None: every row; [] never reaches here)."""
    if store_ids is None:
        return "1 = 1", []
    return f"{column} IN ({', '.join(['%s'] * len(store_ids))})", list(store_ids)


def _period_bounds(date_from: datetime.date, date_to: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    return local_day_bounds(date_from)[0], local_day_bounds(date_to)[1]


def _moment(alias: str, value):
    """A datetime or date as this database compares it in raw SQL (SQLite: UTC text, as Django stores it)."""
    ops = connections[alias].ops
    if isinstance(value, datetime.datetime):
        return ops.adapt_datetimefield_value(value)
    return ops.adapt_datefield_value(value)


def _fetch(alias: str, sql: str, params: list) -> list[tuple]:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def store_choices(*, user) -> list[tuple[int, str]]:
    """The stores a report's store filter offers: every store for head office; none for store staff (theirs is
    implied)."""
    if store_ids_visible_to(user=user) is not None:
        return []
    return list(Store.objects.order_by("code").values_list("pk", "name"))


# --------------------------------------------------------------------------------------------- acquisition funnel

FUNNEL_STEPS = ("lead", "registered", "profile_completed", "verified", "applied", "approved", "delivered")
FUNNEL_STEP_LABELS = {
    "lead": _("Lead"),
    "registered": _("Registered"),
    "profile_completed": _("Profile completed"),
    "verified": _("Verified"),
    "applied": _("Applied"),
    "approved": _("Approved"),
    "delivered": _("Delivered"),
}
# Why someone stopped where they did, besides the recorded DropOutReason / LeadLostReason codes.
IN_PROGRESS = "in_progress"
INVALID_CONTACT = "invalid_contact"
VERIFICATION_FAILED = "verification_failed"
NONE_RECORDED = "none_recorded"
OTHER_REASON_LABELS = {
    IN_PROGRESS: _("Still in progress"),
    INVALID_CONTACT: _("Invalid contact"),
    VERIFICATION_FAILED: _("Real-name verification failed"),
    NONE_RECORDED: _("No reason recorded"),
    "replaced": _("Changed to another model"),
}


def reason_label(code: str) -> str:
    for choices in (DropOutReason, LeadLostReason):
        if code in choices.values:
            return str(choices(code).label)
    return str(OTHER_REASON_LABELS.get(code, code))


_OPEN_LEAD_STATUSES = ", ".join(f"'{status}'" for status in OPEN_STATUSES)
_DROP_OUT_STATES = f"'{OrderState.REJECTED}', '{OrderState.TERMINATED}'"
_TERMINAL = f"'{OrderState.REJECTED}', '{OrderState.TERMINATED}', '{OrderState.DELIVERED}', '{OrderState.REPLACED}'"

# Where an application's state says how far it got; only a terminated one needs its events (it may have ended
# before or after approval).
_APPLIED_STATES = ", ".join(f"'{s}'" for s in OrderState if s not in (OrderState.DRAFT, OrderState.TERMINATED))
_APPROVED_STATES = ", ".join(f"'{s}'" for s in (
    OrderState.APPROVED, OrderState.AWAITING_VEHICLE, OrderState.VEHICLE_CONFIRMED, OrderState.CONTRACT_SCHEDULED,
    OrderState.SIGNED, OrderState.DOWN_PAYMENT_PAID, OrderState.FUNDED, OrderState.READY_FOR_PICKUP,
    OrderState.DELIVERED, OrderState.REPLACED,
))  # fmt: skip

# Everyone who came in during the period: each lead created then, and each member who registered then without a
# lead (online self-registration). ``guided``: an agent worked the lead or started the application for them. The
# facts about their applications are grouped once (hash joins over the people of the period), never per person.
FUNNEL_SQL = f"""
WITH people AS MATERIALIZED (
    SELECT * FROM (
        SELECT l.member_id AS member_id, l.created_at AS came_in_at,
               CASE l.channel WHEN 'web_quick_submit' THEN 'quick_submit' ELSE l.channel END AS channel,
               COALESCE(l.store_id, lm.preferred_store_id) AS store_id,
               l.status AS lead_status, l.lost_reason AS lost_reason,
               CASE WHEN l.assignee_id IS NOT NULL OR l.created_by_id IS NOT NULL THEN 1 ELSE 0 END AS lead_guided
        FROM leads_lead l LEFT JOIN members_member lm ON lm.id = l.member_id
        WHERE l.created_at >= %s AND l.created_at < %s
        UNION ALL
        SELECT m.id, m.created_at, m.channel, m.preferred_store_id, '', '', 0
        FROM members_member m
        WHERE m.created_at >= %s AND m.created_at < %s
          AND NOT EXISTS (SELECT 1 FROM leads_lead ml WHERE ml.member_id = m.id)
    ) AS p
    WHERE {{where}}
),
order_facts AS MATERIALIZED (
    SELECT o.member_id,
           MAX(CASE WHEN o.state = '{OrderState.DELIVERED}' THEN 1 ELSE 0 END) AS delivered,
           MAX(CASE WHEN o.state NOT IN ({_TERMINAL}) THEN 1 ELSE 0 END) AS open_order,
           MAX(CASE WHEN o.state = '{OrderState.REPLACED}' THEN 1 ELSE 0 END) AS replaced,
           MAX(CASE WHEN o.created_by_id IS NOT NULL AND o.created_by_id <> om.user_id THEN 1 ELSE 0 END)
               AS staff_started,
           MAX(CASE WHEN o.state IN ({_APPLIED_STATES}) THEN 1 ELSE 0 END) AS applied,
           MAX(CASE WHEN o.state IN ({_APPROVED_STATES}) THEN 1 ELSE 0 END) AS approved
    FROM orders_order o JOIN members_member om ON om.id = o.member_id
    WHERE o.member_id IN (SELECT member_id FROM people)
    GROUP BY o.member_id
),
event_facts AS MATERIALIZED (
    SELECT o.member_id,
           MAX(CASE WHEN e.to_state = '{OrderState.APPROVED}' THEN 1 ELSE 0 END) AS approved,
           MAX(CASE WHEN e.to_state = '{OrderState.SUBMITTED}' THEN 1 ELSE 0 END) AS applied
    FROM orders_order o JOIN orders_orderevent e ON e.order_id = o.id
    WHERE o.state = '{OrderState.TERMINATED}' AND e.to_state IN ('{OrderState.APPROVED}', '{OrderState.SUBMITTED}')
      AND o.member_id IN (SELECT member_id FROM people)
    GROUP BY o.member_id
),
flags AS MATERIALIZED (
    SELECT p.channel, p.lead_status, p.lost_reason, p.member_id, p.came_in_at, p.store_id,
           CASE WHEN p.lead_guided = 1 OR ofa.staff_started = 1 THEN 1 ELSE 0 END AS guided,
           CASE
             WHEN m.id IS NULL THEN 0
             WHEN ofa.delivered = 1 THEN 6
             WHEN ofa.approved = 1 OR efa.approved = 1 THEN 5
             WHEN ofa.applied = 1 OR efa.applied = 1 THEN 4
             WHEN m.verification_status = 'verified' THEN 3
             WHEN m.name <> '' AND m.gender <> '' AND m.birthday IS NOT NULL AND m.city <> ''
                  AND m.preferred_store_id IS NOT NULL THEN 2
             ELSE 1
           END AS furthest,
           CASE WHEN ofa.member_id IS NULL THEN 0 ELSE 1 END AS has_order,
           COALESCE(ofa.open_order, 0) AS open_order, COALESCE(ofa.replaced, 0) AS replaced
    FROM people p
    LEFT JOIN members_member m ON m.id = p.member_id
    LEFT JOIN order_facts ofa ON ofa.member_id = p.member_id
    LEFT JOIN event_facts efa ON efa.member_id = p.member_id
)
SELECT {{per_day}} channel, guided, furthest,
       CASE
         WHEN furthest = 0 THEN CASE
             WHEN lead_status = '{LeadStatus.NOT_INTERESTED}' THEN COALESCE(NULLIF(lost_reason, ''), 'other')
             WHEN lead_status = '{LeadStatus.INVALID}' THEN '{INVALID_CONTACT}'
             WHEN lead_status IN ({_OPEN_LEAD_STATUSES}) THEN '{IN_PROGRESS}'
             ELSE '{NONE_RECORDED}' END
         WHEN furthest IN (3, 4, 5) AND has_order = 1 THEN COALESCE(
             (SELECT e.reason_code FROM orders_orderevent e JOIN orders_order o ON o.id = e.order_id
              WHERE o.member_id = flags.member_id AND e.to_state IN ({_DROP_OUT_STATES}) AND e.reason_code <> ''
              ORDER BY e.created_at DESC, e.id DESC LIMIT 1),
             CASE WHEN open_order = 1 THEN '{IN_PROGRESS}' WHEN replaced = 1 THEN 'replaced'
                  ELSE '{NONE_RECORDED}' END)
         WHEN furthest = 2 AND EXISTS (SELECT 1 FROM members_verificationattempt va
                                      WHERE va.member_id = flags.member_id AND va.outcome = 'failed')
           THEN '{VERIFICATION_FAILED}'
         WHEN furthest = 6 THEN ''
         ELSE '{NONE_RECORDED}'
       END AS reason,
       COUNT(*)
FROM flags
GROUP BY {{group_by}}
"""  # noqa: S608  (identifiers and enum values are ours; every input is a parameter)


FUNNEL_AGGREGATE = "funnel"


def funnel_sql(*, vendor: str, where: str = "1 = 1", per_day: bool = False) -> str:
    """The funnel's query, grouped by (channel, guided, furthest, reason); ``per_day`` also by the local day people
    came in and their store (what the nightly aggregate stores)."""
    if not per_day:
        return FUNNEL_SQL.format(where=where, per_day="", group_by="1, 2, 3, 4")
    return FUNNEL_SQL.format(
        where=where, per_day=f"{sql_local_date('came_in_at', vendor=vendor)}, store_id,", group_by="1, 2, 3, 4, 5, 6"
    )


def _funnel_groups(
    alias: str, *, date_from: datetime.date, date_to: datetime.date, store_ids: list[int] | None, channel: str
) -> list[tuple]:
    """(channel, guided, furthest, reason, people) rows for the period: the days the nightly aggregate covers from
    it (figures as of its refresh), the days since computed live. Up to three queries."""
    grouped: list[tuple] = []
    covers_until = (
        AggregateRefresh.objects.using(alias)
        .filter(name=FUNNEL_AGGREGATE)
        .values_list("covers_until", flat=True)
        .first()
    )
    live_from = date_from
    if covers_until is not None and covers_until > date_from:
        aggregated_to = min(date_to, covers_until - datetime.timedelta(days=1))
        days = FunnelDay.objects.using(alias).filter(came_in_on__gte=date_from, came_in_on__lte=aggregated_to)
        if store_ids is not None:
            days = days.filter(store_id__in=store_ids)
        if channel:
            days = days.filter(channel=channel)
        grouped += days.values_list("channel", "guided", "furthest", "reason").annotate(Sum("people")).order_by()
        live_from = aggregated_to + datetime.timedelta(days=1)
    if live_from <= date_to:
        where, where_params = _in_stores("p.store_id", store_ids)
        if channel:
            where += " AND p.channel = %s"
            where_params.append(channel)
        start, end = (_moment(alias, moment) for moment in _period_bounds(live_from, date_to))
        sql = funnel_sql(vendor=connections[alias].vendor, where=where)
        grouped += _fetch(alias, sql, [start, end, start, end, *where_params])
    return grouped


def acquisition_funnel(
    *, user, date_from: datetime.date, date_to: datetime.date, store: int | None = None, channel: str = ""
) -> ReportResult:
    """lead → registered → profile completed → verified → applied → approved → delivered for the people who came
    in during the period (a step counts everyone who got at least that far), self-service vs agent-guided, where
    each one stopped and why. One query."""
    store_ids = report_scope(user=user, store_id=store)
    with reading_from_replica() as alias:
        grouped = _funnel_groups(alias, date_from=date_from, date_to=date_to, store_ids=store_ids, channel=channel)
    last = len(FUNNEL_STEPS) - 1
    reached = [0] * len(FUNNEL_STEPS)
    reached_by_guidance = {0: [0] * len(FUNNEL_STEPS), 1: [0] * len(FUNNEL_STEPS)}
    by_channel: dict[str, list[int]] = defaultdict(lambda: [0] * len(FUNNEL_STEPS))
    drop_outs: dict[tuple[int, str], int] = defaultdict(int)
    for row_channel, guided, furthest, reason, count in grouped:
        for step in range(furthest + 1):
            reached[step] += count
            reached_by_guidance[int(guided)][step] += count
            by_channel[row_channel][step] += count
        if furthest < last:
            drop_outs[(furthest, reason)] += count
    steps, rows = [], []
    for index, step in enumerate(FUNNEL_STEPS):
        from_previous = rate(reached[index], reached[index - 1]) if index else None
        steps.append({"step": step, "count": reached[index], "rate_from_previous": from_previous})
        rows.append({
            "step": step, "label": str(FUNNEL_STEP_LABELS[step]), "count": reached[index],
            "rate_from_previous": from_previous, "self_service": reached_by_guidance[0][index],
            "agent_guided": reached_by_guidance[1][index],
            "stopped_here": reached[index] - (reached[index + 1] if index < last else 0) if index < last else 0,
        })  # fmt: skip
    drop_out_rows = [
        {"step": FUNNEL_STEPS[furthest], "step_label": str(FUNNEL_STEP_LABELS[FUNNEL_STEPS[furthest]]),
         "reason": reason, "reason_label": reason_label(reason), "count": count}
        for (furthest, reason), count in sorted(drop_outs.items(), key=lambda item: (item[0][0], -item[1]))
    ]  # fmt: skip
    channel_labels = dict(Channel.choices)
    channel_rows = [
        {"channel": code, "channel_label": str(channel_labels.get(code, code)),
         **{step: counts[index] for index, step in enumerate(FUNNEL_STEPS)}}
        for code, counts in sorted(by_channel.items())
    ]  # fmt: skip
    labels = [str(FUNNEL_STEP_LABELS[step]) for step in FUNNEL_STEPS]
    return ReportResult(
        columns=[
            Column("label", _("Step"), "text"),
            Column("count", _("People"), "int"),
            Column("rate_from_previous", _("Of the previous step"), "rate"),
            Column("self_service", _("Self-service"), "int"),
            Column("agent_guided", _("Agent-guided"), "int"),
            Column("stopped_here", _("Stopped here"), "int"),
        ],  # fmt: skip
        rows=rows,
        chart=Chart(
            "bar",
            labels,
            [
                {"label": str(_("Self-service")), "data": reached_by_guidance[0], "stack": "people"},
                {"label": str(_("Agent-guided")), "data": reached_by_guidance[1], "stack": "people"},
            ],
        ),
        extra={"steps": steps, "drop_outs": drop_out_rows, "by_channel": channel_rows},
        sections=[
            (
                _("Where people stopped, and why"),
                [
                    Column("step_label", _("Stopped after"), "text"),
                    Column("reason_label", _("Reason"), "text"),
                    Column("count", _("People"), "int"),
                ],
                drop_out_rows,
            ),
            (
                _("By channel"),
                [
                    Column("channel_label", _("Channel"), "text"),
                    *(Column(step, FUNNEL_STEP_LABELS[step], "int") for step in FUNNEL_STEPS),
                ],
                channel_rows,
            ),
        ],  # fmt: skip
    )


# ------------------------------------------------------------------------------------------------- not returned


def not_returned_vehicles(*, user, months: int, store: int | None = None, today: datetime.date | None = None):
    """Cars whose last service visit (or, never serviced, their delivery) is more than ``months`` months ago, the
    longest-absent first, with their member; a queryset to page through."""
    store_ids = report_scope(user=user, store_id=store)
    cutoff = (today or timezone.localdate()) - relativedelta(months=months)
    vehicles = OwnedVehicle.objects.all()
    if store_ids is not None:
        vehicles = vehicles.filter(member__preferred_store_id__in=store_ids)
    # The same expression as the index owned_vehicle_last_visit, so the longest-absent cars come off the index.
    return (
        vehicles.annotate(last_visit_on=Coalesce(F("last_service_on"), F("delivered_on")))
        .filter(last_visit_on__lt=cutoff)
        .select_related("member__user", "member__preferred_store", "trim__car_model__brand")
        .order_by("last_visit_on", "pk")
    )


NOT_RETURNED_PAGE_ROWS = 200


def not_returned_row(vehicle: OwnedVehicle, *, today: datetime.date) -> dict:
    member = vehicle.member
    absent = relativedelta(today, vehicle.last_visit_on)
    return {
        "vehicle": vehicle.pk, "plate": vehicle.plate, "model": str(vehicle.trim.car_model),
        "member": member.pk, "member_name": member.display_name,
        "phone": str(member.user.phone) if member.user.phone else "",
        "store": member.preferred_store.name if member.preferred_store_id else "",
        "last_visit_on": vehicle.last_visit_on, "months_absent": absent.years * 12 + absent.months,
    }  # fmt: skip


NOT_RETURNED_COLUMNS = [
    Column("plate", _("Plate"), "text"), Column("model", _("Model"), "text"),
    Column("member_name", _("Member"), "text"), Column("phone", _("Phone"), "text"),
    Column("store", _("Store"), "text"), Column("last_visit_on", _("Last visit"), "date"),
    Column("months_absent", _("Months away"), "int"),
]  # fmt: skip


def not_returned_report(
    *, user, months: int = 6, store: int | None = None, limit: int | None = NOT_RETURNED_PAGE_ROWS
) -> ReportResult:
    """The page's view: how many cars, how long away (chart), and the longest-absent ``limit`` of them (all for the
    Excel file). Two queries: the buckets add up to the total."""
    today = timezone.localdate()
    with reading_from_replica():
        vehicles = not_returned_vehicles(user=user, months=months, store=store, today=today)
        page = vehicles if limit is None else vehicles[:limit]
        rows = [not_returned_row(vehicle, today=today) for vehicle in page]
        buckets = _absence_buckets(vehicles, today=today, months=months)
        total = sum(count for _label, count in buckets)
    return ReportResult(
        columns=NOT_RETURNED_COLUMNS,
        rows=rows,
        total={"cars": total},
        chart=Chart(
            "bar",
            [label for label, _count in buckets],
            [{"label": str(_("Cars")), "data": [count for _label, count in buckets]}],
        ),  # fmt: skip
        extra={"cars": total, "shown": len(rows)},
    )


def _absence_buckets(vehicles: QuerySet, *, today: datetime.date, months: int) -> list[tuple[str, int]]:
    """How many cars have been away 6–12 (from ``months``), 12–18, 18–24 and 24+ months: one query with conditional
    counts."""
    edges = [edge for edge in (6, 12, 18, 24) if edge >= months]
    cutoffs = {edge: today - relativedelta(months=edge) for edge in edges}
    counts = vehicles.order_by().aggregate(**{
        f"from_{low}": Count("pk", filter=Q(last_visit_on__lt=cutoffs[low], last_visit_on__gte=cutoffs[high]))
        for low, high in zip(edges, edges[1:], strict=False)
    }, over_24=Count("pk", filter=Q(last_visit_on__lt=cutoffs[24])))  # fmt: skip
    labels = [
        (str(_("%(low)d–%(high)d months") % {"low": low, "high": high}), counts[f"from_{low}"])
        for low, high in zip(edges, edges[1:], strict=False)
    ]
    return [*labels, (str(_("24 months or more")), counts["over_24"])]


# ----------------------------------------------------------------------------------------- customer lifetime value

TENURE_BANDS = 6  # 0, 1, 2, 3, 4 and 5+ full years a member
PAID_DOWN_PAYMENT_STATES = [
    OrderState.DOWN_PAYMENT_PAID, OrderState.FUNDED, OrderState.READY_FOR_PICKUP, OrderState.DELIVERED
]  # fmt: skip

# Spend per member is summed once per source table (hash aggregates), then joined: no subquery per member.
# Each open member chosen by {where} (its parameters first): {columns} from members_member m and their ``spend``.
# The sums are narrowed to the chosen members before grouping, so a few members cost a few rows.
MEMBER_SPEND_SQL = """
    WITH chosen AS (SELECT m.id FROM members_member m WHERE m.closed_at IS NULL AND {where})
    SELECT {columns}, COALESCE(service.spend, 0) + COALESCE(down.spend, 0) + COALESCE(paid.spend, 0) AS spend
    FROM members_member m JOIN chosen ON chosen.id = m.id
    LEFT JOIN (SELECT v.member_id, SUM(s.customer_amount) AS spend
               FROM vehicles_servicerecord s JOIN vehicles_ownedvehicle v ON v.id = s.vehicle_id
               WHERE v.member_id IN (SELECT id FROM chosen)
               GROUP BY v.member_id) AS service ON service.member_id = m.id
    LEFT JOIN (SELECT o.member_id, SUM(o.down_payment) AS spend FROM orders_order o
               WHERE o.state IN ({paid_states}) AND o.member_id IN (SELECT id FROM chosen)
               GROUP BY o.member_id) AS down ON down.member_id = m.id
    LEFT JOIN (SELECT io.member_id, SUM(i.amount) AS spend
               FROM orders_installment i JOIN orders_loan ln ON ln.id = i.loan_id
               JOIN orders_order io ON io.id = ln.order_id
               WHERE i.status = 'paid' AND io.member_id IN (SELECT id FROM chosen)
               GROUP BY io.member_id) AS paid ON paid.member_id = m.id
"""

LIFETIME_VALUE_SQL = """
SELECT tenure, COUNT(*), SUM(spend), SUM(CASE WHEN days < 365 THEN 365 ELSE days END)
FROM ({member_spend}) AS per_member
GROUP BY tenure
"""

# The nightly aggregate: members who joined on a local day, per store, and their spend to date.
LIFETIME_VALUE_AGGREGATED_SQL = """
SELECT tenure, SUM(members), SUM(spend), SUM(members * CASE WHEN days < 365 THEN 365 ELSE days END)
FROM (SELECT {tenure} AS tenure, {days} AS days, d.members, d.spend
      FROM reports_membervalueday d WHERE d.joined_on < %s AND {where}) AS per_day
GROUP BY tenure
"""
MEMBER_VALUE_AGGREGATE = "lifetime-value"


def member_spend_sql(*, columns: str, where: str) -> str:
    paid_states = ", ".join(f"'{s}'" for s in PAID_DOWN_PAYMENT_STATES)
    return MEMBER_SPEND_SQL.format(columns=columns, where=where, paid_states=paid_states)


def lifetime_value_report(*, user, store: int | None = None, today: datetime.date | None = None) -> ReportResult:
    """What members have spent with us to date (service paid by themselves, down payments, installments paid), by
    full years of membership, and per year of membership: the nightly aggregate for the members who joined before
    its refresh (their spend as of it), the others live. Up to three queries."""
    store_ids = report_scope(user=user, store_id=store)
    today = today or timezone.localdate()
    # Full years of membership as a CASE over the anniversaries: the same SQL on both engines.
    years_back = range(TENURE_BANDS - 1, 0, -1)
    anniversaries = [local_day_bounds(today - relativedelta(years=years))[1] for years in years_back]
    tenure = (
        "CASE "
        + " ".join(f"WHEN m.created_at < %s THEN {years}" for years in range(TENURE_BANDS - 1, 0, -1))
        + " ELSE 0 END"
    )
    with reading_from_replica() as alias:
        vendor = connections[alias].vendor
        covers_until = (
            AggregateRefresh.objects.using(alias)
            .filter(name=MEMBER_VALUE_AGGREGATE)
            .values_list("covers_until", flat=True)
            .first()
        )
        anniversary_params = [_moment(alias, moment) for moment in anniversaries]
        grouped_rows = []
        where, where_params = _in_stores("m.preferred_store_id", store_ids)
        if covers_until is not None:
            # Members who joined before the refresh: their spend as of it; those who joined since, live.
            day_where, day_params = _in_stores("d.store_id", store_ids)
            day_sql = LIFETIME_VALUE_AGGREGATED_SQL.format(
                tenure=tenure.replace("m.created_at < %s", "d.joined_on < %s"),
                days=sql_days_since(day_placeholder="%s", column="d.joined_on"),
                where=day_where,
            )
            # A member joined before the end of an anniversary's local day ⇔ joined on a day before the next one.
            next_days = [_moment(alias, today - relativedelta(years=years) + datetime.timedelta(days=1))
                         for years in years_back]  # fmt: skip
            grouped_rows += _fetch(
                alias, day_sql, [*next_days, _moment(alias, today), _moment(alias, covers_until), *day_params]
            )
            where += " AND m.created_at >= %s"
            where_params.append(_moment(alias, local_day_bounds(covers_until)[0]))
        days = sql_days_since(day_placeholder="%s", column=sql_local_date("m.created_at", vendor=vendor))
        sql = LIFETIME_VALUE_SQL.format(
            member_spend=member_spend_sql(columns=f"{tenure} AS tenure, {days} AS days", where=where)
        )
        grouped_rows += _fetch(alias, sql, [*where_params, *anniversary_params, _moment(alias, today)])
    grouped: dict[int, tuple[int, Decimal, int]] = {}
    for band, count, spend, days_total in grouped_rows:
        before = grouped.get(int(band), (0, Decimal(0), 0))
        grouped[int(band)] = (before[0] + count, before[1] + Decimal(spend or 0), before[2] + int(days_total or 0))
    rows, total_members, total_spend, total_days = [], 0, Decimal(0), 0
    for band in range(TENURE_BANDS):
        count, spend, days_total = grouped.get(band, (0, Decimal(0), 0))
        total_members, total_spend, total_days = total_members + count, total_spend + spend, total_days + days_total
        rows.append(_lifetime_row(band, count, spend, days_total))
    total = _lifetime_row(None, total_members, total_spend, total_days)
    return ReportResult(
        columns=[
            Column("tenure_label", _("Member for"), "text"),
            Column("members", _("Members"), "int"),
            Column("spend", _("Spend to date (CNY)"), "money"),
            Column("spend_per_member", _("Per member (CNY)"), "money"),
            Column("spend_per_year", _("Per member per year (CNY)"), "money"),
        ],  # fmt: skip
        rows=rows,
        total=total,
        chart=Chart(
            "bar",
            [row["tenure_label"] for row in rows],
            [
                {"label": str(_("Per member (CNY)")), "data": [float(row["spend_per_member"]) for row in rows]},
                {"label": str(_("Per member per year (CNY)")), "data": [float(row["spend_per_year"]) for row in rows]},
            ],
        ),  # fmt: skip
    )


def _lifetime_row(band: int | None, members: int, spend: Decimal, days_total: int) -> dict:
    if band is None:
        label = str(_("All members"))
    elif band == TENURE_BANDS - 1:
        label = str(_("%(years)d years or more") % {"years": band})
    else:
        label = str(_("%(years)d–%(next)d years") % {"years": band, "next": band + 1})
    # Per year: spend ÷ member-years, a member in their first year counting a whole year.
    per_year = money(spend * Decimal(365) / Decimal(days_total)) if days_total else money(0)
    return {
        "tenure_years": band, "tenure_label": label, "members": members, "spend": money(spend),
        "spend_per_member": money(spend / members) if members else money(0), "spend_per_year": per_year,
    }  # fmt: skip


# ----------------------------------------------------------------------------------------------- referral funnel

REFERRAL_STEPS = ("invited", "verified", "applied", "delivered")
REFERRAL_STEP_LABELS = {
    "invited": _("Registered with a referral code"),
    "verified": _("Verified"),
    "applied": _("Applied"),
    "delivered": _("Car delivered (referral rewarded)"),
}


def referral_funnel(*, user, date_from: datetime.date, date_to: datetime.date, store: int | None = None):
    """The members who registered with someone's referral code in the period: how many verified, applied and took
    their car (which rewards both sides), and the referrers who brought the most. Two queries."""
    store_ids = report_scope(user=user, store_id=store)
    start, end = _period_bounds(date_from, date_to)
    invitees = Member.objects.filter(referred_by__isnull=False, created_at__gte=start, created_at__lt=end)
    if store_ids is not None:
        invitees = invitees.filter(preferred_store_id__in=store_ids)
    applied = Exists(OrderEvent.objects.filter(order__member=OuterRef("pk"), to_state=OrderState.SUBMITTED))
    delivered = Exists(ReferralActivation.objects.filter(invitee=OuterRef("pk")))
    with reading_from_replica():
        counts = invitees.aggregate(
            invited=Count("pk"),
            verified=Count("pk", filter=Q(verification_status="verified")),
            applied=Count("pk", filter=Q(applied)),
            delivered=Count("pk", filter=Q(delivered)),
        )
        top = list(
            invitees.values("referred_by_id", "referred_by__name")
            .annotate(invitees=Count("pk"), delivered=Count("pk", filter=Q(delivered)))
            .order_by("-invitees", "referred_by_id")[:20]
        )
    rows = []
    for index, step in enumerate(REFERRAL_STEPS):
        previous = counts[REFERRAL_STEPS[index - 1]] if index else None
        rows.append({
            "step": step, "label": str(REFERRAL_STEP_LABELS[step]), "count": counts[step],
            "rate_from_previous": rate(counts[step], previous) if index else None,
        })  # fmt: skip
    referrers = [
        {"referrer": row["referred_by_id"], "referrer_name": row["referred_by__name"] or "—",
         "invitees": row["invitees"], "delivered": row["delivered"]}
        for row in top
    ]  # fmt: skip
    return ReportResult(
        columns=[
            Column("label", _("Step"), "text"),
            Column("count", _("Members"), "int"),
            Column("rate_from_previous", _("Of the previous step"), "rate"),
        ],  # fmt: skip
        rows=rows,
        chart=Chart(
            "bar",
            [row["label"] for row in rows],
            [{"label": str(_("Members")), "data": [row["count"] for row in rows]}],
        ),  # fmt: skip
        extra={
            "steps": [
                {"step": r["step"], "count": r["count"], "rate_from_previous": r["rate_from_previous"]} for r in rows
            ],
            "referrers": referrers,
        },  # fmt: skip
        sections=[
            (
                _("Referrers who brought the most members"),
                [
                    Column("referrer_name", _("Referrer"), "text"),
                    Column("invitees", _("Members brought"), "int"),
                    Column("delivered", _("Cars delivered"), "int"),
                ],
                referrers,
            )
        ],  # fmt: skip
    )


# ----------------------------------------------------------------------------------------------------- campaigns

# An application started within this many days after a campaign's message counts as the campaign's conversion.
CONVERSION_DAYS = 30

CAMPAIGN_SQL = """
WITH windows AS ({windows}),
recipients AS (
    SELECT w.campaign_id, n.recipient_id, MIN(w.starts) AS starts, MIN(w.ends) AS ends,
           MAX(CASE WHEN n.status = %s THEN 1 ELSE 0 END) AS reached
    FROM windows w JOIN notifications_notification n ON n.event = w.event
    GROUP BY w.campaign_id, n.recipient_id
),
per_recipient AS (
    SELECT r.campaign_id, r.recipient_id, r.reached,
           MAX(CASE WHEN o.id IS NOT NULL THEN 1 ELSE 0 END) AS converted,
           SUM(CASE WHEN o.state = %s THEN o.price ELSE 0 END) AS revenue
    FROM recipients r
    LEFT JOIN members_member m ON m.user_id = r.recipient_id
    LEFT JOIN orders_order o ON o.member_id = m.id AND o.state <> 'draft'
         AND o.created_at >= r.starts AND o.created_at < r.ends
    GROUP BY r.campaign_id, r.recipient_id, r.reached
)
SELECT campaign_id, COUNT(*), SUM(reached), SUM(converted), COALESCE(SUM(revenue), 0)
FROM per_recipient
GROUP BY campaign_id
"""


def campaign_figures_sql(campaigns: list[Campaign], *, adapt) -> tuple[str, list]:
    """The query giving (campaign, messaged, reached, converted, revenue) for the campaigns; none without any."""
    if not campaigns:
        return "", []
    windows, params = [], []
    for campaign in campaigns:
        starts = campaign.scheduled_at or campaign.created_at
        windows.append("SELECT %s AS campaign_id, %s AS event, %s AS starts, %s AS ends")
        ends = starts + datetime.timedelta(days=CONVERSION_DAYS)
        params += [campaign.pk, campaign.event, adapt(starts), adapt(ends)]
    return CAMPAIGN_SQL.format(windows=" UNION ALL ".join(windows)), [*params, Status.SENT, OrderState.DELIVERED]


def campaign_report(*, user, date_from: datetime.date, date_to: datetime.date, store: int | None = None):
    """Per campaign sent in the period: members messaged and reached (delivered), those who applied within
    CONVERSION_DAYS days, the car price of those applications that ended in a delivery, the cost staff entered, and
    the return on it ((revenue − cost) ÷ cost). Campaigns belong to the store their segment names; head office's
    campaigns (no store) only to head office. Up to three queries."""
    store_ids = report_scope(user=user, store_id=store)
    start, end = _period_bounds(date_from, date_to)
    campaigns = Campaign.objects.exclude(state=Campaign.State.DRAFT).order_by("-created_at", "-pk")
    if store_ids is not None:
        campaigns = campaigns.filter(store_id__in=store_ids)
    with reading_from_replica() as alias:
        campaigns = [
            campaign for campaign in campaigns.select_related("store")
            if start <= (campaign.scheduled_at or campaign.created_at) < end
        ]  # fmt: skip
        # The nightly aggregate's figures where it has them; the campaigns sent since, computed live.
        figures = {
            row[0]: row[1:]
            for row in CampaignResult.objects.using(alias)
            .filter(campaign__in=[campaign.pk for campaign in campaigns])
            .values_list("campaign_id", "messaged", "reached", "converted", "revenue")
        }
        sql, params = campaign_figures_sql(
            [campaign for campaign in campaigns if campaign.pk not in figures], adapt=partial(_moment, alias)
        )
        if sql:
            figures.update({row[0]: row[1:] for row in _fetch(alias, sql, params)})
    rows = []
    totals = {"messaged": 0, "reached": 0, "converted": 0, "revenue": Decimal(0), "cost": Decimal(0)}
    for campaign in campaigns:
        messaged, reached, converted, revenue = figures.get(campaign.pk, (0, 0, 0, 0))
        row = _campaign_row(
            name=campaign.name, messaged=messaged, reached=reached, converted=converted, revenue=Decimal(revenue or 0),
            cost=campaign.cost,
        )  # fmt: skip
        row.update(campaign=campaign.pk, store=campaign.store.name if campaign.store_id else "",
                   sent_at=campaign.scheduled_at or campaign.created_at)  # fmt: skip
        rows.append(row)
        for key in ("messaged", "reached", "converted", "revenue"):
            totals[key] += row[key]
        totals["cost"] += campaign.cost or 0
    total = _campaign_row(name=str(_("Total")), cost=totals.pop("cost") or None, **totals)
    return ReportResult(
        columns=[
            Column("name", _("Campaign"), "text"),
            Column("store", _("Store"), "text"),
            Column("messaged", _("Members messaged"), "int"),
            Column("reached", _("Reached"), "int"),
            Column("converted", _("Applied within %(days)d days") % {"days": CONVERSION_DAYS}, "int"),
            Column("conversion_rate", _("Conversion"), "rate"),
            Column("revenue", _("Delivered value (CNY)"), "money"),
            Column("cost", _("Cost (CNY)"), "money"),
            Column("roi", _("Return on cost"), "rate"),
        ],  # fmt: skip
        rows=rows,
        total=total,
        chart=Chart(
            "bar",
            [row["name"] for row in rows],
            [
                {"label": str(_("Reached")), "data": [row["reached"] for row in rows]},
                {
                    "label": str(_("Applied within %(days)d days") % {"days": CONVERSION_DAYS}),
                    "data": [row["converted"] for row in rows],
                },
            ],
        ),  # fmt: skip
    )


def _campaign_row(*, name, messaged, reached, converted, revenue: Decimal, cost: Decimal | None) -> dict:
    roi = ((revenue - cost) / cost).quantize(Decimal("0.0001")) if cost else None
    return {
        "name": name, "messaged": messaged, "reached": reached, "converted": converted,
        "conversion_rate": rate(converted, reached), "revenue": money(revenue),
        "cost": money(cost) if cost is not None else None, "roi": roi,
    }  # fmt: skip


# ----------------------------------------------------------------------------------------------- points liability


# Head office's figure reads the index on the positive balances alone (an index-only scan, grouped in the index's
# order), then takes back the few closed accounts; a store's reads its open members through their store's index.
_HELD_BALANCES_SQL = """
    SELECT balance, SUM(members) FROM (
        SELECT a.balance AS balance, COUNT(*) AS members
        FROM points_pointsaccount a WHERE a.balance > 0 GROUP BY a.balance
        UNION ALL
        SELECT a.balance, -COUNT(*)
        FROM members_member m JOIN points_pointsaccount a ON a.member_id = m.id
        WHERE m.closed_at IS NOT NULL AND a.balance > 0 GROUP BY a.balance
    ) AS held
    GROUP BY balance HAVING SUM(members) > 0
"""
_HELD_BALANCES_IN_STORES_SQL = """
    SELECT a.balance, COUNT(*)
    FROM members_member m JOIN points_pointsaccount a ON a.member_id = m.id
    WHERE {where} AND m.closed_at IS NULL AND a.balance > 0
    GROUP BY a.balance
"""


def held_balances(alias: str, *, store_ids: list[int] | None) -> list[tuple[int, int]]:
    """(balance, members holding exactly it) over the open accounts with points, of the stores (None: all, also
    members without a store). A few thousand rows at most (one per distinct balance), however many members."""
    if store_ids is None:
        return [(balance, int(members)) for balance, members in _fetch(alias, _HELD_BALANCES_SQL, [])]
    where, params = _in_stores("m.preferred_store_id", store_ids)
    return _fetch(alias, _HELD_BALANCES_IN_STORES_SQL.format(where=where), params)  # noqa: S608  (our SQL)


def points_liability_report(*, user, store: int | None = None) -> ReportResult:
    """The points members hold now, and what they could buy with them: for each reward on offer, how many coupons
    the balances would pay for (each member's balance spent on that reward alone) and their face value. Live (as of
    now), from the members per balance: two queries."""
    store_ids = report_scope(user=user, store_id=store)
    with reading_from_replica() as alias:
        balances = held_balances(alias, store_ids=store_ids)
        rewards = list(Reward.objects.using(alias).filter(is_active=True).order_by("sort_order", "pk").values(
            "pk", "name", "cost_points", "face_value"
        ))  # fmt: skip
    totals = {
        "points": sum(balance * members for balance, members in balances),
        "members": sum(members for _balance, members in balances),
    }
    # Σ ⌊balance ÷ cost⌋ over the members is Σ members × ⌊balance ÷ cost⌋ over the distinct balances.
    affordable = {
        reward["pk"]: sum(members * (balance // reward["cost_points"]) for balance, members in balances)
        for reward in rewards
    }
    rows = [
        {"reward": reward["pk"], "name": reward["name"], "cost_points": reward["cost_points"],
         "face_value": money(reward["face_value"]), "coupons": affordable[reward["pk"]],
         "value": money(reward["face_value"] * affordable[reward["pk"]])}
        for reward in rewards
    ]  # fmt: skip
    return ReportResult(
        columns=[
            Column("name", _("Reward"), "text"),
            Column("cost_points", _("Points each"), "int"),
            Column("face_value", _("Face value (CNY)"), "money"),
            Column("coupons", _("Coupons the points buy"), "int"),
            Column("value", _("Their face value (CNY)"), "money"),
        ],  # fmt: skip
        rows=rows,
        total={"points_outstanding": totals["points"], "members_with_points": totals["members"]},
        chart=Chart(
            "bar",
            [row["name"] for row in rows],
            [{"label": str(_("Coupons the points buy")), "data": [row["coupons"] for row in rows]}],
        ),  # fmt: skip
        extra={"points_outstanding": totals["points"], "members_with_points": totals["members"]},
    )


# ------------------------------------------------------------------------------------------------ task execution


TASK_EXECUTION_AGGREGATE = "task-execution"


def task_execution_covers_until(alias: str = "default") -> datetime.date | None:
    """The first local day the nightly task aggregate (``supervision_taskday``) does not cover; ``None`` before its
    first refresh (everything live)."""
    return (
        AggregateRefresh.objects.using(alias)
        .filter(name=TASK_EXECUTION_AGGREGATE)
        .values_list("covers_until", flat=True)
        .first()
    )


def task_execution(*, user, date_from: datetime.date, date_to: datetime.date, store: int | None = None):
    """The supervision figures per store and agent (see crm/supervision/selectors.py), as a report: the days the
    nightly aggregate covers from it (as of its refresh), the days since live. Two queries: how far the aggregate
    goes, then the figures."""
    # Whose tasks each person sees is the supervision's own rule (an agent their own tasks, staff without a role
    # nothing); a chosen store must still be one they see.
    if store is not None:
        report_scope(user=user, store_id=store)
    with reading_from_replica() as alias:
        report = supervision_selectors.task_execution_report(
            user=user,
            date_from=date_from,
            date_to=date_to,
            store_id=store,
            covers_until=task_execution_covers_until(alias),
        )
    figures = ("created", "done", "done_on_time", "overdue", "reach_rate", "on_time_rate", "score")

    def as_row(figure_row, **names) -> dict:
        return {**names, **{name: getattr(figure_row, name) for name in figures}}

    rows = [
        as_row(agent, store=agent.store_name or str(_("Head office (no store)")),
               assignee=agent.assignee or str(_("Not assigned")))
        for agent in report.rows
    ]  # fmt: skip
    by_store = [as_row(row, store=row.store_name or str(_("Head office (no store)"))) for row in report.stores]
    return ReportResult(
        columns=[
            Column("store", _("Store"), "text"),
            Column("assignee", _("Agent"), "text"),
            Column("created", _("Created"), "int"),
            Column("done", _("Done"), "int"),
            Column("done_on_time", _("Done on time"), "int"),
            Column("overdue", _("Overdue"), "int"),
            Column("on_time_rate", _("On-time rate"), "rate"),
            Column("reach_rate", _("Reach rate"), "rate"),
            Column("score", _("Score"), "int"),
        ],  # fmt: skip
        rows=rows,
        total=as_row(report.total, store=str(_("Total")), assignee=""),
        chart=Chart(
            "bar",
            [row["store"] for row in by_store],
            [
                {"label": str(_("Done on time")), "data": [row["done_on_time"] for row in by_store]},
                {"label": str(_("Overdue")), "data": [row["overdue"] for row in by_store]},
            ],
        ),  # fmt: skip
        extra={"report": report},
    )


# ------------------------------------------------------------------------------------------- complaints, care


def _store_label(name: str | None) -> str:
    return name or str(_("Head office (no store)"))


def complaint_report(*, user, date_from: datetime.date, date_to: datetime.date, store: int | None = None):
    """Complaints received in the period: per store received, closed, SLA met, late, open and breached, compliance
    and average resolution time; the topics (categories) most complained about. Two queries (crm.care.complaints'
    own selectors, narrowed to the report's scope)."""
    store_ids = report_scope(user=user, store_id=store)
    period = {"date_from": date_from, "date_to": date_to, "store_ids": store_ids}
    with reading_from_replica():
        stores = complaint_selectors.sla_compliance_by_store(user=user, **period)
        topics = complaint_selectors.top_complaint_topics(user=user, limit=None, **period)
    rows = [
        {**row, "store": _store_label(row["store"] if row["store_id"] else None),
         "compliance": _as_rate(row["compliance"])}
        for row in stores
    ]  # fmt: skip
    figures = ("received", "closed", "met", "closed_late", "open_breached")
    total = {"store": str(_("Total")), **{name: sum(row[name] for row in rows) for name in figures}}
    total["compliance"] = rate(total["met"], total["closed"])
    # The overall mean weighs each store's mean by its closed complaints (the same as the mean over them all).
    closed_hours = [(row["average_resolution_hours"], row["closed"]) for row in rows if row["average_resolution_hours"]]
    weight = sum(closed for _hours, closed in closed_hours)
    total["average_resolution_hours"] = (
        round(sum(hours * closed for hours, closed in closed_hours) / weight, 1) if weight else None
    )
    topic_rows = [{**topic, "share": _as_rate(topic["share"])} for topic in topics]
    return ReportResult(
        columns=[
            Column("store", _("Store"), "text"),
            Column("received", _("Received"), "int"),
            Column("closed", _("Closed"), "int"),
            Column("met", _("Closed within the deadline"), "int"),
            Column("closed_late", _("Closed late"), "int"),
            Column("open_breached", _("Open and overdue"), "int"),
            Column("compliance", _("SLA compliance"), "rate"),
            Column("average_resolution_hours", _("Average resolution (hours)"), "decimal"),
        ],
        rows=rows,
        total=total,
        chart=Chart(
            "bar",
            [topic["label"] for topic in topic_rows],
            [{"label": str(_("Complaints")), "data": [topic["count"] for topic in topic_rows]}],
        ),
        extra={"topics": topics, "stores": stores},
        sections=[
            (
                _("Topics"),
                [
                    Column("label", _("Topic"), "text"),
                    Column("count", _("Complaints"), "int"),
                    Column("serious", _("Serious or major"), "int"),
                    Column("share", _("Share"), "rate"),
                ],
                topic_rows,
            )
        ],
    )


def _as_rate(value: float | None) -> Decimal | None:
    """A share the care selectors give as a float (0.8333) as the reports' rate (a Decimal to four places)."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.0001"))


def _satisfaction_row(figures, **names) -> dict:
    return {
        **names,
        "responses": figures.responses,
        "csat": figures.csat,
        "csat_answers": figures.csat_answers,
        "nps": figures.nps,
        "nps_answers": figures.nps_answers,
        "thin": str(_("Thin")) if figures.is_thin else "",
    }


SATISFACTION_COLUMNS = [
    Column("responses", _("Responses"), "int"),
    Column("csat", _("CSAT (%)"), "decimal"),
    Column("csat_answers", _("Satisfaction answers"), "int"),
    Column("nps", _("NPS"), "decimal"),
    Column("nps_answers", _("Recommendation answers"), "int"),
    Column("thin", _("Fewer than 30 responses"), "text"),
]


def satisfaction_over_time(
    *, user, date_from: datetime.date, date_to: datetime.date, store: int | None = None, trigger: str = ""
):
    """CSAT and NPS per month of the period (the chart and the table), per store and per trigger (further
    tables); a slice with fewer than 30 responses is marked thin. One query (crm.surveys' selector)."""
    # The survey responses are scoped by the person (crm.surveys); report_scope refuses a store they may not see.
    report_scope(user=user, store_id=store)
    with reading_from_replica():
        report = survey_selectors.satisfaction_report(
            user=user, date_from=date_from, date_to=date_to, store_id=store, trigger=trigger or ""
        )
    months = [_satisfaction_row(month, month=month.month.strftime("%Y-%m")) for month in report.months]
    stores = [_satisfaction_row(row, store=_store_label(row.store_name)) for row in report.stores]
    triggers = [_satisfaction_row(row, trigger=row.trigger_label) for row in report.triggers]
    return ReportResult(
        columns=[Column("month", _("Month"), "text"), *SATISFACTION_COLUMNS],
        rows=months,
        total=_satisfaction_row(report.total, month=str(_("Total"))),
        chart=Chart(
            "line",
            [row["month"] for row in months],
            [
                {"label": str(_("CSAT (%)")), "data": [_number(row["csat"]) for row in months]},
                {"label": str(_("NPS")), "data": [_number(row["nps"]) for row in months]},
            ],
        ),
        extra={"report": report},
        sections=[
            (_("Per store"), [Column("store", _("Store"), "text"), *SATISFACTION_COLUMNS], stores),
            (_("Per survey"), [Column("trigger", _("Survey"), "text"), *SATISFACTION_COLUMNS], triggers),
        ],
    )


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def rescue_response_times(*, user, date_from: datetime.date, date_to: datetime.date, store: int | None = None):
    """Roadside rescue per store: requests of the period, reached, cancelled, and the minutes from request to
    arrival (mean, median, longest). One query (crm.care.rescue's selector)."""
    store_ids = report_scope(user=user, store_id=store)
    with reading_from_replica():
        report = rescue_selectors.rescue_response_report(
            user=user, date_from=date_from, date_to=date_to, store_ids=store_ids
        )

    def as_row(figures, store_name: str) -> dict:
        return {
            "store": store_name,
            "requests": figures.requests,
            "arrived": figures.arrived,
            "cancelled": figures.cancelled,
            "average_minutes": _decimal(figures.average_minutes),
            "median_minutes": _decimal(figures.median_minutes),
            "longest_minutes": _decimal(figures.longest_minutes),
        }

    rows = [as_row(row, _store_label(row.store_name)) for row in report.stores]
    return ReportResult(
        columns=[
            Column("store", _("Store"), "text"),
            Column("requests", _("Requests"), "int"),
            Column("arrived", _("Reached"), "int"),
            Column("cancelled", _("Cancelled"), "int"),
            Column("average_minutes", _("Average response (minutes)"), "decimal"),
            Column("median_minutes", _("Median response (minutes)"), "decimal"),
            Column("longest_minutes", _("Longest response (minutes)"), "decimal"),
        ],
        rows=rows,
        total=as_row(report.total, str(_("Total"))),
        chart=Chart(
            "bar",
            [row["store"] for row in rows],
            [
                {"label": str(_("Average response (minutes)")), "data": [_number(r["average_minutes"]) for r in rows]},
                {"label": str(_("Median response (minutes)")), "data": [_number(r["median_minutes"]) for r in rows]},
            ],
        ),
        extra={"report": report},
    )


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))
