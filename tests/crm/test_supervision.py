"""Supervision of task execution: exact figures on a known fixture (two stores, three agents, period boundaries),
scoping by role, bad periods refused, pinned queries; the back-office page."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from rest_framework.test import APIClient

from crm.leads.models import Lead
from crm.supervision import selectors
from members.services import issue_access_token
from orders.enums import OrderState
from orders.models import Order
from staff_tasks.models import Task
from tests.helpers import later_today
from tests.members.factories import StaffFactory

URL = "/api/v1/backoffice/reports/task-execution/"
PAGE = "/backoffice/reports/tasks/"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}
TARGETS = {"on_time_rate": 0.9, "reach_rate": 0.7, "on_time_weight": 0.5, "reach_weight": 0.5}


def at(month, day, hour=0, minute=0, year=2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=user)}")
    return client


def task(*, store, assignee, created, due, done=None, outcome="", status=None):
    return Task.objects.create(
        kind="return_visit", title="回访", store=store, assignee=assignee, created_at=created, due_at=due,
        status=status or ("done" if done else "open"), completed_at=done, outcome=outcome,
        completed_by=assignee if done else None,
    )  # fmt: skip


@pytest.fixture
def tasks(cast, settings):
    """November 2026 (local). Store A (SZ01): store.a and manager.a; store B (GZ01): store.b and nobody."""
    settings.TASK_SUPERVISION_TARGETS = TARGETS
    a, b = cast.store, cast.other_store
    clerk, manager, other = cast.store_staff, cast.store_manager, cast.other_store_staff
    # store.a: the first minute of the period; done on time and reached.
    task(store=a, assignee=clerk, created=at(11, 1), due=at(11, 3, 18), done=at(11, 3, 10), outcome="reached")
    # Done a day late, not reached.
    task(store=a, assignee=clerk, created=at(11, 5, 9), due=at(11, 6, 18), done=at(11, 7, 9), outcome="no_answer")
    # Still open, past due: overdue.
    task(store=a, assignee=clerk, created=at(11, 10, 9), due=at(11, 12, 18))
    # The last minutes of the period, not due yet.
    task(store=a, assignee=clerk, created=at(11, 30, 23, 30), due=at(1, 1, 18, year=2030))
    # One minute before the period: left out.
    task(store=a, assignee=clerk, created=at(10, 31, 23, 59), due=at(11, 2, 18), done=at(11, 1, 9), outcome="reached")
    # Cancelled: left out.
    task(store=a, assignee=clerk, created=at(11, 15, 9), due=at(11, 16, 18), status="cancelled")
    # manager.a: done exactly at the due time (on time) and reached; done early but refused.
    task(store=a, assignee=manager, created=at(11, 20, 10), due=at(11, 21, 18), done=at(11, 21, 18), outcome="reached")
    task(store=a, assignee=manager, created=at(11, 20, 11), due=at(11, 21, 18), done=at(11, 21, 12), outcome="refused")
    # store.b: both done on time and reached.
    task(store=b, assignee=other, created=at(11, 2, 8), due=at(11, 2, 18), done=at(11, 2, 12), outcome="reached")
    task(store=b, assignee=other, created=at(11, 2, 8), due=at(11, 2, 18), done=at(11, 2, 13), outcome="reached")
    # Ten minutes after the period (local midnight is 16:00 UTC the day before): left out.
    task(store=b, assignee=other, created=at(12, 1, 0, 10), due=at(12, 1, 10))
    # Nobody took it at store B; overdue.
    task(store=b, assignee=None, created=at(11, 25, 9), due=at(11, 26, 18))
    return cast


def figures(*values):
    created, done, on_time, overdue, reached, reach_rate, on_time_rate, score = values
    return {
        "created": created, "done": done, "done_on_time": on_time, "overdue": overdue, "reached": reached,
        "reach_rate": reach_rate, "on_time_rate": on_time_rate, "score": score,
    }  # fmt: skip


# score = round(100 × (0.5 × min(on_time_rate / 0.9, 1) + 0.5 × min(reach_rate / 0.7, 1)))
CLERK_A = {"store": "SZ01", "assignee": "store.a", **figures(4, 2, 1, 2, 1, "0.5000", "0.2500", 50)}
MANAGER_A = {"store": "SZ01", "assignee": "manager.a", **figures(2, 2, 2, 0, 1, "0.5000", "1.0000", 86)}
NOBODY_B = {"store": "GZ01", "assignee": None, **figures(1, 0, 0, 1, 0, None, "0.0000", 0)}
CLERK_B = {"store": "GZ01", "assignee": "store.b", **figures(2, 2, 2, 0, 2, "1.0000", "1.0000", 100)}
STORE_A = figures(6, 4, 3, 2, 2, "0.5000", "0.5000", 63)
STORE_B = figures(3, 2, 2, 1, 2, "1.0000", "0.6667", 87)


@pytest.mark.django_db
def test_head_office_sees_every_store_and_agent_with_exact_figures(tasks):
    response = client_for(tasks.head_office).get(URL, NOVEMBER)

    assert response.status_code == 200
    body = response.json()
    assert body["date_from"] == "2026-11-01"
    assert body["date_to"] == "2026-11-30"
    assert body["targets"] == {"on_time_rate": "0.9000", "reach_rate": "0.7000"}
    # Ordered by store code, then username (nobody last).
    assert body["rows"] == [CLERK_B, NOBODY_B, MANAGER_A, CLERK_A]
    assert body["stores"] == [
        {"store": "GZ01", "store_name": tasks.other_store.name, **STORE_B},
        {"store": "SZ01", "store_name": tasks.store.name, **STORE_A},
    ]
    assert body["total"] == figures(9, 6, 5, 3, 4, "0.6667", "0.5556", 78)


@pytest.mark.django_db
def test_a_store_manager_sees_only_their_store_rows_and_totals(tasks):
    body = client_for(tasks.store_manager).get(URL, NOVEMBER).json()

    assert body["rows"] == [MANAGER_A, CLERK_A]
    assert [store["store"] for store in body["stores"]] == ["SZ01"]
    assert body["total"] == STORE_A


@pytest.mark.django_db
def test_store_staff_see_only_their_own_row(tasks):
    body = client_for(tasks.store_staff).get(URL, NOVEMBER).json()
    assert body["rows"] == [CLERK_A]
    assert body["total"] == figures(4, 2, 1, 2, 1, "0.5000", "0.2500", 50)

    body = client_for(tasks.other_store_staff).get(URL, NOVEMBER).json()
    assert body["rows"] == [CLERK_B]


@pytest.mark.django_db
def test_accounts_without_a_store_role_see_nothing_and_members_are_refused(tasks, member_client):
    roleless = StaffFactory(username="nobody", role="")
    body = client_for(roleless).get(URL, NOVEMBER).json()
    assert body["rows"] == []
    assert body["stores"] == []
    assert body["total"] == figures(0, 0, 0, 0, 0, None, None, None)

    response = member_client.get(URL, NOVEMBER)
    assert response.status_code == 403
    assert APIClient().get(URL, NOVEMBER).status_code == 401


@pytest.mark.django_db
def test_a_period_boundary_moves_tasks_in_and_out(tasks):
    # December 1st alone holds only the task created ten minutes after November.
    body = client_for(tasks.head_office).get(URL, {"from": "2026-12-01", "to": "2026-12-01"}).json()
    assert body["rows"] == [{"store": "GZ01", "assignee": "store.b", **figures(1, 0, 0, 1, 0, None, "0.0000", 0)}]
    # October 31st alone holds the task created a minute before November.
    body = client_for(tasks.head_office).get(URL, {"from": "2026-10-31", "to": "2026-10-31"}).json()
    assert body["rows"] == [{"store": "SZ01", "assignee": "store.a", **figures(1, 1, 1, 0, 1, "1.0000", "1.0000", 100)}]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01", "to": "2026-11-30"}, "from"),
        ({"from": "2026-11-01", "to": "yesterday"}, "to"),
        ({"from": "2026-11-30", "to": "2026-11-01"}, "from"),
        ({"from": "2025-01-01", "to": "2026-11-30"}, "to"),
    ],
)
def test_a_bad_period_is_400_naming_the_parameter(tasks, params, field):
    response = client_for(tasks.head_office).get(URL, params, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [field]


@pytest.mark.django_db
def test_the_report_is_one_query_whatever_the_number_of_tasks(tasks, django_assert_num_queries):
    with django_assert_num_queries(1):
        report = selectors.task_execution_report(
            user=tasks.head_office, date_from=datetime.date(2026, 11, 1), date_to=datetime.date(2026, 11, 30)
        )
    assert [(row.store_code, row.assignee) for row in report.rows] == [
        ("GZ01", "store.b"), ("GZ01", None), ("SZ01", "manager.a"), ("SZ01", "store.a"),
    ]  # fmt: skip


def test_the_score_caps_each_attainment_and_weighs_them():
    targets = selectors.Targets(
        on_time_rate=Decimal("0.8"), reach_rate=Decimal("0.5"), on_time_weight=Decimal(3), reach_weight=Decimal(1)
    )
    assert selectors.score_for(on_time_rate=Decimal("1"), reach_rate=Decimal("1"), targets=targets) == 100
    assert selectors.score_for(on_time_rate=Decimal("0.4"), reach_rate=Decimal("1"), targets=targets) == 63
    assert selectors.score_for(on_time_rate=Decimal("0.8"), reach_rate=None, targets=targets) == 75
    assert selectors.score_for(on_time_rate=None, reach_rate=None, targets=targets) is None


@pytest.mark.django_db
def test_head_office_page_lists_stores_and_drills_down_to_agents(tasks, client):
    client.force_login(tasks.head_office)
    page = client.get(PAGE, NOVEMBER)
    assert page.status_code == 200
    html = page.content.decode()
    assert f"?store={tasks.store.pk}&amp;from=2026-11-01&amp;to=2026-11-30" in html
    assert "store.a" not in html

    drilled = client.get(PAGE, {**NOVEMBER, "store": tasks.store.pk}).content.decode()
    assert "store.a" in drilled
    assert "manager.a" in drilled
    assert "store.b" not in drilled


@pytest.mark.django_db
def test_a_manager_page_shows_their_store_only_and_no_other(tasks, client):
    client.force_login(tasks.store_manager)
    html = client.get(PAGE, NOVEMBER).content.decode()
    assert "store.a" in html
    assert "manager.a" in html
    assert "store.b" not in html
    assert tasks.other_store.name not in html
    assert client.get(PAGE, {**NOVEMBER, "store": tasks.other_store.pk}).status_code == 404


@pytest.mark.django_db
def test_the_page_refuses_a_bad_period_with_a_message(tasks, client):
    client.force_login(tasks.head_office)
    page = client.get(PAGE, {"from": "2026-11-30", "to": "2026-11-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    assert "The start of the period is after its end." in page.content.decode()


@pytest.mark.django_db
def test_the_page_needs_a_staff_sign_in(client, member):
    client.force_login(member.user)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/backoffice/sign-in/")


def open_task(*, store, assignee=None, due):
    now = timezone.now()
    return Task.objects.create(
        kind="return_visit", title="回访", store=store, assignee=assignee, created_at=now, due_at=now + due
    )


@pytest.fixture
def queues(cast):
    """For store.a at store A: one due later today (mine today), one overdue (mine), one unassigned and overdue;
    one of store B's, overdue and unassigned; one done; one due in five days; a new lead at store B and one nobody
    has yet; an application waiting for a store."""
    hour = datetime.timedelta(hours=1)
    open_task(store=cast.store, assignee=cast.store_staff, due=later_today(hours=1) - timezone.now())
    open_task(store=cast.store, assignee=cast.store_staff, due=-hour)
    open_task(store=cast.store, due=-hour)
    open_task(store=cast.other_store, due=-hour)
    open_task(store=cast.store, assignee=cast.store_staff, due=datetime.timedelta(days=5))
    done = open_task(store=cast.store, assignee=cast.store_staff, due=-hour)
    Task.objects.filter(pk=done.pk).update(status="done", outcome="reached", completed_at=timezone.now())
    for phone, store, status in [
        ("+8613900000001", cast.other_store, "new"),
        ("+8613900000002", None, "new"),
        ("+8613900000003", cast.store, "contacting"),
    ]:
        Lead.objects.create(
            name="王先生",
            phone=phone,
            channel="call_center",
            store=store,
            status=status,
            last_enquiry_at=timezone.now(),
        )
    order = cast.advance(cast.new_order(), OrderState.SUBMITTED)
    Order.objects.filter(pk=order.pk).update(store=None)
    return cast


@pytest.mark.django_db
def test_workbench_counts_for_a_store_clerk_and_head_office(queues, django_assert_num_queries):
    with django_assert_num_queries(2):
        clerk = selectors.workbench_counts(user=queues.store_staff)
    assert clerk == selectors.WorkbenchCounts(
        mine_today=2, overdue=2, unassigned_tasks=1, unassigned_orders=None, new_leads=0
    )
    with django_assert_num_queries(3):
        head_office = selectors.workbench_counts(user=queues.head_office)
    assert head_office == selectors.WorkbenchCounts(
        mine_today=0, overdue=3, unassigned_tasks=2, unassigned_orders=1, new_leads=2
    )


@pytest.mark.django_db
def test_the_admin_home_shows_the_queues_with_links(queues, client):
    client.force_login(queues.call_center)
    html = client.get("/admin/").content.decode()

    assert 'id="workbench-queues"' in html
    assert '<tr id="queue-overdue"><th scope="row"><a href="/admin/staff_tasks/task/?queue=overdue">' in html
    assert 'href="/admin/orders/unassignedorder/" class="queue-count">1</a>' in html
    assert 'href="/admin/leads/lead/?status__exact=new" class="queue-count">2</a>' in html
    assert 'href="/admin/staff_tasks/task/?queue=overdue" class="queue-count">3</a>' in html
    # The app list is still there.
    assert 'id="content-main"' in html

    client.force_login(queues.store_staff)
    html = client.get("/admin/").content.decode()
    assert 'href="/admin/staff_tasks/task/?queue=mine_today" class="queue-count">2</a>' in html
    assert "queue-unassigned_orders" not in html


@pytest.mark.django_db
def test_the_back_office_links_the_report(cast, client):
    client.force_login(cast.store_manager)
    html = client.get("/backoffice/").content.decode()
    assert f'href="{PAGE}" id="task-execution-link"' in html


@pytest.mark.parametrize("rate", [0, 1.5])
def test_an_impossible_target_is_refused(settings, rate):
    settings.TASK_SUPERVISION_TARGETS = {**TARGETS, "reach_rate": rate}
    with pytest.raises(ImproperlyConfigured):
        selectors.current_targets()
