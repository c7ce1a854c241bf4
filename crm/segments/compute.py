"""The nightly segment computation, set-based: a handful of statements whatever the number of members, the same on
PostgreSQL and SQLite (window functions exist in both), holding no member row in Python.

1. One statement computes every member's facts as of the date into a temporary table: spend over the 12 months
   before the date and its ``percent_rank`` (ties share a rank, so they share a tier), the start of continuous
   service (``LAG`` over their visits, deliveries and payments), last contact, churn-risk reasons and score, the
   lifecycle, and the tier after the grace period (a rise is immediate; a drop waits ``SEGMENTS_TIER_GRACE_DAYS``).
2. Changes are recorded (tier history, lifecycle history), then the segment rows are upserted and the member's tier
   is set.
3. What changes start: tier-change messages, the churn-recall task on becoming at risk, and on becoming churned
   the seed's cadence (a message within a week, a call within a month).
4. System tags are recomputed: a rule's tag appears and disappears with the data; staff tags are never touched.

Running it twice for the same date changes nothing: the history tables are unique per member and day, the
messages and tasks have dedupe keys, and the computation reads what the first run wrote as "before".
"""

import calendar
import dataclasses
import datetime
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from crm.segments.churn import CHURN_RISK_REASONS, ReasonContext
from crm.segments.enums import TIER_ORDER, TIER_PERCENT_BELOW, Lifecycle, Loyalty
from crm.segments.models import MemberSegment, SegmentRules
from crm.segments.tag_rules import recompute_system_tags
from members.enums import Tier
from members.services import apply_computed_tiers
from notifications.bulk import bulk_queue_notifications, local_day_bounds, reminder_time
from notifications.models import Channel
from points.selectors import service_payer_types_counted
from staff_tasks.bulk import bulk_open_rule_tasks
from staff_tasks.enums import SubjectType
from staff_tasks.selectors import active_rule

WORK_TABLE = "segments_work"
# The nightly run's transaction settings (PostgreSQL): memory for each sort and hash, so the ranking, the loyalty
# window and the per-member groups stay in memory instead of spilling to temporary files; and no JIT compilation,
# which the planner turns on for statements this size and which cost a third of the work table's time.
WORK_MEM = "256MB"
TRANSACTION_SETTINGS = (("work_mem", WORK_MEM), ("jit", "off"))
STAFF_NAME = "COALESCE(NULLIF(m.name, ''), NULLIF(m.real_name, ''), CAST(u.phone AS TEXT))"


@dataclasses.dataclass(frozen=True)
class SegmentRun:
    as_of: datetime.date
    members: int
    tier_changes: int
    lifecycle_changes: int
    messages: int
    tasks: int
    tags_added: int
    tags_removed: int
    # Segment rows inserted or changed (an unchanged row is not written again).
    segments_written: int = 0
    # Wall seconds of each step, for operations and the benchmark.
    seconds: dict[str, float] = dataclasses.field(default_factory=dict)


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last_day))


def _timestamp(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _days_between(earlier: str, later: str) -> str:
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"(julianday({later}) - julianday({earlier}))"


def _tier_rank(expression: str) -> str:
    whens = " ".join(f"WHEN '{tier.value}' THEN {position}" for position, tier in enumerate(TIER_ORDER))
    return f"(CASE {expression} {whens} ELSE {len(TIER_ORDER)} END)"


def _ranked_tier_sql() -> tuple[str, list]:
    whens, params = [], []
    for tier, below in TIER_PERCENT_BELOW:
        whens.append(f"WHEN spend_rank < %s THEN '{tier.value}'")
        params.append(below)
    return f"CASE WHEN spend <= 0 THEN '{Tier.NORMAL.value}' {' '.join(whens)} ELSE '{Tier.NORMAL.value}' END", params


def _day_number(expression: str) -> str:
    """Whole days since a fixed day, the same integer on both engines."""
    if connection.vendor == "postgresql":
        return f"({expression} - DATE '1900-01-01')"
    return f"CAST(julianday({expression}) AS INTEGER)"


@dataclasses.dataclass(frozen=True)
class _ChurnSql:
    """The churn reasons in one pass: the reasons given as members are one grouped set (``risk``, one flag column
    each, joined into the facts); the reasons given over the facts are conditions on the member's row (``flagged``);
    the score and the reason codes (in the list's order, so the string is stable run to run) add up the flags."""

    risk: str  # empty when every reason is a condition
    risk_params: list
    risk_flags: str  # the set's flags, as columns of the facts
    conditions: str  # the conditions' flags, as columns over the facts
    condition_params: list
    scored: str


def _churn_risk_sql(*, context: ReasonContext, rules: SegmentRules) -> _ChurnSql:
    set_parts, set_params, set_flags, risk_flags, conditions, condition_params = [], [], [], [], [], []
    for index, reason in enumerate(CHURN_RISK_REASONS):
        if reason.facts_sql is not None:
            condition, params = reason.facts_sql(context)
            conditions.append(f"CASE WHEN {condition} THEN 1 ELSE 0 END AS flag_{index}")
            condition_params += params
        else:
            sql, params = reason.members_sql(context)
            set_parts.append(f"SELECT reason_members.member_id, {index} AS reason FROM ({sql}) AS reason_members")  # noqa: S608
            set_params += params
            set_flags.append(f"MAX(CASE WHEN reason = {index} THEN 1 ELSE 0 END) AS flag_{index}")
            risk_flags.append(f"COALESCE(r.flag_{index}, 0) AS flag_{index}")
    risk_sql = (
        f"SELECT member_id, {', '.join(set_flags)} FROM ({' UNION ALL '.join(set_parts)}) AS flags GROUP BY member_id"  # noqa: S608
        if set_parts
        else ""
    )
    score = " + ".join(
        f"flag_{index} * {int(rules.weight_of(reason.code, reason.default_weight))}"
        for index, reason in enumerate(CHURN_RISK_REASONS)
    )
    codes = " || ".join(
        f"CASE WHEN flag_{index} = 1 THEN '{reason.code},' ELSE '' END"
        for index, reason in enumerate(CHURN_RISK_REASONS)
    )
    return _ChurnSql(
        risk=risk_sql, risk_params=set_params, risk_flags="".join(f", {flag}" for flag in risk_flags),
        conditions="".join(f", {flag}" for flag in conditions), condition_params=condition_params,
        scored=f"CASE WHEN ({score}) > 100 THEN 100 ELSE ({score}) END AS churn_score, {codes} AS churn_reasons",
    )  # fmt: skip


def _quiet_since(*, day: datetime.date) -> tuple[str, list]:
    """No service visit, handover, payment or sign-in on or after ``day``."""
    start = _timestamp(local_day_bounds(day)[0])
    return (
        "((last_service_on IS NULL OR last_service_on < %s) AND last_delivery_on < %s"
        " AND (last_paid_at IS NULL OR last_paid_at < %s) AND (last_payment_on IS NULL OR last_payment_on < %s)"
        " AND (last_login IS NULL OR last_login < %s))",
        [day, day, start, day, start],
    )


def _work_table_sql(*, as_of: datetime.date, rules: SegmentRules, grace_days: int) -> tuple[str, list]:
    """Each source table is read once: service visits, payments and installments are each grouped once per member
    and loyalty stretch (``stretch``: ``churned_days + 1`` consecutive days, within which no break can fall), and
    every fact, the spend and the loyalty window are taken from those groups."""
    day_end = _timestamp(local_day_bounds(as_of)[1])
    year_ago = years_before(as_of, 1)
    window_start = _timestamp(local_day_bounds(year_ago)[1])
    counted = service_payer_types_counted()
    context = ReasonContext(
        as_of=as_of,
        no_service_before=as_of - datetime.timedelta(days=rules.no_service_days),
        no_sign_in_before=local_day_bounds(as_of - datetime.timedelta(days=rules.no_sign_in_days))[0],
        feedback_since=local_day_bounds(months_before(as_of, rules.feedback_months))[0],
        day_end=local_day_bounds(as_of)[1],
    )
    churn = _churn_risk_sql(context=context, rules=rules)
    ranked_sql, ranked_params = _ranked_tier_sql()
    churned_sql, churned_params = _quiet_since(day=as_of - datetime.timedelta(days=rules.churned_days))
    at_risk_sql, at_risk_params = _quiet_since(day=as_of - datetime.timedelta(days=rules.at_risk_days))
    break_days = int(rules.churned_days)

    def stretch(column: str) -> str:
        return f"{_day_number(column)} / {break_days + 1}"

    loans_of = "orders_installment i JOIN orders_loan l ON l.id = i.loan_id JOIN orders_order o ON o.id = l.order_id"
    sql = f"""
        CREATE TEMPORARY TABLE {WORK_TABLE} AS
        WITH service AS (
            -- One pass over the visits: per member and stretch, the first and last visit and the spend in the window.
            SELECT v.member_id, {stretch("sr.serviced_on")} AS stretch, MIN(sr.serviced_on) AS first_day,
                   MAX(sr.serviced_on) AS last_day,
                   SUM(CASE WHEN sr.serviced_on > %s THEN sr.customer_amount * %s + sr.insurance_amount * %s
                            + sr.manufacturer_amount * %s + sr.internal_amount * %s ELSE 0 END) AS amount
            FROM vehicles_servicerecord sr JOIN vehicles_ownedvehicle v ON v.id = sr.vehicle_id
            WHERE sr.serviced_on <= %s GROUP BY 1, 2
        ),
        installments AS (
            -- One pass over the installments: per member and stretch of due days, the settled ones (loyalty), the
            -- last settlement and how many are overdue.
            SELECT o.member_id, {stretch("i.due_on")} AS stretch,
                   MIN(CASE WHEN i.status = 'paid' AND i.due_on <= %s THEN i.due_on END) AS first_day,
                   MAX(CASE WHEN i.status = 'paid' AND i.due_on <= %s THEN i.due_on END) AS last_day,
                   MAX(CASE WHEN i.status = 'paid' AND i.paid_at < %s THEN i.paid_at END) AS last_paid_at,
                   SUM(CASE WHEN i.status <> 'paid' AND i.due_on < %s THEN 1 ELSE 0 END) AS overdue
            FROM {loans_of} GROUP BY 1, 2
        ),
        loans AS (
            SELECT member_id, MAX(last_paid_at) AS last_paid_at, SUM(overdue) AS overdue_installments
            FROM installments GROUP BY member_id
        ),
        payments AS (
            -- Any payment is contact, a part of an installment too; those in the window are spend.
            SELECT o.member_id, MAX(p.paid_on) AS last_payment_on,
                   SUM(CASE WHEN p.paid_on > %s THEN p.amount ELSE 0 END) AS amount
            FROM orders_payment p JOIN orders_installment i ON i.id = p.installment_id
            JOIN orders_loan l ON l.id = i.loan_id JOIN orders_order o ON o.id = l.order_id
            WHERE p.paid_on <= %s GROUP BY o.member_id
        ),
        spend AS (
            SELECT member_id, SUM(amount) AS amount FROM (
                SELECT member_id, amount FROM service
                UNION ALL
                -- Installments: what was paid, by payment date (a partly paid one counts its payments)…
                SELECT member_id, amount FROM payments
                UNION ALL
                -- …and one settled with no payment rows (a coupon covered it, or it was paid before payments were
                -- recorded one by one) counts what it asked of the member when it was settled.
                SELECT o.member_id, i.amount - i.deduction FROM {loans_of}
                WHERE i.status = 'paid' AND i.paid_at >= %s AND i.paid_at < %s
                  AND NOT EXISTS (SELECT 1 FROM orders_payment p WHERE p.installment_id = i.id)
                UNION ALL
                SELECT o.member_id, o.down_payment FROM orders_order o
                JOIN orders_orderevent e ON e.order_id = o.id AND e.to_state = 'down_payment_paid'
                WHERE e.created_at >= %s AND e.created_at < %s AND o.state <> 'terminated'
            ) AS paid GROUP BY member_id
        ),
        cars AS (
            SELECT member_id, MIN(delivered_on) AS first_delivery_on, MAX(delivered_on) AS last_delivery_on
            FROM vehicles_ownedvehicle WHERE delivered_on <= %s GROUP BY member_id
        ),
        visits AS (
            SELECT member_id, MAX(last_day) AS last_service_on FROM service GROUP BY member_id
        ),
        activity AS (
            SELECT member_id, first_day, last_day FROM service
            UNION ALL
            SELECT member_id, first_day, last_day FROM installments WHERE first_day IS NOT NULL
            UNION ALL
            SELECT member_id, delivered_on, delivered_on FROM vehicles_ownedvehicle WHERE delivered_on <= %s
        ),
        runs AS (
            -- Gaps between stretches of activity: each stretch's first day against the latest day before it.
            SELECT member_id, first_day, MAX(last_day) OVER (
                PARTITION BY member_id ORDER BY first_day ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            ) AS previous_day FROM activity
        ),
        tenure AS (
            -- Continuous service starts after the last break longer than the churn threshold.
            SELECT member_id, MAX(first_day) AS customer_since FROM runs
            WHERE previous_day IS NULL OR {_days_between("previous_day", "first_day")} > {break_days}
            GROUP BY member_id
        ),
        {f"risk AS ({churn.risk})," if churn.risk else ""}
        facts AS (
            SELECT m.id AS member_id, COALESCE(sp.amount, 0) AS spend,
                   PERCENT_RANK() OVER (ORDER BY COALESCE(sp.amount, 0) DESC) AS spend_rank,
                   c.first_delivery_on, c.last_delivery_on, vi.last_service_on, lo.last_paid_at, pa.last_payment_on,
                   COALESCE(lo.overdue_installments, 0) AS overdue_installments, u.last_login, t.customer_since
                   {churn.risk_flags}
            FROM members_member m
            JOIN members_user u ON u.id = m.user_id
            LEFT JOIN spend sp ON sp.member_id = m.id
            LEFT JOIN cars c ON c.member_id = m.id
            LEFT JOIN visits vi ON vi.member_id = m.id
            LEFT JOIN loans lo ON lo.member_id = m.id
            LEFT JOIN payments pa ON pa.member_id = m.id
            LEFT JOIN tenure t ON t.member_id = m.id
            {"LEFT JOIN risk r ON r.member_id = m.id" if churn.risk else ""}
            WHERE m.closed_at IS NULL
        ),
        flagged AS (
            SELECT facts.* {churn.conditions} FROM facts
        ),
        scored AS (
            SELECT flagged.*, {churn.scored} FROM flagged
        ),
        classified AS (
            SELECT scored.*, {ranked_sql} AS ranked_tier,
                   CASE WHEN first_delivery_on IS NULL THEN '{Lifecycle.LEAD.value}'
                        WHEN {churned_sql} THEN '{Lifecycle.CHURNED.value}'
                        WHEN {at_risk_sql} OR churn_score >= %s THEN '{Lifecycle.AT_RISK.value}'
                        WHEN first_delivery_on >= %s THEN '{Lifecycle.NEW.value}'
                        ELSE '{Lifecycle.ACTIVE.value}' END AS lifecycle
            FROM scored
        )
        SELECT cl.*, old.tier AS old_tier, old.tier_since AS old_tier_since, old.lifecycle AS old_lifecycle,
               old.lifecycle_since AS old_lifecycle_since,
               CASE WHEN old.tier IS NULL THEN cl.ranked_tier
                    WHEN {_tier_rank("cl.ranked_tier")} <= {_tier_rank("old.tier")} THEN cl.ranked_tier
                    WHEN old.grace_until IS NOT NULL AND old.grace_until <= %s THEN cl.ranked_tier
                    ELSE old.tier END AS tier,
               CASE WHEN old.tier IS NULL OR {_tier_rank("cl.ranked_tier")} <= {_tier_rank("old.tier")} THEN NULL
                    WHEN old.grace_until IS NOT NULL AND old.grace_until <= %s THEN NULL
                    ELSE COALESCE(old.grace_until, %s) END AS grace_until,
               CASE WHEN cl.lifecycle = '{Lifecycle.CHURNED.value}' OR cl.customer_since IS NULL
                        THEN '{Loyalty.LOW.value}'
                    WHEN cl.customer_since <= %s THEN '{Loyalty.LOYAL.value}'
                    WHEN cl.customer_since <= %s THEN '{Loyalty.FAIRLY_LOYAL.value}'
                    WHEN cl.customer_since <= %s THEN '{Loyalty.ORDINARY.value}'
                    ELSE '{Loyalty.LOW.value}' END AS loyalty
        FROM classified cl LEFT JOIN segments_membersegment old ON old.member_id = cl.member_id
    """  # noqa: S608  (identifiers and codes are ours; every value is a parameter)
    params = [
        year_ago, *(int(counted[payer]) for payer in ("customer", "insurance", "manufacturer", "internal")), as_of,
        as_of, as_of, day_end, as_of,
        year_ago, as_of,
        window_start, day_end, window_start, day_end,
        as_of, as_of,
        *churn.risk_params, *churn.condition_params, *ranked_params, *churned_params, *at_risk_params,
        rules.at_risk_score,
        as_of - datetime.timedelta(days=rules.new_customer_days),
        as_of, as_of, as_of + datetime.timedelta(days=grace_days),
        years_before(as_of, 3), years_before(as_of, 2), years_before(as_of, 1),
    ]  # fmt: skip
    return sql, params


def _record_changes(cursor, *, as_of: datetime.date, now) -> tuple[int, int]:
    cursor.execute(
        f"""
        INSERT INTO segments_tierchange (member_id, from_tier, to_tier, spend_12_months, as_of, created_at)
        SELECT member_id, COALESCE(old_tier, '{Tier.NORMAL.value}'), tier, spend, %s, %s FROM {WORK_TABLE}
        WHERE tier <> COALESCE(old_tier, '{Tier.NORMAL.value}')
        ON CONFLICT (member_id, as_of) DO NOTHING
        """,  # noqa: S608
        [as_of, now],
    )
    tier_changes = max(cursor.rowcount, 0)
    cursor.execute(
        f"""
        INSERT INTO segments_lifecyclechange (member_id, from_lifecycle, to_lifecycle, as_of, created_at)
        SELECT member_id, COALESCE(old_lifecycle, ''), lifecycle, %s, %s FROM {WORK_TABLE}
        WHERE lifecycle <> COALESCE(old_lifecycle, '')
        ON CONFLICT (member_id, as_of) DO NOTHING
        """,  # noqa: S608
        [as_of, now],
    )
    return tier_changes, max(cursor.rowcount, 0)


def _differs(column: str) -> str:
    """The stored value and the new one differ (NULLs compared as values)."""
    operator = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    return f"segments_membersegment.{column} {operator} excluded.{column}"


def _store_segments(cursor, *, as_of: datetime.date) -> int:
    """Insert the new members' rows and update only the rows with something new, so a night that changes little
    writes little."""
    columns = (
        "tier", "ranked_tier", "tier_since", "grace_until", "spend_12_months", "spend_percent_rank", "loyalty",
        "customer_since", "first_purchase_on", "lifecycle", "lifecycle_since", "churn_score", "churn_reasons",
        "last_service_on", "as_of",
    )  # fmt: skip
    cursor.execute(
        f"""
        INSERT INTO segments_membersegment (member_id, {", ".join(columns)})
        SELECT member_id, tier, ranked_tier,
               CASE WHEN old_tier IS NULL OR tier <> old_tier THEN %s ELSE old_tier_since END,
               grace_until, spend, spend_rank, loyalty, customer_since, first_delivery_on, lifecycle,
               CASE WHEN old_lifecycle IS NULL OR lifecycle <> old_lifecycle THEN %s ELSE old_lifecycle_since END,
               churn_score, churn_reasons, last_service_on, %s
        FROM {WORK_TABLE} WHERE 1 = 1
        ON CONFLICT (member_id) DO UPDATE SET {", ".join(f"{column} = excluded.{column}" for column in columns)}
        WHERE {" OR ".join(_differs(column) for column in columns)}
        """,  # noqa: S608
        [as_of, as_of, as_of],
    )
    return max(cursor.rowcount, 0)


def _tier_label_sql() -> str:
    whens = " ".join(f"WHEN '{tier.value}' THEN %s" for tier in TIER_ORDER)
    return f"CASE tc.to_tier {whens} END"


def _changed_members_sql(*, table: str, where: str) -> str:
    return f"""
        SELECT m.user_id AS recipient_id, m.id AS member_id, m.preferred_store_id AS store_id, m.id AS subject_id,
               {STAFF_NAME} AS name, COALESCE(NULLIF(m.name, ''), %s) AS greeting{{extra}}
        FROM {table} tc JOIN members_member m ON m.id = tc.member_id JOIN members_user u ON u.id = m.user_id
        WHERE u.is_active AND tc.as_of = %s AND {where}
    """  # noqa: S608  (identifiers are ours)


def _tell_and_task(*, as_of: datetime.date) -> tuple[int, int]:
    """Messages for tier changes and churn, the recall tasks; each keyed, so a second run adds nothing."""
    dear = str(translation.gettext("Dear member"))
    send_at = max(reminder_time(as_of), timezone.now())
    labels = [str(tier.label) for tier in TIER_ORDER]
    messages = 0
    for event, comparison in (("segments.tier_up", "<"), ("segments.tier_down", ">")):
        source = _changed_members_sql(
            table="segments_tierchange",
            where=f"{_tier_rank('tc.to_tier')} {comparison} {_tier_rank('tc.from_tier')}",
        ).replace("{extra}", f", {_tier_label_sql()} AS tier")
        messages += bulk_queue_notifications(
            source_sql=f"SELECT recipient_id, member_id, greeting AS name, tier FROM ({source}) AS changed",  # noqa: S608
            source_params=[dear, *labels, as_of], event=event, channels=(Channel.INBOX, Channel.SMS),
            dedupe_key_sql=f"'{event}:' || CAST(source.member_id AS TEXT) || ':{as_of.isoformat()}'",
            send_after=send_at, link="/me/",
        )  # fmt: skip
    became = _changed_members_sql(table="segments_lifecyclechange", where="tc.to_lifecycle = %s").replace("{extra}", "")
    messages += bulk_queue_notifications(
        source_sql=f"SELECT recipient_id, member_id, greeting AS name FROM ({became}) AS churned",  # noqa: S608
        source_params=[dear, as_of, Lifecycle.CHURNED.value], event="segments.churned",
        channels=(Channel.INBOX, Channel.SMS),
        dedupe_key_sql=f"'segments.churned:' || CAST(source.member_id AS TEXT) || ':{as_of.isoformat()}'",
        send_after=send_at, link="/me/",
    )  # fmt: skip
    tasks = 0
    for rule_code, lifecycle in (("churn_recall", Lifecycle.AT_RISK), ("churned_call", Lifecycle.CHURNED)):
        rule = active_rule(code=rule_code)
        if rule is None:
            continue
        tasks += bulk_open_rule_tasks(
            rule=rule, subject_type=SubjectType.MEMBER, due_on=as_of + datetime.timedelta(days=rule.offset_days),
            source_sql=f"SELECT member_id, store_id, subject_id, name FROM ({became}) AS changed",  # noqa: S608
            source_params=[dear, as_of, lifecycle.value],
        )  # fmt: skip
    return messages, tasks


@transaction.atomic
def compute_segments(*, as_of: datetime.date) -> SegmentRun:
    """Every member's tier, loyalty, lifecycle, churn risk and system tags as of local date ``as_of``."""
    # One computation at a time: a second (beat and a manual run) waits, then finds nothing left to change.
    rules = SegmentRules.current()
    rules = SegmentRules.objects.select_for_update().get(pk=rules.pk)
    now = timezone.now()
    clock = _Clock()
    with translation.override(settings.LANGUAGE_CODE), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, value in TRANSACTION_SETTINGS:
                cursor.execute(f"SET LOCAL {name} = '{value}'")
        cursor.execute(f"DROP TABLE IF EXISTS {WORK_TABLE}")
        sql, params = _work_table_sql(as_of=as_of, rules=rules, grace_days=settings.SEGMENTS_TIER_GRACE_DAYS)
        cursor.execute(sql, params)
        cursor.execute(f"CREATE INDEX {WORK_TABLE}_member ON {WORK_TABLE} (member_id)")
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {WORK_TABLE}")  # temporary tables get no statistics by themselves
        clock.lap("tiers_and_lifecycle")
        cursor.execute(f"SELECT COUNT(*) FROM {WORK_TABLE}")  # noqa: S608
        members = cursor.fetchone()[0]
        tier_changes, lifecycle_changes = _record_changes(cursor, as_of=as_of, now=now)
        segments_written = _store_segments(cursor, as_of=as_of)
        apply_computed_tiers(source_sql=f"SELECT member_id, tier FROM {WORK_TABLE}", source_params=[])  # noqa: S608
        cursor.execute(f"DROP TABLE {WORK_TABLE}")
        clock.lap("history_and_store")
        messages, tasks = _tell_and_task(as_of=as_of)
        clock.lap("messages_and_tasks")
        tags_added, tags_removed = recompute_system_tags(as_of=as_of)
        clock.lap("system_tags")
    return SegmentRun(
        as_of=as_of, members=members, tier_changes=tier_changes, lifecycle_changes=lifecycle_changes,
        messages=messages, tasks=tasks, tags_added=tags_added, tags_removed=tags_removed,
        segments_written=segments_written, seconds=clock.laps,
    )  # fmt: skip


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 2)
        self._last = now


def segment_of(*, member_id: int) -> MemberSegment | None:
    return MemberSegment.objects.filter(member_id=member_id).first()
