"""The task admin as the agent's queue: queue filters, completing on the task's page, bulk assign for managers."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from staff_tasks import services
from staff_tasks.models import Task

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/staff_tasks/task/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def open_for(cast, *, due_in, store=None, **fields):
    return services.open_task(
        kind="return_visit", title=fields.pop("title", "回访"), store=store or cast.store, member=cast.member,
        due_at=timezone.now() + due_in, **fields,
    )  # fmt: skip


def listed(client, **params) -> list[int]:
    return sorted(row.pk for row in client.get(CHANGELIST, params).context["cl"].result_list)


def test_queue_filters_mine_today_overdue_unassigned(cast):
    now_local = timezone.localtime()
    minutes_left = (23 - now_local.hour) * 60 + (59 - now_local.minute)
    mine_today = open_for(cast, due_in=datetime.timedelta(minutes=max(minutes_left - 1, 0)), assignee=cast.store_staff)
    overdue = open_for(cast, due_in=-datetime.timedelta(hours=3))
    tomorrow = open_for(cast, due_in=datetime.timedelta(days=1, hours=1), assignee=cast.store_staff)
    other_store = open_for(cast, due_in=-datetime.timedelta(hours=3), store=cast.other_store)
    client = login(cast.store_staff)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert "我今天的任务" in page.content.decode()
    assert listed(client) == sorted([mine_today.pk, overdue.pk, tomorrow.pk])
    assert listed(client, queue="mine_today") == [mine_today.pk]
    assert listed(client, queue="overdue") == [overdue.pk]
    assert listed(client, queue="unassigned") == [overdue.pk]
    assert other_store.pk not in listed(login(cast.store_manager))
    assert other_store.pk in listed(login(cast.head_office))


def test_complete_on_the_task_page_then_a_second_time_is_refused(cast):
    task = open_for(cast, due_in=datetime.timedelta(hours=1))
    client = login(cast.call_center)
    url = f"{CHANGELIST}{task.pk}/change/"
    assert "回访" in client.get(url).content.decode()
    response = client.post(url, {"outcome": "reached", "note": "客户很满意"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.outcome, task.note, task.completed_by) == (
        "done",
        "reached",
        "客户很满意",
        cast.call_center,
    )
    before = Task.objects.values().get(pk=task.pk)
    # A closed task's page is read-only: posting to it changes nothing.
    assert client.post(url, {"outcome": "refused", "note": "改"}).status_code == 403
    assert Task.objects.values().get(pk=task.pk) == before


def test_a_clerk_of_another_store_cannot_open_or_complete_the_task(cast):
    task = open_for(cast, due_in=datetime.timedelta(hours=1))
    client = login(cast.other_store_staff)
    url = f"{CHANGELIST}{task.pk}/change/"
    assert client.get(url).status_code in (302, 404)
    client.post(url, {"outcome": "reached", "note": "x"})
    assert Task.objects.get(pk=task.pk).status == "open"


def test_bulk_assign_is_for_managers_within_their_store(cast):
    tasks = [open_for(cast, due_in=datetime.timedelta(hours=1)) for _i in range(2)]
    selected = [task.pk for task in tasks]
    clerk = login(cast.store_staff)
    assert clerk.get(CHANGELIST).context["action_form"] is None  # no action offered to a clerk
    clerk.post(CHANGELIST, {"action": "assign_selected", "_selected_action": selected, "apply": "1",
                            "assignee": cast.store_staff.pk})  # fmt: skip
    assert not Task.objects.filter(assignee__isnull=False).exists()
    manager = login(cast.store_manager)
    form_page = manager.post(CHANGELIST, {"action": "assign_selected", "_selected_action": selected})
    assert form_page.status_code == 200
    assert "分配所选任务" in form_page.content.decode()
    manager.post(CHANGELIST, {"action": "assign_selected", "_selected_action": selected, "apply": "1",
                              "assignee": cast.store_staff.pk})  # fmt: skip
    assert sorted(Task.objects.values_list("assignee__username", flat=True)) == ["store.a", "store.a"]


def test_head_office_sends_one_task_to_every_store_once(cast):
    url = f"{CHANGELIST}send-to-stores/"
    hq = login(cast.head_office)
    assert "send-to-stores/" in hq.get(CHANGELIST).content.decode()
    form = hq.get(url).context["form"]
    due = timezone.localtime() + datetime.timedelta(days=2)
    data = {"kind": "invitation", "title": "邀约标签为“新车主”的会员参加车主活动", "script": "您好，本周六……",
            "due_at_0": due.strftime("%Y-%m-%d"), "due_at_1": due.strftime("%H:%M:%S"),
            "batch_key": form.initial["batch_key"]}  # fmt: skip
    assert hq.post(url, data).status_code == 302
    assert hq.post(url, data).status_code == 302  # sent twice: nothing more
    sent = Task.objects.order_by("store_id")
    assert [(task.store, task.kind, task.assignee, task.created_by) for task in sent] == [
        (cast.store, "invitation", None, cast.head_office),
        (cast.other_store, "invitation", None, cast.head_office),
    ]
    assert listed(login(cast.store_staff), queue="unassigned") == [sent[0].pk]


def test_store_roles_cannot_send_to_the_stores(cast):
    manager = login(cast.store_manager)
    assert "send-to-stores/" not in manager.get(CHANGELIST).content.decode()
    assert manager.get(f"{CHANGELIST}send-to-stores/").status_code == 403
    data = {"kind": "tagging", "title": "x", "batch_key": "k", "due_at_0": "2026-12-24", "due_at_1": "10:00:00"}
    assert manager.post(f"{CHANGELIST}send-to-stores/", data).status_code == 403
    assert not Task.objects.exists()
