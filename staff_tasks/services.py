"""Every write of the task app: open (idempotent on a dedupe key), complete with an outcome, assign."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from members.enums import STORE_BOUND_ROLES, StaffRole
from members.selectors import list_active_stores, sees_all_stores
from notifications.catalog import render
from notifications.selectors import has_switched_off_calls
from staff_tasks.enums import TaskOutcome, TaskStatus
from staff_tasks.exceptions import (
    AssignNotAllowed,
    InvalidAssignee,
    InvalidNextContact,
    InvalidOutcome,
    SendToStoresNotAllowed,
    TaskClosed,
    TaskNotFound,
)
from staff_tasks.lock_objects import task_qs_select_for_update
from staff_tasks.models import Task
from staff_tasks.rules import respects_call_opt_out
from staff_tasks.selectors import active_rule, tasks_visible_to


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
    # Apps above this one act on a completion in its transaction (e.g. the return visit's questionnaire answers:
    # answers they refuse refuse the completion). Dotted paths per task kind, resolved here, so nothing is imported up.
    for path in settings.TASK_COMPLETION_HOOKS.get(task.kind, ()):
        import_string(path)(task=task, answers=answers, actor=actor)
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


@transaction.atomic
def assign_tasks(*, task_ids: list[int], actor, assignee) -> list[Task]:
    """Give several tasks to one person at once: all of them or, if one cannot be given (not found, closed, outside
    the assignee's store), none."""
    if not can_assign_tasks(user=actor):
        raise AssignNotAllowed
    return [assign_task(task_id=task_id, actor=actor, assignee=assignee) for task_id in sorted(set(task_ids))]


@transaction.atomic
def open_rule_task(
    *,
    rule_code: str,
    context: dict,
    due_at: datetime.datetime,
    store=None,
    member=None,
    subject_type: str = "",
    subject_id: int | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    assignee=None,
    dedupe_key: str | None = None,
) -> Task | None:
    """Open the task of one rule for one subject, titled and scripted from the rule's text and ``context``. Nothing
    when the rule is switched off or the member asked not to be phoned (collection calls excepted). Idempotent: the
    key defaults to rule + subject + local due date."""
    rule = active_rule(code=rule_code)
    if rule is None:
        return None
    if member is not None and respects_call_opt_out(rule=rule) and has_switched_off_calls(user_id=member.user_id):
        return None
    if dedupe_key is None:
        dedupe_key = f"rule:{rule.code}:{subject_type}:{subject_id}:{timezone.localdate(due_at).isoformat()}"
    return open_task(
        kind=rule.kind, title=render(rule.title, context), script=render(rule.script, context), due_at=due_at,
        store=store, member=member, subject_type=subject_type, subject_id=subject_id, contact_name=contact_name,
        contact_phone=contact_phone, assignee=assignee, rule=rule, dedupe_key=dedupe_key,
    )  # fmt: skip


def can_send_to_stores(*, user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_staff
        and (user.is_superuser or user.role in (StaffRole.HEAD_OFFICE, StaffRole.ADMIN))
    )


@transaction.atomic
def send_task_to_stores(
    *, actor, kind: str, title: str, due_at: datetime.datetime, batch_key: str, script: str = "", store_ids=None
) -> int:
    """Head office's instruction to the stores ("invite members tagged X to the owners' event", "tag your members"):
    one unassigned task per active store (or per store in ``store_ids``), for its manager to hand out. The same
    ``batch_key`` again (a form sent twice) opens nothing more. Returns how many tasks were opened."""
    if not can_send_to_stores(user=actor):
        raise SendToStoresNotAllowed
    stores = list_active_stores()
    if store_ids:
        stores = stores.filter(pk__in=store_ids)
    tasks = [
        Task(
            kind=kind, title=title[:200], script=script, store=store, due_at=due_at, created_by=actor,
            dedupe_key=f"stores:{batch_key}:{store.pk}",
        )
        for store in stores
    ]  # fmt: skip
    existing = set(Task.objects.filter(dedupe_key__in=[task.dedupe_key for task in tasks]).values_list("dedupe_key"))
    created = Task.objects.bulk_create(
        [task for task in tasks if (task.dedupe_key,) not in existing], ignore_conflicts=True
    )
    return len(created)
