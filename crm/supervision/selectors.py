"""Supervision of task execution: how many tasks each store and each agent got, did, did on time and reached.

One GROUP BY over the tasks created in the period, with conditional aggregates (portable to SQLite and PostgreSQL).
Every figure is about the tasks *created* in the period (local dates, both included), so a period's figures only
change while its tasks are still being worked on:

- ``created``: tasks created in the period (cancelled tasks are left out everywhere);
- ``done``: of those, completed;
- ``done_on_time``: completed at or before their due time;
- ``overdue``: still open past their due time now, or completed after it;
- ``reach_rate``: completed with the outcome ``reached`` ÷ ``done`` (``None`` while nothing is done);
- ``on_time_rate``: ``done_on_time`` ÷ ``created``;
- ``score``: head office's target attainment, see ``score_for``.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from crm.leads.enums import LeadStatus
from crm.leads.selectors import leads_visible_to
from members.enums import StaffRole
from members.models import Store, User
from members.selectors import sees_all_stores
from orders.selectors import count_unassigned_orders
from staff_tasks.enums import TaskOutcome, TaskStatus
from staff_tasks.models import Task
from staff_tasks.selectors import local_day_bounds, tasks_visible_to

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


def supervised_tasks(*, user) -> QuerySet[Task]:
    """Whose figures ``user`` may read: head-office roles every store's (and the tasks without a store); a store
    manager their store's; store staff only their own tasks in their store; anyone else nothing."""
    if not (user.is_authenticated and user.is_staff):
        return Task.objects.none()
    if sees_all_stores(user=user):
        return Task.objects.all()
    if user.role == StaffRole.STORE_MANAGER and user.store_id:
        return Task.objects.filter(store_id=user.store_id)
    if user.role == StaffRole.STORE_STAFF and user.store_id:
        return Task.objects.filter(store_id=user.store_id, assignee=user)
    return Task.objects.none()


def task_execution_report(
    *,
    user,
    date_from: datetime.date,
    date_to: datetime.date,
    store_id: int | None = None,
    now: datetime.datetime | None = None,
) -> TaskExecutionReport:
    """The figures per store and agent (assignee; ``None`` for tasks nobody has taken) for tasks created between
    the local dates ``date_from`` and ``date_to``, both included. One query, live: head office's year reads the
    index on the tasks' creation time that holds every column the figures need (``task_created_figures``)."""
    now = now or timezone.now()
    start = local_day_bounds(date_from)[0]
    end = local_day_bounds(date_to)[1]
    tasks = (
        supervised_tasks(user=user)
        .filter(created_at__gte=start, created_at__lt=end)
        .exclude(status=TaskStatus.CANCELLED)
    )
    if store_id is not None:
        tasks = tasks.filter(store_id=store_id)
    targets = current_targets()
    if tasks.query.is_empty():  # staff whose figures are nobody's
        return TaskExecutionReport(
            date_from=date_from, date_to=date_to, targets=targets, stores=[], total=Figures(targets=targets)
        )
    done = Q(status=TaskStatus.DONE)
    # Grouped by the ids first, then named: the store and agent names join the few groups, not every task.
    grouped_sql, params = (
        tasks.order_by()
        .values("store_id", "assignee_id")
        .annotate(
            n_created=Count("id"),
            n_done=Count("id", filter=done),
            n_done_on_time=Count("id", filter=done & Q(completed_at__lte=F("due_at"))),
            n_overdue=Count(
                "id",
                filter=Q(status=TaskStatus.OPEN, due_at__lt=now) | (done & Q(completed_at__gt=F("due_at"))),
            ),
            n_reached=Count("id", filter=done & Q(outcome=TaskOutcome.REACHED)),
        )
        .query.sql_with_params()
    )
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
        FROM ({grouped_sql}) AS g
    """  # noqa: S608  (the inner query is the ORM's, with its own parameters; the tables are ours)
    with connections[tasks.db].cursor() as cursor:
        cursor.execute(named_sql, params)
        rows = cursor.fetchall()
    grouped = sorted(rows, key=lambda row: (row[1] is None, row[1] or "", row[4] is None, row[4] or ""))
    stores: dict[int | None, StoreRow] = {}
    total = Figures(targets=targets)
    for row_store_id, code, name, assignee_id, username, created, n_done, on_time, overdue, reached in grouped:
        agent = AgentRow(
            created=created,
            done=n_done,
            done_on_time=on_time,
            overdue=overdue,
            reached=reached,
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
