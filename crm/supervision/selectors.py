"""Supervision of task execution: how many tasks each store and each agent got, did, did on time and reached.

Every figure is about the tasks *created* in the period (local dates, both included), so a period's figures only
change while its tasks are still being worked on:

- ``created``: tasks created in the period (cancelled tasks are left out everywhere);
- ``done``: of those, completed;
- ``done_on_time``: completed at or before their due time;
- ``overdue``: still open past their due time now, or completed after it;
- ``reach_rate``: completed with the outcome ``reached`` ÷ ``done`` (``None`` while nothing is done);
- ``on_time_rate``: ``done_on_time`` ÷ ``created``;
- ``score``: head office's target attainment, see ``score_for``.

The days before the nightly refresh are read from its per-day rows (``TaskDay``), as of the refresh: there
``overdue`` counts the tasks completed late and those still open past due at the refresh. The days since are
counted live from the tasks. Both in one query with conditional aggregates (portable to SQLite and PostgreSQL).
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from crm.leads.enums import LeadStatus
from crm.leads.selectors import leads_visible_to
from crm.supervision.models import TaskDay
from members.enums import StaffRole
from members.models import Store, User
from members.selectors import sees_all_stores
from orders.selectors import count_unassigned_orders
from staff_tasks.enums import TaskOutcome, TaskStatus
from staff_tasks.models import Task
from staff_tasks.selectors import local_day_bounds, sql_local_date, tasks_visible_to

RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Targets:
    on_time_rate: Decimal
    reach_rate: Decimal
    on_time_weight: Decimal
    reach_weight: Decimal


def current_targets() -> Targets:
    """Head office's targets (setting ``TASK_SUPERVISION_TARGETS``)."""
    conf = settings.TASK_SUPERVISION_TARGETS
    targets = Targets(
        on_time_rate=Decimal(str(conf["on_time_rate"])),
        reach_rate=Decimal(str(conf["reach_rate"])),
        on_time_weight=Decimal(str(conf["on_time_weight"])),
        reach_weight=Decimal(str(conf["reach_weight"])),
    )
    # A target of 0 (or above 1) cannot be divided by or reached: refuse it loudly rather than score nonsense.
    if not (0 < targets.on_time_rate <= 1 and 0 < targets.reach_rate <= 1):
        raise ImproperlyConfigured("TASK_SUPERVISION_TARGETS: the target rates must be above 0 and at most 1.")
    if targets.on_time_weight < 0 or targets.reach_weight < 0 or targets.on_time_weight + targets.reach_weight <= 0:
        raise ImproperlyConfigured("TASK_SUPERVISION_TARGETS: the weights must not be negative nor both 0.")
    return targets


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, ROUND_HALF_UP) if whole else None


def score_for(*, on_time_rate: Decimal | None, reach_rate: Decimal | None, targets: Targets) -> int | None:
    """100 × the weighted attainment of the two targets, each attainment capped at 1 (doing better than the target
    on one does not make up for missing the other). ``None`` without tasks; a rate with nothing to count scores 0."""
    if on_time_rate is None:
        return None
    on_time = min(on_time_rate / targets.on_time_rate, Decimal(1))
    reach = min((reach_rate or Decimal(0)) / targets.reach_rate, Decimal(1))
    weighted = (targets.on_time_weight * on_time + targets.reach_weight * reach) / (
        targets.on_time_weight + targets.reach_weight
    )
    return int((Decimal(100) * weighted).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass
class Figures:
    created: int = 0
    done: int = 0
    done_on_time: int = 0
    overdue: int = 0
    reached: int = 0
    targets: Targets | None = field(default=None, repr=False)

    def add(self, other: "Figures") -> None:
        self.created += other.created
        self.done += other.done
        self.done_on_time += other.done_on_time
        self.overdue += other.overdue
        self.reached += other.reached

    @property
    def reach_rate(self) -> Decimal | None:
        return _rate(self.reached, self.done)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.done_on_time, self.created)

    @property
    def score(self) -> int | None:
        return score_for(on_time_rate=self.on_time_rate, reach_rate=self.reach_rate, targets=self.targets)


@dataclass
class AgentRow(Figures):
    store_id: int | None = None
    store_code: str | None = None
    store_name: str | None = None
    assignee_id: int | None = None
    assignee: str | None = None


@dataclass
class StoreRow(Figures):
    store_id: int | None = None
    store_code: str | None = None
    store_name: str | None = None
    agents: list[AgentRow] = field(default_factory=list)


@dataclass
class TaskExecutionReport:
    date_from: datetime.date
    date_to: datetime.date
    targets: Targets
    stores: list[StoreRow]
    total: Figures

    @property
    def rows(self) -> list[AgentRow]:
        return [agent for store in self.stores for agent in store.agents]


def supervision_rule(*, user) -> Q | None:
    """Whose figures ``user`` may read, as a condition on ``store_id`` and ``assignee_id`` (the tasks and the daily
    rows share them): head-office roles every store's (and the tasks without a store); a store manager their
    store's; store staff only their own tasks in their store; anyone else nothing (``None``)."""
    if not (user.is_authenticated and user.is_staff):
        return None
    if sees_all_stores(user=user):
        return Q()
    if user.role == StaffRole.STORE_MANAGER and user.store_id:
        return Q(store_id=user.store_id)
    if user.role == StaffRole.STORE_STAFF and user.store_id:
        return Q(store_id=user.store_id, assignee_id=user.pk)
    return None


def supervised_tasks(*, user) -> QuerySet[Task]:
    """The tasks whose figures ``user`` may read (``supervision_rule``)."""
    rule = supervision_rule(user=user)
    return Task.objects.none() if rule is None else Task.objects.filter(rule)


def supervised_task_days(*, user) -> QuerySet[TaskDay]:
    """The daily rows whose figures ``user`` may read: the same rule as ``supervised_tasks``."""
    rule = supervision_rule(user=user)
    return TaskDay.objects.none() if rule is None else TaskDay.objects.filter(rule)


def _conditions(*, now: datetime.datetime) -> dict[str, Q]:
    """Which tasks (cancelled ones already left out) each figure counts; ``open_overdue`` depends on ``now``, the
    others only on the tasks. ``overdue`` is ``done_late`` or ``open_overdue``."""
    done = Q(status=TaskStatus.DONE)
    return {
        "done": done,
        "done_on_time": done & Q(completed_at__lte=F("due_at")),
        "done_late": done & Q(completed_at__gt=F("due_at")),
        "open_overdue": Q(status=TaskStatus.OPEN, due_at__lt=now),
        "reached": done & Q(outcome=TaskOutcome.REACHED),
    }


TASK_DAY_COLUMNS = ("created_on", "store_id", "assignee_id", "created", "done", "done_on_time", "done_late",
                    "open_overdue", "reached")  # fmt: skip


def task_days_sql(*, before: datetime.datetime, now: datetime.datetime, alias: str = "default") -> tuple[str, list]:
    """The ``TaskDay`` rows (``TASK_DAY_COLUMNS``, in order) for every task created before ``before``: one GROUP BY
    local creation day, store and assignee, with the open tasks past due counted as of ``now``. Runs on
    PostgreSQL and SQLite alike."""
    connection = connections[alias]
    created_at = f"{connection.ops.quote_name(Task._meta.db_table)}.{connection.ops.quote_name('created_at')}"
    grouped_sql, params = (
        Task.objects.using(alias)
        .filter(created_at__lt=before)
        .exclude(status=TaskStatus.CANCELLED)
        # The column is ours, quoted by the database's own rules.
        .annotate(created_on=RawSQL(sql_local_date(created_at, vendor=connection.vendor), []))  # noqa: S611
        .order_by()
        .values("created_on", "store_id", "assignee_id")
        .annotate(
            n_created=Count("id"),
            **{f"n_{name}": Count("id", filter=when) for name, when in _conditions(now=now).items()},
        )
        .query.sql_with_params()
    )
    sql = f"""
        SELECT g.created_on, g.store_id, g.assignee_id, g.n_created, g.n_done, g.n_done_on_time, g.n_done_late,
               g.n_open_overdue, g.n_reached
        FROM ({grouped_sql}) AS g
    """  # noqa: S608  (the inner query is the ORM's, with its own parameters)
    return sql, list(params)


def task_execution_report(
    *,
    user,
    date_from: datetime.date,
    date_to: datetime.date,
    store_id: int | None = None,
    now: datetime.datetime | None = None,
    covers_until: datetime.date | None = None,
) -> TaskExecutionReport:
    """The figures per store and agent (assignee; ``None`` for tasks nobody has taken) for tasks created between
    the local dates ``date_from`` and ``date_to``, both included.

    ``covers_until``: the first local day the nightly aggregate (``TaskDay``) does not cover (``None``: no
    aggregate, everything live). The days before it are summed from the aggregate, as of its refresh (the open tasks
    past due then); the days since are counted live from the tasks, over the index on their creation time that
    holds every column the figures need (``task_created_figures``). One query either way."""
    now = now or timezone.now()
    targets = current_targets()
    tasks, days = supervised_tasks(user=user), supervised_task_days(user=user)
    if tasks.query.is_empty():  # staff whose figures are nobody's
        return TaskExecutionReport(
            date_from=date_from, date_to=date_to, targets=targets, stores=[], total=Figures(targets=targets)
        )
    store_rule = Q() if store_id is None else Q(store_id=store_id)
    parts: list[tuple[str, tuple]] = []
    live_from = date_from
    if covers_until is not None and covers_until > date_from:
        aggregated_to = min(date_to, covers_until - datetime.timedelta(days=1))
        parts.append(
            days.filter(store_rule, created_on__gte=date_from, created_on__lte=aggregated_to)
            .order_by()
            .values("store_id", "assignee_id")
            .annotate(
                n_created=Sum("created"),
                n_done=Sum("done"),
                n_done_on_time=Sum("done_on_time"),
                n_overdue=Sum(F("done_late") + F("open_overdue")),
                n_reached=Sum("reached"),
            )
            .query.sql_with_params()
        )
        live_from = aggregated_to + datetime.timedelta(days=1)
    if live_from <= date_to:
        start, end = local_day_bounds(live_from)[0], local_day_bounds(date_to)[1]
        when = _conditions(now=now)
        parts.append(
            tasks.filter(store_rule, created_at__gte=start, created_at__lt=end)
            .exclude(status=TaskStatus.CANCELLED)
            .order_by()
            .values("store_id", "assignee_id")
            .annotate(
                n_created=Count("id"),
                n_done=Count("id", filter=when["done"]),
                n_done_on_time=Count("id", filter=when["done_on_time"]),
                n_overdue=Count("id", filter=when["done_late"] | when["open_overdue"]),
                n_reached=Count("id", filter=when["reached"]),
            )
            .query.sql_with_params()
        )
    # Both parts have the same columns; a store and agent in both are added up. Grouped by the ids first, then
    # named: the store and agent names join the few groups, not every task.
    figures = "n_created, n_done, n_done_on_time, n_overdue, n_reached"
    union_sql = " UNION ALL ".join(
        f"SELECT store_id, assignee_id, {figures} FROM ({sql}) AS part{index}"  # noqa: S608  (the ORM's queries)
        for index, (sql, _params) in enumerate(parts)
    )
    params = [param for _sql, part_params in parts for param in part_params]
    # Each group looks its names up by primary key (a join would hash every staff account); the few groups are
    # ordered here: by store, then agent, tasks nobody has taken last.
    stores_table, users_table = Store._meta.db_table, User._meta.db_table
    named_sql = f"""
        SELECT g.store_id,
               (SELECT s.code FROM {stores_table} s WHERE s.id = g.store_id),
               (SELECT s.name FROM {stores_table} s WHERE s.id = g.store_id),
               g.assignee_id,
               (SELECT u.username FROM {users_table} u WHERE u.id = g.assignee_id),
               g.n_created, g.n_done, g.n_done_on_time, g.n_overdue, g.n_reached
        FROM (
            SELECT store_id, assignee_id, SUM(n_created) AS n_created, SUM(n_done) AS n_done,
                   SUM(n_done_on_time) AS n_done_on_time, SUM(n_overdue) AS n_overdue, SUM(n_reached) AS n_reached
            FROM ({union_sql}) AS parts
            GROUP BY store_id, assignee_id
        ) AS g
    """  # noqa: S608  (the inner queries are the ORM's, with their own parameters; the tables are ours)
    with connections[tasks.db].cursor() as cursor:
        cursor.execute(named_sql, params)
        rows = cursor.fetchall()
    grouped = sorted(rows, key=lambda row: (row[1] is None, row[1] or "", row[4] is None, row[4] or ""))
    stores: dict[int | None, StoreRow] = {}
    total = Figures(targets=targets)
    for row_store_id, code, name, assignee_id, username, created, n_done, on_time, overdue, reached in grouped:
        agent = AgentRow(
            created=int(created),
            done=int(n_done),
            done_on_time=int(on_time),
            overdue=int(overdue),
            reached=int(reached),
            targets=targets,
            store_id=row_store_id,
            store_code=code,
            store_name=name,
            assignee_id=assignee_id,
            assignee=username,
        )
        store = stores.get(agent.store_id)
        if store is None:
            store = stores[agent.store_id] = StoreRow(
                targets=targets, store_id=agent.store_id, store_code=agent.store_code, store_name=agent.store_name
            )
        store.agents.append(agent)
        store.add(agent)
        total.add(agent)
    # Tasks without a store (head office's) come last.
    ordered = sorted(stores.values(), key=lambda s: (s.store_code is None, s.store_code or ""))
    return TaskExecutionReport(date_from=date_from, date_to=date_to, targets=targets, stores=ordered, total=total)


@dataclass(frozen=True)
class WorkbenchCounts:
    """The agent's queues on the admin home page; ``None`` for a queue this person does not work."""

    mine_today: int
    overdue: int
    unassigned_tasks: int
    unassigned_orders: int | None
    new_leads: int


def workbench_counts(*, user, now: datetime.datetime | None = None) -> WorkbenchCounts:
    """The counts behind the admin home page's queues, with the same conditions as the task list's *queue* filter:
    mine due by the end of today, overdue (every open task past due that the person sees), unassigned in their
    store; for head-office roles the applications waiting for a store; leads nobody has contacted yet. At most
    three queries."""
    now = now or timezone.now()
    end_of_today = local_day_bounds(timezone.localdate(now))[1]
    is_open = Q(status=TaskStatus.OPEN)
    tasks = tasks_visible_to(user=user).aggregate(
        mine_today=Count("id", filter=is_open & Q(assignee=user, due_at__lt=end_of_today)),
        overdue=Count("id", filter=is_open & Q(due_at__lt=now)),
        unassigned=Count("id", filter=is_open & Q(assignee__isnull=True)),
    )
    unassigned_orders = count_unassigned_orders(user=user) if sees_all_stores(user=user) else None
    return WorkbenchCounts(
        mine_today=tasks["mine_today"],
        overdue=tasks["overdue"],
        unassigned_tasks=tasks["unassigned"],
        unassigned_orders=unassigned_orders,
        new_leads=leads_visible_to(user=user).filter(status=LeadStatus.NEW).count(),
    )
