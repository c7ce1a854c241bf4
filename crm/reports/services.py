"""The reports' writes: recall tasks for the cars that have not been back, and the nightly aggregates."""

import datetime
from functools import partial

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Campaign
from crm.reports.models import AggregateRefresh, CampaignResult, FunnelDay, LifecycleDay, MemberValueDay, TierDay
from crm.reports.segment_reports import (
    HISTORY_START,
    LIFECYCLE_DAYS_SQL,
    SEGMENT_DAYS_AGGREGATE,
    TIER_DAYS_SQL,
    segment_days_sql,
)
from crm.reports.selectors import (
    FUNNEL_AGGREGATE,
    MEMBER_VALUE_AGGREGATE,
    TASK_EXECUTION_AGGREGATE,
    _moment,
    campaign_figures_sql,
    funnel_sql,
    member_spend_sql,
    not_returned_vehicles,
    sql_local_date,
)
from crm.supervision.models import TaskDay
from crm.supervision.selectors import TASK_DAY_COLUMNS, task_days_sql
from staff_tasks.bulk import bulk_open_tasks
from staff_tasks.enums import SubjectType, TaskKind
from staff_tasks.selectors import local_day_bounds

# A recall call is due this many days after the tasks are opened, at this local hour.
RECALL_DUE_IN_DAYS = 3
RECALL_DUE_HOUR = 10
# The funnel's aggregate starts here: before it nobody came in.
FUNNEL_HISTORY_START = datetime.date(2000, 1, 1)
CAMPAIGN_AGGREGATE = "campaigns"


@transaction.atomic
def open_recall_tasks(*, actor, months: int, store: int | None = None) -> int:
    """A churn-recall call task for each car (in ``actor``'s stores) not back for ``months`` months, for its store;
    one per car per month, however often this runs. Set-based: one INSERT … SELECT. Returns how many were new."""
    today = timezone.localdate()
    vehicles = not_returned_vehicles(user=actor, months=months, store=store, today=today)
    cars_sql, source_params = (
        vehicles.order_by()
        .values(
            car_id=F("pk"),
            owner_id=F("member_id"),
            owner_store_id=F("member__preferred_store_id"),
            car_plate=F("plate"),
        )  # fmt: skip
        .query.sql_with_params()
    )
    source_sql = f"""
        SELECT car.car_id AS subject_id, car.owner_id AS member_id, car.owner_store_id AS store_id,
               %s || car.car_plate AS title, '' AS script
        FROM ({cars_sql}) AS car
    """  # noqa: S608  (the inner query is the ORM's, with its own parameters)
    due_on = today + datetime.timedelta(days=RECALL_DUE_IN_DAYS)
    due_at = timezone.make_aware(datetime.datetime.combine(due_on, datetime.time(hour=RECALL_DUE_HOUR)))
    return bulk_open_tasks(
        kind=TaskKind.CHURN_RECALL,
        source_sql=source_sql,
        source_params=[_("Recall: not back for %(months)d months · ") % {"months": months}, *source_params],
        subject_type=SubjectType.VEHICLE,
        due_at=due_at,
        dedupe_prefix=f"recall:not_returned:{today:%Y-%m}:vehicle:",
        created_by=actor,
        respect_call_opt_out=True,
    )


@transaction.atomic
def refresh_funnel_days(*, today: datetime.date | None = None) -> int:
    """Rebuild the funnel's daily aggregate for every day before ``today`` (local), in one DELETE and one
    INSERT … SELECT: older arrivals move on through the funnel, so every day is recomputed. Concurrent refreshes
    queue on the aggregate's row. Returns the rows written."""
    today = today or timezone.localdate()
    refresh, _created = AggregateRefresh.objects.get_or_create(
        name=FUNNEL_AGGREGATE, defaults={"covers_until": FUNNEL_HISTORY_START, "refreshed_at": timezone.now()}
    )
    AggregateRefresh.objects.select_for_update().get(pk=refresh.pk)
    FunnelDay.objects.all().delete()
    start, end = local_day_bounds(FUNNEL_HISTORY_START)[0], local_day_bounds(today)[0]
    start, end = _moment("default", start), _moment("default", end)
    sql = funnel_sql(vendor=connection.vendor, per_day=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO reports_funnelday (came_in_on, store_id, channel, guided, furthest, reason, people) " + sql,
            [start, end, start, end],
        )
        written = cursor.rowcount
    AggregateRefresh.objects.filter(pk=refresh.pk).update(covers_until=today, refreshed_at=timezone.now())
    return written


@transaction.atomic
def refresh_campaign_results() -> int:
    """Rebuild every sent campaign's figures in one DELETE and one INSERT … SELECT (conversions keep arriving for
    30 days after a send, deliveries later). Concurrent refreshes queue on the aggregate's row."""
    refresh, _created = AggregateRefresh.objects.get_or_create(
        name=CAMPAIGN_AGGREGATE, defaults={"covers_until": timezone.localdate(), "refreshed_at": timezone.now()}
    )
    AggregateRefresh.objects.select_for_update().get(pk=refresh.pk)
    CampaignResult.objects.all().delete()
    campaigns = list(Campaign.objects.exclude(state=Campaign.State.DRAFT))
    sql, params = campaign_figures_sql(campaigns, adapt=partial(_moment, "default"))
    written = 0
    if sql:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO reports_campaignresult (campaign_id, messaged, reached, converted, revenue) " + sql, params
            )
            written = cursor.rowcount
    AggregateRefresh.objects.filter(pk=refresh.pk).update(
        covers_until=timezone.localdate(), refreshed_at=timezone.now()
    )
    return written


@transaction.atomic
def refresh_member_value_days(*, today: datetime.date | None = None) -> int:
    """Rebuild the open members' spend to date per local day they joined and store (those who joined before
    ``today``), in one DELETE and one INSERT … SELECT. Concurrent refreshes queue on the aggregate's row."""
    today = today or timezone.localdate()
    refresh, _created = AggregateRefresh.objects.get_or_create(
        name=MEMBER_VALUE_AGGREGATE, defaults={"covers_until": today, "refreshed_at": timezone.now()}
    )
    AggregateRefresh.objects.select_for_update().get(pk=refresh.pk)
    MemberValueDay.objects.all().delete()
    joined_on = sql_local_date("m.created_at", vendor=connection.vendor)
    spend = member_spend_sql(
        columns=f"{joined_on} AS joined_on, m.preferred_store_id AS store_id", where="m.created_at < %s"
    )
    sql = f"SELECT joined_on, store_id, COUNT(*), SUM(spend) FROM ({spend}) AS per_member GROUP BY 1, 2"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO reports_membervalueday (joined_on, store_id, members, spend) " + sql,
            [_moment("default", local_day_bounds(today)[0])],
        )
        written = cursor.rowcount
    AggregateRefresh.objects.filter(pk=refresh.pk).update(covers_until=today, refreshed_at=timezone.now())
    return written


@transaction.atomic
def refresh_task_days(*, today: datetime.date | None = None) -> int:
    """Rebuild the task figures per local creation day, store and assignee for every task created before ``today``
    (local), in one DELETE and one INSERT … SELECT: tasks go on being done after the day they were created, so
    every day is recomputed; the open tasks past due are counted as of this refresh. Concurrent refreshes queue on
    the aggregate's row. Returns the rows written."""
    today = today or timezone.localdate()
    refresh, _created = AggregateRefresh.objects.get_or_create(
        name=TASK_EXECUTION_AGGREGATE, defaults={"covers_until": today, "refreshed_at": timezone.now()}
    )
    AggregateRefresh.objects.select_for_update().get(pk=refresh.pk)
    TaskDay.objects.all().delete()
    now = timezone.now()
    sql, params = task_days_sql(before=local_day_bounds(today)[0], now=now)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TaskDay._meta.db_table} ({', '.join(TASK_DAY_COLUMNS)}) " + sql, params)
        written = cursor.rowcount
    AggregateRefresh.objects.filter(pk=refresh.pk).update(covers_until=today, refreshed_at=now)
    return written


@transaction.atomic
def refresh_segment_days(*, today: datetime.date | None = None) -> int:
    """Rebuild the tier and lifecycle history's sums per day and store (the days before ``today``), in two DELETEs
    and two INSERT … SELECTs: a member who closed their account or moved to another store since moves their history
    with them. Concurrent refreshes queue on the aggregate's row. Returns the rows written."""
    today = today or timezone.localdate()
    refresh, _created = AggregateRefresh.objects.get_or_create(
        name=SEGMENT_DAYS_AGGREGATE, defaults={"covers_until": HISTORY_START, "refreshed_at": timezone.now()}
    )
    AggregateRefresh.objects.select_for_update().get(pk=refresh.pk)
    TierDay.objects.all().delete()
    LifecycleDay.objects.all().delete()
    written = 0
    with connection.cursor() as cursor:
        for table, columns, template in (
            ("reports_tierday", "as_of, store_id, tier, change", TIER_DAYS_SQL),
            ("reports_lifecycleday", "as_of, store_id, in_service_change, churned", LIFECYCLE_DAYS_SQL),
        ):
            sql, params = segment_days_sql(template, alias="default", since=HISTORY_START, before=today, store_ids=None)
            cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)  # noqa: S608  (our tables)
            written += cursor.rowcount
    AggregateRefresh.objects.filter(pk=refresh.pk).update(covers_until=today, refreshed_at=timezone.now())
    return written


def refresh_report_aggregates(*, today: datetime.date | None = None) -> dict[str, int]:
    """Every pre-aggregated report figure: the funnel's, the members' spend's, the tasks' and the tier and
    lifecycle history's days before ``today``, and the campaigns' results."""
    return {
        "funnel_days": refresh_funnel_days(today=today),
        "member_value_days": refresh_member_value_days(today=today),
        "task_days": refresh_task_days(today=today),
        "segment_days": refresh_segment_days(today=today),
        "campaign_results": refresh_campaign_results(),
    }
