"""The task service: open (idempotent), complete (once), assign (managers and head office, the task's store)."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from members.models import Member
from staff_tasks import selectors, services
from staff_tasks.exceptions import AssignNotAllowed, InvalidAssignee, InvalidOutcome, TaskClosed, TaskNotFound
from staff_tasks.models import Task
from tests.members.factories import StaffFactory


def _task(cast, store=None, **fields):
    return services.open_task(
        kind="return_visit", title="7 天回访", store=store or cast.store, member=cast.member,
        subject_type="member", subject_id=cast.member.pk, due_at=timezone.now() + datetime.timedelta(hours=2),
        **fields,
    )  # fmt: skip


def test_open_task_is_idempotent_on_its_dedupe_key(cast):
    first = _task(cast, dedupe_key="rule:x:1")
    second = _task(cast, dedupe_key="rule:x:1")
    assert second.pk == first.pk
    assert Task.objects.count() == 1
    _task(cast)
    _task(cast)
    assert Task.objects.count() == 3  # no key: each call opens its own task


def test_complete_records_the_outcome_and_a_second_time_is_409(cast):
    task = _task(cast)
    done = services.complete_task(task_id=task.pk, actor=cast.store_staff, outcome="reached", note="客户很满意")
    assert (done.status, done.outcome, done.note) == ("done", "reached", "客户很满意")
    assert done.completed_by == cast.store_staff
    before = Task.objects.values().get(pk=task.pk)
    with pytest.raises(TaskClosed) as error:
        services.complete_task(task_id=task.pk, actor=cast.store_staff, outcome="refused", note="again")
    assert error.value.code == "task_closed"
    assert error.value.status_code == 409
    assert Task.objects.values().get(pk=task.pk) == before


def test_an_unreached_outcome_schedules_the_next_try(cast):
    task = _task(cast, assignee=cast.store_staff)
    later = timezone.now() + datetime.timedelta(days=1)
    services.complete_task(task_id=task.pk, actor=cast.store_staff, outcome="no_answer", next_contact_at=later)
    retry = Task.objects.exclude(pk=task.pk).get()
    assert (retry.status, retry.due_at, retry.assignee, retry.member, retry.kind) == (
        "open",
        later,
        cast.store_staff,
        cast.member,
        "return_visit",
    )


def test_unknown_outcome_is_refused_and_changes_nothing(cast):
    task = _task(cast)
    with pytest.raises(InvalidOutcome):
        services.complete_task(task_id=task.pk, actor=cast.store_staff, outcome="maybe")
    assert Task.objects.get(pk=task.pk).status == "open"


def test_store_b_can_neither_see_nor_complete_nor_assign_store_a_tasks(cast):
    task = _task(cast)
    assert not selectors.tasks_visible_to(user=cast.other_store_staff).exists()
    assert list(selectors.tasks_visible_to(user=cast.store_staff)) == [task]
    manager_b = StaffFactory(role="store_manager", store=cast.other_store)
    with pytest.raises(TaskNotFound):
        services.complete_task(task_id=task.pk, actor=cast.other_store_staff, outcome="reached")
    with pytest.raises(TaskNotFound):
        services.assign_task(task_id=task.pk, actor=manager_b, assignee=manager_b)
    task.refresh_from_db()
    assert (task.status, task.assignee) == ("open", None)


def test_assign_needs_a_manager_or_head_office_and_an_assignee_of_the_store(cast):
    task = _task(cast)
    with pytest.raises(AssignNotAllowed):
        services.assign_task(task_id=task.pk, actor=cast.store_staff, assignee=cast.store_staff)
    with pytest.raises(InvalidAssignee):
        services.assign_task(task_id=task.pk, actor=cast.store_manager, assignee=cast.other_store_staff)
    assert Task.objects.get(pk=task.pk).assignee is None
    assert services.assign_task(task_id=task.pk, actor=cast.store_manager, assignee=cast.store_staff).assignee == (
        cast.store_staff
    )
    assert services.assign_task(task_id=task.pk, actor=cast.head_office, assignee=None).assignee is None


@pytest.mark.django_db(transaction=True)
def test_two_staff_completing_one_task_at_once_close_it_once(cast):
    task = _task(cast)
    barrier = threading.Barrier(2)
    results = []

    def complete(actor):
        barrier.wait()
        try:
            services.complete_task(task_id=task.pk, actor=actor, outcome="reached", note=actor.username)
            results.append("done")
        except TaskClosed:
            results.append("closed")
        finally:
            connection.close()

    threads = [threading.Thread(target=complete, args=(actor,)) for actor in (cast.store_staff, cast.store_manager)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["closed", "done"]
    task.refresh_from_db()
    assert task.status == "done"
    assert task.note == task.completed_by.username
    assert Member.objects.count() == 1
