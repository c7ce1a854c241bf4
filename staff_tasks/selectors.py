"""Reads of the task app, scoped to the person asking."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from common.paging import RowsJoinedAfterPage
from members.enums import STORE_BOUND_ROLES
from members.selectors import store_ids_visible_to
from staff_tasks.enums import TaskStatus
from staff_tasks.models import Task, TaskRule


def tasks_visible_to(*, user) -> QuerySet[Task]:
    """Head-office roles see every task; store roles their store's tasks and those assigned to them; members and
    accounts without a role none. A task without a store (an unassigned lead, a model change with no store yet) is
    head office's until someone gives it a store."""
    if not (user.is_authenticated and user.is_staff):
        return Task.objects.none()
    store_ids = store_ids_visible_to(user=user)
    if store_ids is None:
        return Task.objects.all()
    if not store_ids:
        return Task.objects.filter(assignee=user)
    return Task.objects.filter(Q(store_id__in=store_ids) | Q(assignee=user))


def task_rules_visible_to(*, user) -> QuerySet[TaskRule]:
    """Rules belong to no store; every staff account may read them, permissions decide who edits them."""
    return TaskRule.objects.all() if user.is_authenticated and user.is_staff else TaskRule.objects.none()


def local_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def sql_local_date(column: str, *, vendor: str) -> str:
    """A timestamp column as its local (business time zone) date, in this database's dialect (raw SQL)."""
    if vendor == "postgresql":
        return f"CAST({column} AT TIME ZONE '{settings.TIME_ZONE}' AS date)"
    # SQLite keeps UTC text; the business time zone has no daylight saving (Asia/Shanghai).
    hours = int(timezone.localtime(timezone.now()).utcoffset().total_seconds() // 3600)
    return f"date({column}, '{hours:+d} hours')"


def filter_task_queue(
    *,
    tasks: QuerySet[Task],
    user,
    status: str = "",
    due: str = "",
    kind: str = "",
    assignee: str = "",
    member_id: int | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Task]:
    """The queues: ``due="today"`` (open, due before the end of today, overdue included), ``due="overdue"``
    (open and past due), ``assignee="me"`` or ``"none"`` (unassigned), plus status, kind and member filters."""
    now = now or timezone.now()
    if status:
        tasks = tasks.filter(status=status)
    if due == "today":
        _start, end = local_day_bounds(timezone.localdate(now))
        tasks = tasks.filter(status=TaskStatus.OPEN, due_at__lt=end)
    elif due == "overdue":
        tasks = tasks.filter(status=TaskStatus.OPEN, due_at__lt=now)
    if kind:
        tasks = tasks.filter(kind=kind)
    if assignee == "me":
        tasks = tasks.filter(assignee=user)
    elif assignee == "none":
        tasks = tasks.filter(assignee__isnull=True)
    if member_id is not None:
        tasks = tasks.filter(member_id=member_id)
    return tasks


# What a queue row shows of the member, their account and the assignee: loading whole rows would decrypt every
# member's ID number and read columns no queue shows.
QUEUE_ROW_RELATED_FIELDS = ("member__name", "member__user__phone", "assignee__username")


def _with_queue_row_relations(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.select_related("member__user", "assignee").only(
        *(field.name for field in Task._meta.concrete_fields), *QUEUE_ROW_RELATED_FIELDS
    )


def list_tasks(*, user, **filters) -> RowsJoinedAfterPage:
    """The API's task list, to paginate: a page's tasks are picked from the task table alone, then read with their
    member, account and assignee (a queue's every row is not joined to show twenty)."""
    tasks = filter_task_queue(tasks=tasks_visible_to(user=user), user=user, **filters).order_by("due_at", "id")
    return RowsJoinedAfterPage(tasks, rows=_with_queue_row_relations)


def get_task(*, user, task_id: int) -> Task | None:
    return _with_queue_row_relations(tasks_visible_to(user=user)).filter(pk=task_id).first()


def active_rules_by_trigger(*, triggers: list[str]) -> dict[str, list[TaskRule]]:
    """The rules in use counted from each of ``triggers`` (a list per trigger, maybe empty), in one query."""
    rules = {trigger: [] for trigger in triggers}
    for rule in TaskRule.objects.filter(trigger__in=triggers, is_active=True).order_by("offset_days", "code"):
        rules[rule.trigger].append(rule)
    return rules


def active_rule(*, code: str) -> TaskRule | None:
    return TaskRule.objects.filter(code=code, is_active=True).first()


def staff_account_by_username(*, username: str):
    """An active staff account by its username (whether it may take a given task is the service's to decide)."""
    return get_user_model().objects.filter(username=username, is_staff=True, is_active=True).first()


# The back office's task queues. Open queues put what needs action first (earliest due); "done" the latest first.
TASK_QUEUES = ("mine_today", "overdue", "unassigned", "done")
RECENTLY_DONE_DAYS = 30


def _queue_conditions(*, user, now: datetime.datetime) -> dict[str, Q]:
    _start, end_of_today = local_day_bounds(timezone.localdate(now))
    is_open = Q(status=TaskStatus.OPEN)
    return {
        "mine_today": is_open & Q(assignee=user, due_at__lt=end_of_today),
        "overdue": is_open & Q(due_at__lt=now),
        "unassigned": is_open & Q(assignee__isnull=True),
        "done": Q(status=TaskStatus.DONE, completed_at__gte=now - datetime.timedelta(days=RECENTLY_DONE_DAYS)),
    }


def _with_page_relations(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.select_related("member__user", "store", "assignee")


def task_queue(*, user, queue: str, now: datetime.datetime | None = None) -> RowsJoinedAfterPage:
    """One queue of the tasks ``user`` may see (``queue`` is one of ``TASK_QUEUES``), to paginate: a page's tasks
    are picked from the task table alone, then read with their member, store and assignee."""
    condition = _queue_conditions(user=user, now=now or timezone.now())[queue]
    tasks = tasks_visible_to(user=user).filter(condition)
    ordering = ("-completed_at", "-id") if queue == "done" else ("due_at", "id")
    return RowsJoinedAfterPage(tasks.order_by(*ordering), rows=_with_page_relations)


def count_task_queues(*, user, now: datetime.datetime | None = None) -> dict[str, int]:
    """How many tasks each queue holds, in one query."""
    conditions = _queue_conditions(user=user, now=now or timezone.now())
    return tasks_visible_to(user=user).aggregate(
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()}
    )


def count_my_open_tasks_due_today(*, user) -> int:
    """The number on the navigation's task link: my open tasks due by the end of today (overdue included)."""
    _start, end_of_today = local_day_bounds(timezone.localdate())
    if not (user.is_authenticated and user.is_staff):
        return 0
    return Task.objects.filter(assignee=user, status=TaskStatus.OPEN, due_at__lt=end_of_today).count()


def staff_who_may_take_tasks(*, user):
    """The accounts ``user`` may hand tasks to: a store manager their store's staff; head office the staff of every
    store and head office. Whether one fits a given task's store is still the service's to check."""
    accounts = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(role="")
    store_ids = store_ids_visible_to(user=user)
    if store_ids is not None:
        accounts = accounts.filter(role__in=STORE_BOUND_ROLES, store_id__in=store_ids)
    return accounts.select_related("store").order_by("store__code", "username")
