"""GET /api/v1/backoffice/tasks/, POST …/<id>/complete/, POST …/<id>/assign/: scoped, paginated, pinned queries."""

import datetime
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from members.services import issue_access_token
from staff_tasks import services
from staff_tasks.models import Task

URL = "/api/v1/backoffice/tasks/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=user)}")
    return client


def open_for(cast, *, store=None, due_in=datetime.timedelta(hours=2), **fields):
    return services.open_task(
        kind=fields.pop("kind", "return_visit"), title=fields.pop("title", "7 天回访"), store=store or cast.store,
        member=cast.member, subject_type="vehicle", subject_id=1, due_at=timezone.now() + due_in, script="您好",
        **fields,
    )  # fmt: skip


@pytest.mark.django_db
def test_list_answers_the_contract_shape(cast):
    task = open_for(cast, assignee=cast.store_staff)
    body = client_for(cast.store_staff).get(URL).json()
    assert body["count"] == 1
    [row] = body["results"]
    assert row == {
        "id": task.pk, "kind": "return_visit", "kind_label": "回访", "title": "7 天回访",
        "member": {"id": cast.member.pk, "name": cast.member.name, "phone": str(cast.member_user.phone)},
        "contact_name": "", "contact_phone": "", "store": cast.store.pk, "assignee": "store.a",
        "due_at": row["due_at"], "status": "open", "script": "您好", "subject": {"type": "vehicle", "id": 1},
        "outcome": "", "note": "", "next_contact_at": None, "completed_at": None,
    }  # fmt: skip
    assert datetime.datetime.fromisoformat(row["due_at"]) == task.due_at


@pytest.mark.django_db
def test_queues_today_overdue_mine_unassigned_kind_member(cast):
    mine_today = open_for(cast, assignee=cast.store_staff)
    overdue = open_for(cast, due_in=-datetime.timedelta(days=1), kind="three_day_call")
    later = open_for(cast, due_in=datetime.timedelta(days=5))
    done = open_for(cast, due_in=-datetime.timedelta(days=2))
    services.complete_task(task_id=done.pk, actor=cast.store_staff, outcome="reached")
    client = client_for(cast.store_staff)

    def ids(**params):
        return [row["id"] for row in client.get(URL, params).json()["results"]]

    # "today" is local: a task due later today but after midnight UTC is still today's.
    end_of_today = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(23, 59)))
    Task.objects.filter(pk=mine_today.pk).update(due_at=min(end_of_today, mine_today.due_at))
    assert ids(due="today") == [overdue.pk, mine_today.pk]
    assert ids(due="overdue") == [overdue.pk]
    assert ids(assignee="me") == [mine_today.pk]
    assert ids(assignee="none", status="open") == [overdue.pk, later.pk]
    assert ids(status="done") == [done.pk]
    assert ids(kind="three_day_call") == [overdue.pk]
    assert ids(member=cast.member.pk) == [done.pk, overdue.pk, mine_today.pk, later.pk]
    assert ids(member=cast.member.pk + 1000) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [({"due": "tomorrow"}, "due"), ({"status": "closed"}, "status"), ({"kind": "x"}, "kind"),
     ({"assignee": "bob"}, "assignee"), ({"member": "abc"}, "member")],
)  # fmt: skip
def test_bad_filters_are_400_with_the_field(cast, params, field):
    response = client_for(cast.store_staff).get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_the_tasks(cast, django_assert_num_queries):
    client = client_for(cast.store_staff)
    open_for(cast, assignee=cast.store_staff)
    # The token, the count, one page with member, account, store and assignee joined in.
    with django_assert_num_queries(3):
        assert len(client.get(URL).json()["results"]) == 1
    for _i in range(2):
        open_for(cast, assignee=cast.store_manager)
    with django_assert_num_queries(3):
        assert len(client.get(URL).json()["results"]) == 3


@pytest.mark.django_db
def test_pages_pick_their_tasks_before_joining_members(cast):
    tasks = [open_for(cast, due_in=datetime.timedelta(hours=hours)) for hours in (5, -3, 1, -1, 2)]
    open_for(cast, store=cast.other_store, due_in=-datetime.timedelta(hours=4))  # another store's: never shown
    client = client_for(cast.store_staff)
    by_due = [task.pk for task in sorted(tasks, key=lambda task: task.due_at)]

    with CaptureQueriesContext(connection) as captured:
        pages = [client.get(URL, {"page_size": 2, "page": page}).json() for page in (1, 2, 3)]

    assert [row["id"] for page in pages for row in page["results"]] == by_due
    assert {page["count"] for page in pages} == {5}
    assert pages[0]["results"][0]["member"]["name"] == cast.member.name
    # The page's ids are picked (ordered, limited) from the task table alone; only those rows meet the joins.
    page_statement = next(
        query["sql"] for query in captured.captured_queries if query["sql"].startswith('SELECT "staff_tasks_task"')
    )
    picked = page_statement[page_statement.index("IN (SELECT") :]
    assert "LIMIT 2" in picked
    assert "JOIN" not in picked


@pytest.mark.django_db
def test_store_b_cannot_see_complete_or_assign_store_a_tasks(cast):
    task = open_for(cast)
    manager_b = cast.other_store_staff
    manager_b.role = "store_manager"
    manager_b.save()
    client = client_for(manager_b)
    assert client.get(URL).json()["count"] == 0
    response = client.post(f"{URL}{task.pk}/complete/", {"outcome": "reached"}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    response = client.post(f"{URL}{task.pk}/assign/", {"assignee": manager_b.username}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    task.refresh_from_db()
    assert (task.status, task.assignee, task.outcome) == ("open", None, "")


@pytest.mark.django_db
def test_complete_then_again_is_409_and_changes_nothing(cast):
    task = open_for(cast)
    client = client_for(cast.store_staff)
    response = client.post(f"{URL}{task.pk}/complete/", {"outcome": "reached", "note": "满意",
                                                         "answers": {"satisfied": True}}, format="json")  # fmt: skip
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["outcome"], response.json()["note"]) == (
        "done",
        "reached",
        "满意",
    )
    before = Task.objects.values().get(pk=task.pk)
    again = client.post(f"{URL}{task.pk}/complete/", {"outcome": "refused"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "task_closed")
    assert Task.objects.values().get(pk=task.pk) == before
    assert Task.objects.count() == 1


@pytest.mark.django_db
def test_complete_with_a_bad_outcome_or_a_past_next_try_is_400(cast):
    task = open_for(cast)
    client = client_for(cast.store_staff)
    bad = client.post(f"{URL}{task.pk}/complete/", {"outcome": "maybe"}, format="json")
    assert (bad.status_code, list(bad.json()["fields"])) == (400, ["outcome"])
    past = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    late = client.post(f"{URL}{task.pk}/complete/", {"outcome": "no_answer", "next_contact_at": past}, format="json")
    assert (late.status_code, late.json()["code"]) == (400, "invalid_next_contact")
    assert Task.objects.get(pk=task.pk).status == "open"
    assert Task.objects.count() == 1


@pytest.mark.django_db
def test_no_answer_schedules_the_next_try(cast):
    task = open_for(cast, assignee=cast.store_staff)
    later = timezone.now() + datetime.timedelta(days=1)
    response = client_for(cast.store_staff).post(
        f"{URL}{task.pk}/complete/", {"outcome": "no_answer", "next_contact_at": later.isoformat()}, format="json"
    )
    assert response.status_code == 200
    retry = Task.objects.exclude(pk=task.pk).get()
    assert (retry.status, retry.due_at, retry.assignee, retry.title) == ("open", later, cast.store_staff, "7 天回访")


@pytest.mark.django_db(transaction=True)
def test_two_staff_completing_at_once_get_one_200_and_one_409(cast):
    task = open_for(cast)
    clients = [client_for(cast.store_staff), client_for(cast.store_manager)]
    barrier = threading.Barrier(2)
    statuses = []

    def complete(client):
        try:
            barrier.wait()
            statuses.append(client.post(f"{URL}{task.pk}/complete/", {"outcome": "reached"}, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=complete, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    assert Task.objects.get(pk=task.pk).status == "done"


@pytest.mark.django_db
def test_assign_by_a_clerk_is_403_and_changes_nothing(cast):
    task = open_for(cast)
    response = client_for(cast.store_staff).post(f"{URL}{task.pk}/assign/", {"assignee": "store.a"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert Task.objects.get(pk=task.pk).assignee is None


@pytest.mark.django_db
def test_manager_and_head_office_assign_within_the_task_s_store(cast):
    task = open_for(cast)
    manager = client_for(cast.store_manager)
    response = manager.post(f"{URL}{task.pk}/assign/", {"assignee": "store.a"}, format="json")
    assert (response.status_code, response.json()["assignee"]) == (200, "store.a")
    for username, code in (("store.b", "invalid_assignee"), ("nobody", "invalid_assignee")):
        refused = manager.post(f"{URL}{task.pk}/assign/", {"assignee": username}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (400, code)
    assert Task.objects.get(pk=task.pk).assignee == cast.store_staff
    head_office = client_for(cast.head_office)
    response = head_office.post(f"{URL}{task.pk}/assign/", {"assignee": "agent"}, format="json")
    assert (response.status_code, response.json()["assignee"]) == (200, "agent")
    response = head_office.post(f"{URL}{task.pk}/assign/", {"assignee": None}, format="json")
    assert (response.status_code, response.json()["assignee"]) == (200, None)


@pytest.mark.django_db
def test_members_and_anonymous_callers_get_nothing(cast, member_client):
    assert member_client.get(URL).status_code == 403
    assert APIClient().get(URL).status_code == 401
