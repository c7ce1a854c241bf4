"""Reads of the task app, scoped to the person asking."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

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


def list_tasks(*, user, **filters) -> QuerySet[Task]:
    tasks = tasks_visible_to(user=user).select_related("member__user", "store", "assignee")
    return filter_task_queue(tasks=tasks, user=user, **filters).order_by("due_at", "id")


def get_task(*, user, task_id: int) -> Task | None:
    return list_tasks(user=user).filter(pk=task_id).first()
