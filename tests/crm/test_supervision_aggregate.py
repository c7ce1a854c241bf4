"""The task-execution figures from the nightly per-day aggregate (``supervision_taskday``): the days before the refresh
as of the refresh, the days since live, the same answer as computing everything live; scoped like the tasks;
re-runs and concurrent runs leave one copy; pinned queries."""

import datetime

import pytest

from crm.reports import selectors as report_selectors
from crm.reports.models import AggregateRefresh
from crm.reports.services import refresh_report_aggregates, refresh_task_days
from crm.supervision import selectors
from crm.supervision.models import TaskDay
from staff_tasks.models import Task
from tests.crm.test_supervision import at, task
from tests.crm.test_supervision import tasks as tasks  # noqa: PLC0414  (the fixture: November's known tasks)
from tests.helpers import run_at_once

pytestmark = pytest.mark.django_db
NOV_1, NOV_30, DEC_1 = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30), datetime.date(2026, 12, 1)
NOON_DEC_1 = at(12, 1, 12)


def figures_of(report) -> list[tuple]:
    """Every row, store and the total, as plain tuples (names and figures, rates and scores)."""

    def of(row):
        return (row.created, row.done, row.done_on_time, row.overdue, row.reached, row.reach_rate,
                row.on_time_rate, row.score)  # fmt: skip

    return [
        *((row.store_code, row.assignee, *of(row)) for row in report.rows),
        *((store.store_code, *of(store)) for store in report.stores),
        of(report.total),
    ]


def report(user, *, date_from=NOV_1, date_to=NOV_30, covers_until=None, now=NOON_DEC_1, store_id=None):
    return selectors.task_execution_report(
        user=user, date_from=date_from, date_to=date_to, covers_until=covers_until, now=now, store_id=store_id
    )


def task_day_rows() -> list[tuple]:
    return sorted(
        TaskDay.objects.values_list(
            "created_on",
            "store_id",
            "assignee_id",
            "created",
            "done",
            "done_on_time",
            "done_late",
            "open_overdue",
            "reached",
        ),  # fmt: skip
        key=str,
    )


def test_the_refresh_stores_each_local_day_store_and_agent(tasks):
    assert refresh_task_days(today=DEC_1) == 8
    clerk, manager = tasks.store_staff.pk, tasks.store_manager.pk
    a, b = tasks.store.pk, tasks.other_store.pk
    # (day, store, agent): created, done, on time, late, open past due at the refresh, reached. Local days: the task
    # of 23:59 on October 31st is October's, the one of 23:30 on November 30th November's; the cancelled one is left
    # out; the one of December 1st is not covered (created on the refresh's day).
    assert task_day_rows() == sorted(
        [
            (datetime.date(2026, 10, 31), a, clerk, 1, 1, 1, 0, 0, 1),
            (datetime.date(2026, 11, 1), a, clerk, 1, 1, 1, 0, 0, 1),
            (datetime.date(2026, 11, 5), a, clerk, 1, 1, 0, 1, 0, 0),
            (datetime.date(2026, 11, 10), a, clerk, 1, 0, 0, 0, 1, 0),
            (datetime.date(2026, 11, 30), a, clerk, 1, 0, 0, 0, 0, 0),
            (datetime.date(2026, 11, 20), a, manager, 2, 2, 2, 0, 0, 1),
            (datetime.date(2026, 11, 2), b, tasks.other_store_staff.pk, 2, 2, 2, 0, 0, 2),
            (datetime.date(2026, 11, 25), b, None, 1, 0, 0, 0, 1, 0),
        ],
        key=str,
    )
    refresh = AggregateRefresh.objects.get(name="task-execution")
    assert refresh.covers_until == DEC_1


def test_aggregated_days_equal_the_live_figures_as_of_the_refresh_and_the_days_since_stay_live(tasks):
    refresh_task_days(today=DEC_1)
    as_of = AggregateRefresh.objects.get(name="task-execution").refreshed_at
    people = (tasks.head_office, tasks.store_manager, tasks.store_staff, tasks.other_store_staff)
    for user in people:
        live = figures_of(report(user, now=as_of))
        assert figures_of(report(user, covers_until=DEC_1)) == live, user.username
        # Partly covered: the period runs past the refresh, the days since are read live.
        both = figures_of(report(user, date_to=DEC_1, covers_until=DEC_1, now=NOON_DEC_1))
        assert both == figures_of(report(user, date_to=DEC_1, now=NOON_DEC_1)), user.username
    # A store chosen by head office narrows the aggregate too.
    assert figures_of(report(tasks.head_office, covers_until=DEC_1, store_id=tasks.store.pk)) == figures_of(
        report(tasks.head_office, store_id=tasks.store.pk)
    )

    # After the refresh: store.a's open task of November 10th (overdue) is done today, reached; and two tasks are
    # created today, one done on time and reached, one open and not due yet.
    Task.objects.filter(store=tasks.store, assignee=tasks.store_staff, created_at=at(11, 10, 9)).update(
        status="done", completed_at=at(12, 1, 9), outcome="reached"
    )
    task(store=tasks.store, assignee=tasks.store_staff, created=at(12, 1, 8), due=at(12, 1, 18), done=at(12, 1, 10),
         outcome="reached")  # fmt: skip
    task(store=tasks.store, assignee=tasks.store_staff, created=at(12, 1, 9), due=at(1, 1, 18, year=2030))

    got = report(tasks.head_office, date_to=DEC_1, covers_until=DEC_1)
    by_agent = {(row.store_code, row.assignee): figures_of_row(row) for row in got.rows}
    # store.a: November as of the refresh (4 created, 2 done, 1 on time, 2 overdue, 1 reached: the task done today
    # still counts as open past due), plus today's two (2 created, 1 done on time, reached).
    assert by_agent[("SZ01", "store.a")] == (6, 3, 2, 2, 2)
    assert by_agent[("SZ01", "manager.a")] == (2, 2, 2, 0, 1)
    # store.b: November's two, plus the task of December 1st 00:10 (live, open past its 10:00 due time at noon).
    assert by_agent[("GZ01", "store.b")] == (3, 2, 2, 1, 2)
    assert by_agent[("GZ01", None)] == (1, 0, 0, 1, 0)
    assert figures_of_row(got.total) == (12, 7, 6, 4, 5)
    assert got.total.score == selectors.score_for(
        on_time_rate=got.total.on_time_rate, reach_rate=got.total.reach_rate, targets=got.targets
    )
    # Live everywhere, the task of November 10th is now done late and reached.
    live = {
        (row.store_code, row.assignee): figures_of_row(row) for row in report(tasks.head_office, date_to=DEC_1).rows
    }
    assert live[("SZ01", "store.a")] == (6, 4, 2, 2, 3)
    # The next refresh catches up.
    refresh_task_days(today=DEC_1)
    again = report(tasks.head_office, date_to=DEC_1, covers_until=DEC_1)
    assert figures_of_row(next(row for row in again.rows if row.assignee == "store.a")) == (6, 4, 2, 2, 3)


def figures_of_row(row) -> tuple:
    return row.created, row.done, row.done_on_time, row.overdue, row.reached


def test_the_report_and_the_page_read_the_aggregate_once_refreshed(tasks, client):
    """The report and the page read how far the aggregate goes themselves; a change to a covered day after the
    refresh shows at the next refresh only."""
    Task.objects.create(kind="return_visit", title="回访", store=tasks.store, assignee=tasks.store_staff,
                        created_at=at(11, 3, 9), due_at=at(1, 1, 18, year=2030))  # fmt: skip
    refresh_report_aggregates(today=DEC_1)
    Task.objects.filter(created_at=at(11, 3, 9)).update(status="done", completed_at=at(11, 3, 10), outcome="reached")

    result = report_selectors.task_execution(user=tasks.store_staff, date_from=NOV_1, date_to=NOV_30)
    assert result.total["created"] == 5
    assert result.total["done"] == 2  # as of the refresh
    client.force_login(tasks.store_manager)
    page = client.get("/backoffice/reports/tasks/", {"from": "2026-11-01", "to": "2026-11-30"})
    assert page.context["report"].total.done == 4  # store A: manager.a's two, store.a's two, as of the refresh

    refresh_report_aggregates(today=DEC_1)
    result = report_selectors.task_execution(user=tasks.store_staff, date_from=NOV_1, date_to=NOV_30)
    assert result.total["done"] == 3


def test_a_store_manager_never_sees_another_stores_rows_and_staff_only_their_own(tasks):
    refresh_task_days(today=DEC_1)
    assert TaskDay.objects.filter(store=tasks.other_store).exists()

    assert set(selectors.supervised_task_days(user=tasks.store_manager).values_list("store_id", flat=True)) == {
        tasks.store.pk
    }
    manager = report(tasks.store_manager, covers_until=DEC_1)
    assert [(row.store_code, row.assignee) for row in manager.rows] == [("SZ01", "manager.a"), ("SZ01", "store.a")]
    assert [store.store_code for store in manager.stores] == ["SZ01"]
    assert figures_of_row(manager.total) == (6, 4, 3, 2, 2)
    # A store they do not see, asked for by id, gives nothing.
    assert report(tasks.store_manager, covers_until=DEC_1, store_id=tasks.other_store.pk).rows == []

    assert set(selectors.supervised_task_days(user=tasks.store_staff).values_list("assignee_id", flat=True)) == {
        tasks.store_staff.pk
    }
    clerk = report(tasks.store_staff, covers_until=DEC_1)
    assert [(row.store_code, row.assignee) for row in clerk.rows] == [("SZ01", "store.a")]
    assert figures_of_row(clerk.total) == (4, 2, 1, 2, 1)


def test_a_refresh_run_twice_gives_the_same_rows(tasks):
    written = refresh_task_days(today=DEC_1)
    first = task_day_rows()
    assert refresh_task_days(today=DEC_1) == written
    assert task_day_rows() == first


def test_the_report_is_two_queries_at_n_and_three_n_tasks(tasks, django_assert_num_queries):
    def add(count):
        for n in range(count):
            day = 1 + n % 30
            task(store=tasks.store, assignee=tasks.store_staff, created=at(11, day, 9), due=at(11, day, 18),
                 done=at(11, day, 17), outcome="reached")  # fmt: skip
            task(store=tasks.other_store, assignee=None, created=at(12, 1, 1), due=at(1, 1, 18, year=2030))

    def run():
        with django_assert_num_queries(2):  # how far the aggregate goes, then the figures (aggregate and live)
            return report_selectors.task_execution(user=tasks.head_office, date_from=NOV_1, date_to=DEC_1)

    add(10)
    refresh_task_days(today=DEC_1)
    assert run().total["created"] == 10 + 10 + 10
    add(20)
    refresh_task_days(today=DEC_1)
    assert run().total["created"] == 10 + 30 + 30


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_leave_one_copy(tasks):
    refresh_task_days(today=DEC_1)
    expected = task_day_rows()
    results, errors = run_at_once(lambda: refresh_task_days(today=DEC_1))
    assert errors == []
    assert results == [len(expected), len(expected)]
    assert task_day_rows() == expected
    assert AggregateRefresh.objects.filter(name="task-execution").count() == 1
