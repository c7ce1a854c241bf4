"""Every write of the task app: open (idempotent on a dedupe key), complete with an outcome, assign."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from members.enums import STORE_BOUND_ROLES, StaffRole
from members.selectors import sees_all_stores
from staff_tasks.enums import TaskOutcome, TaskStatus
from staff_tasks.exceptions import (
    AssignNotAllowed,
    InvalidAssignee,
    InvalidNextContact,
    InvalidOutcome,
    TaskClosed,
    TaskNotFound,
)
from staff_tasks.lock_objects import task_qs_select_for_update
from staff_tasks.models import Task
from staff_tasks.selectors import tasks_visible_to


@transaction.atomic
def open_task(
    *,
    kind: str,
    title: str,
    due_at: datetime.datetime,
    store=None,
    member=None,
    subject_type: str = "",
    subject_id: int | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    assignee=None,
    script: str = "",
    created_by=None,
    rule=None,
    dedupe_key: str | None = None,
) -> Task:
    """Open a task. With a ``dedupe_key`` the same call twice (or two at once) gives one task: the first."""
    fields = {
        "kind": kind, "title": title[:200], "due_at": due_at, "store": store, "member": member,
        "subject_type": subject_type, "subject_id": subject_id, "contact_name": contact_name[:50],
        "contact_phone": contact_phone[:30], "assignee": assignee, "script": script, "created_by": created_by,
        "rule": rule,
    }  # fmt: skip
    if dedupe_key is None:
        return Task.objects.create(**fields)
    try:
        with transaction.atomic():
            return Task.objects.create(dedupe_key=dedupe_key, **fields)
    except IntegrityError:
        existing = Task.objects.filter(dedupe_key=dedupe_key).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def complete_task(
    *,
    task_id: int,
    actor,
    outcome: str,
    note: str = "",
    next_contact_at: datetime.datetime | None = None,
    answers: dict | list | None = None,
) -> Task:
    """Close an open task with what came of it. A person not reached (or who asked for a call back) can be tried
    again: ``next_contact_at`` opens the next try, same subject and assignee, due then. A closed task is 409."""
    if outcome not in TaskOutcome.values:
        raise InvalidOutcome
    if next_contact_at is not None and next_contact_at <= timezone.now():
        raise InvalidNextContact
    task = task_qs_select_for_update().filter(pk__in=tasks_visible_to(user=actor).values("pk"), pk=task_id).first()
    if task is None:
        raise TaskNotFound
    if task.status != TaskStatus.OPEN:
        raise TaskClosed
    task.status = TaskStatus.DONE
    task.outcome = outcome
    task.note = note[:4000]
    task.answers = answers
    task.next_contact_at = next_contact_at
    task.completed_by = actor
    task.completed_at = timezone.now()
    task.save(
        update_fields=["status", "outcome", "note", "answers", "next_contact_at", "completed_by", "completed_at",
                       "updated_at"]
    )  # fmt: skip
    if next_contact_at is not None:
        open_task(
            kind=task.kind, title=task.title, due_at=next_contact_at, store=task.store, member=task.member,
            subject_type=task.subject_type, subject_id=task.subject_id, contact_name=task.contact_name,
            contact_phone=task.contact_phone, assignee=task.assignee, script=task.script, created_by=actor,
            rule=task.rule, dedupe_key=f"task:{task.pk}:next",
        )  # fmt: skip
    return task


def can_assign_tasks(*, user) -> bool:
    """Store managers (their store) and head office; not store staff, not call-center agents."""
    if not (user.is_authenticated and user.is_staff):
        return False
    return user.is_superuser or user.role in (StaffRole.STORE_MANAGER, StaffRole.HEAD_OFFICE, StaffRole.ADMIN)


def _may_work_on(*, assignee, task: Task) -> bool:
    if not (assignee.is_active and assignee.is_staff and assignee.role):
        return False
    if sees_all_stores(user=assignee):
        return True
    return assignee.role in STORE_BOUND_ROLES and task.store_id is not None and assignee.store_id == task.store_id


@transaction.atomic
def assign_task(*, task_id: int, actor, assignee) -> Task:
    """Give a task to someone (``assignee=None`` puts it back in the store's unassigned queue). The assignee must be
    staff of the task's store (or head office, who work for every store)."""
    task = task_qs_select_for_update().filter(pk__in=tasks_visible_to(user=actor).values("pk"), pk=task_id).first()
    if task is None:
        raise TaskNotFound
    if not can_assign_tasks(user=actor):
        raise AssignNotAllowed
    if task.status != TaskStatus.OPEN:
        raise TaskClosed
    if assignee is not None and not _may_work_on(assignee=assignee, task=task):
        raise InvalidAssignee
    task.assignee = assignee
    task.save(update_fields=["assignee", "updated_at"])
    return task
