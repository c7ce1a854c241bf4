"""The back office's task pages: the queues as tabs, one task, completing, assigning and bulk-assigning — each person
only on the tasks they may see."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from staff_tasks import services
from staff_tasks.models import Task
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db
LIST = "/backoffice/tasks/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


CAST_MEMBER = object()


def open_for(cast, *, due_in, store=None, member=CAST_MEMBER, **fields):
    return services.open_task(
        kind=fields.pop("kind", "return_visit"), title=fields.pop("title", "回访"), store=store or cast.store,
        member=cast.member if member is CAST_MEMBER else member, due_at=timezone.now() + due_in, **fields,
    )  # fmt: skip


def listed(client, queue=None) -> list[int]:
    response = client.get(LIST, {"queue": queue} if queue else {})
    assert response.status_code == 200
    return [task.pk for task in response.context["page"]]


def minutes_left_today() -> int:
    now_local = timezone.localtime()
    return (23 - now_local.hour) * 60 + (59 - now_local.minute)


def snapshot():
    return list(Task.objects.order_by("pk").values())


def test_each_tab_lists_exactly_its_tasks_in_the_order_they_need_action(cast):
    later_today = open_for(
        cast, due_in=datetime.timedelta(minutes=max(minutes_left_today() - 1, 0)), assignee=cast.store_staff
    )
    mine_overdue = open_for(cast, due_in=-datetime.timedelta(hours=2), assignee=cast.store_staff)
    unassigned_overdue = open_for(cast, due_in=-datetime.timedelta(hours=1))
    unassigned_tomorrow = open_for(cast, due_in=datetime.timedelta(days=1, hours=1))
    colleague_overdue = open_for(cast, due_in=-datetime.timedelta(hours=3), assignee=cast.store_manager)
    done_earlier = open_for(cast, due_in=datetime.timedelta(hours=1), assignee=cast.store_staff)
    done_later = open_for(cast, due_in=datetime.timedelta(hours=1))
    other_store = open_for(cast, due_in=-datetime.timedelta(hours=5), store=cast.other_store)
    open_for(cast, due_in=-datetime.timedelta(hours=5), store=cast.other_store, assignee=cast.other_store_staff)
    services.complete_task(task_id=done_earlier.pk, actor=cast.store_staff, outcome="reached")
    services.complete_task(task_id=done_later.pk, actor=cast.store_manager, outcome="no_answer")
    services.complete_task(task_id=other_store.pk, actor=cast.head_office, outcome="reached")

    client = login(cast.store_staff)
    assert listed(client) == [mine_overdue.pk, later_today.pk]
    assert listed(client, "mine_today") == [mine_overdue.pk, later_today.pk]
    assert listed(client, "overdue") == [colleague_overdue.pk, mine_overdue.pk, unassigned_overdue.pk]
    assert listed(client, "unassigned") == [unassigned_overdue.pk, unassigned_tomorrow.pk]
    assert listed(client, "done") == [done_later.pk, done_earlier.pk]
    assert client.get(LIST).context["tabs"] == [
        ("mine_today", "我今天的任务", 2),
        ("overdue", "已逾期", 3),
        ("unassigned", "未分配", 2),
        ("done", "已完成", 2),
    ]
    # An unknown queue shows the default one; head office sees every store.
    assert listed(client, "everything") == [mine_overdue.pk, later_today.pk]
    assert other_store.pk in listed(login(cast.head_office), "done")


def test_rows_show_due_time_kind_member_link_lead_contact_and_the_nav_count(cast):
    overdue = open_for(
        cast, due_in=-datetime.timedelta(hours=1), assignee=cast.store_staff, kind="three_day_call", title="3DC 回访"
    )
    lead = open_for(
        cast, due_in=-datetime.timedelta(hours=1), member=None, kind="lead_follow_up", title="线索跟进",
        contact_name="李先生", contact_phone="+8613700001111", assignee=cast.store_staff,
    )  # fmt: skip
    html = login(cast.store_staff).get(LIST).content.decode()
    row = html.split(f'data-task="{overdue.pk}"')[1].split("</li>")[0]
    assert "is-overdue" in row
    assert "交车 3 日回访" in row
    assert f'href="/backoffice/members/{cast.member.pk}/"' in row
    assert "李先生" in html.split(f'data-task="{lead.pk}"')[1].split("</li>")[0]
    assert '<span class="badge badge--count" id="tasks-due-badge">2</span>' in html


def test_the_phone_to_call_full_for_a_member_masked_for_a_store_role_on_a_lead(cast):
    member_task = open_for(cast, due_in=datetime.timedelta(hours=1))
    lead_task = open_for(
        cast, due_in=datetime.timedelta(hours=1), member=None, kind="lead_follow_up", contact_phone="+8613700001111"
    )
    clerk = login(cast.store_staff)
    assert clerk.get(f"{LIST}{member_task.pk}/").context["phone"] == str(cast.member.user.phone)
    assert clerk.get(f"{LIST}{lead_task.pk}/").context["phone"] == "137****1111"
    assert login(cast.head_office).get(f"{LIST}{lead_task.pk}/").context["phone"] == "+8613700001111"
    row = clerk.get(LIST, {"queue": "unassigned"}).content.decode().split(f'data-task="{lead_task.pk}"')[1]
    assert "137****1111" in row.split("</li>")[0]
    assert "+8613700001111" not in row


def test_a_clerk_of_another_store_gets_404_and_changes_nothing(cast):
    task = open_for(cast, due_in=datetime.timedelta(hours=1))
    before = snapshot()
    client = login(cast.other_store_staff)
    assert task.pk not in listed(client, "unassigned")
    assert client.get(f"{LIST}{task.pk}/").status_code == 404
    assert client.post(f"{LIST}{task.pk}/complete/", {"outcome": "reached"}).status_code == 404
    manager_b = cast.other_store_staff
    manager_b.role = "store_manager"
    manager_b.save()
    assert login(manager_b).post(f"{LIST}{task.pk}/assign/", {"assignee": manager_b.pk}).status_code == 404
    assert snapshot() == before


def test_complete_with_an_outcome_then_a_second_time_shows_already_closed(cast):
    task = open_for(cast, due_in=datetime.timedelta(hours=1), script="您好，请问车辆使用还满意吗？")
    client = login(cast.store_staff)
    page = client.get(f"{LIST}{task.pk}/").content.decode()
    assert "您好，请问车辆使用还满意吗？" in page
    assert '<option value="reached">已联系上</option>' in page
    response = client.post(f"{LIST}{task.pk}/complete/", {"outcome": "reached", "note": "客户很满意"}, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert [str(message) for message in response.context["messages"]] == ["任务已完成：回访"]
    task.refresh_from_db()
    done = ("done", "reached", "客户很满意", cast.store_staff)
    assert (task.status, task.outcome, task.note, task.completed_by) == done
    before = snapshot()
    response = client.post(f"{LIST}{task.pk}/complete/", {"outcome": "refused", "note": "再次"}, follow=True)
    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]] == ["该任务已关闭。"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"outcome": ""}, "outcome", "该字段是必填项。"),
        ({"outcome": "teleported"}, "outcome", "选择一个有效的选项。 teleported 不在可用的选项中。"),
        ({"outcome": "reached", "next_contact_at": "明天"}, "next_contact_at", "输入一个有效的日期/时间。"),
        (
            {"outcome": "no_answer", "next_contact_at": "2020-01-01T10:00"},
            "next_contact_at",
            "下次联系时间必须晚于现在。",
        ),
    ],
)
def test_bad_input_is_a_form_error_and_changes_nothing(cast, data, field, message):
    task = open_for(cast, due_in=datetime.timedelta(hours=1))
    before = snapshot()
    response = login(cast.store_staff).post(f"{LIST}{task.pk}/complete/", data)
    assert response.status_code == 400
    assert response.context["complete_form"].errors[field] == [message]
    assert snapshot() == before


def test_errors_read_in_english_too_and_junk_addresses_are_404(cast):
    task = open_for(cast, due_in=datetime.timedelta(hours=1))
    client = login(cast.store_staff)
    response = client.post(
        f"{LIST}{task.pk}/complete/",
        {"outcome": "no_answer", "next_contact_at": "2020-01-01T10:00"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    errors = response.context["complete_form"].errors
    assert errors["next_contact_at"] == ["The next contact time must be in the future."]
    assert client.get(f"{LIST}99999999999999999999999/").status_code == 404
    assert client.post(f"{LIST}99999999999999999999999/complete/", {"outcome": "reached"}).status_code == 404
    assert client.get(LIST, {"queue": "done", "page": "abc"}).status_code == 200
    assert Task.objects.get(pk=task.pk).status == "open"


def test_a_nul_byte_in_the_notes_is_refused_and_changes_nothing(cast):
    task = open_for(cast, due_in=datetime.timedelta(hours=1))
    before = snapshot()
    response = login(cast.store_staff).post(f"{LIST}{task.pk}/complete/", {"outcome": "reached", "note": "a\x00b"})
    assert response.status_code == 400
    assert snapshot() == before


def test_next_contact_time_opens_the_next_try(cast):
    task = open_for(cast, due_in=datetime.timedelta(hours=1), assignee=cast.store_staff)
    later = timezone.localtime() + datetime.timedelta(days=1)
    response = login(cast.store_staff).post(
        f"{LIST}{task.pk}/complete/", {"outcome": "no_answer", "next_contact_at": later.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    next_try = Task.objects.get(dedupe_key=f"task:{task.pk}:next")
    due = timezone.localtime(next_try.due_at)
    expected = ("open", cast.store_staff, later.replace(second=0, microsecond=0))
    assert (next_try.status, next_try.assignee, due) == expected


def test_a_clerk_has_no_assign_form_and_their_posts_are_refused(cast):
    task = open_for(cast, due_in=datetime.timedelta(hours=1))
    client = login(cast.store_staff)
    assert 'id="task-assign"' not in client.get(f"{LIST}{task.pk}/").content.decode()
    assert 'id="bulk-assign"' not in client.get(LIST, {"queue": "unassigned"}).content.decode()
    before = snapshot()
    assert client.post(f"{LIST}{task.pk}/assign/", {"assignee": cast.store_staff.pk}).status_code == 403
    assert client.post(f"{LIST}assign/", {"tasks": [task.pk], "assignee": cast.store_staff.pk}).status_code == 403
    assert snapshot() == before


def test_a_manager_assigns_one_task_to_their_store_staff_only(cast):
    task = open_for(cast, due_in=datetime.timedelta(hours=1))
    client = login(cast.store_manager)
    page = client.get(f"{LIST}{task.pk}/")
    assert {user.username for user in page.context["assign_form"].fields["assignee"].queryset} == {
        "store.a",
        "manager.a",
    }
    assert client.post(f"{LIST}{task.pk}/assign/", {"assignee": cast.store_staff.pk}).status_code == 302
    assert Task.objects.get(pk=task.pk).assignee == cast.store_staff
    before = snapshot()
    response = client.post(f"{LIST}{task.pk}/assign/", {"assignee": cast.other_store_staff.pk})
    assert response.status_code == 400
    assert response.context["assign_form"].errors["assignee"] == ["选择一个有效的选项： 该选择不在可用的选项中。"]
    assert snapshot() == before


def test_a_manager_bulk_assigns_the_ticked_tasks_all_or_nothing(cast):
    first = open_for(cast, due_in=datetime.timedelta(hours=1))
    second = open_for(cast, due_in=datetime.timedelta(hours=2))
    untouched = open_for(cast, due_in=datetime.timedelta(hours=3))
    other_store = open_for(cast, due_in=datetime.timedelta(hours=1), store=cast.other_store)
    client = login(cast.store_manager)
    assert 'id="bulk-assign"' in client.get(LIST, {"queue": "unassigned"}).content.decode()
    response = client.post(
        f"{LIST}assign/",
        {"queue": "unassigned", "tasks": [first.pk, second.pk], "assignee": cast.store_staff.pk},
        follow=True,
    )
    assert response.redirect_chain == [("/backoffice/tasks/?queue=unassigned", 302)]
    assert [str(message) for message in response.context["messages"]] == ["已将 2 条任务分配给 store.a。"]
    assignees = dict(Task.objects.values_list("pk", "assignee_id"))
    assert assignees == {first.pk: cast.store_staff.pk, second.pk: cast.store_staff.pk, untouched.pk: None,
                         other_store.pk: None}  # fmt: skip
    # One task out of reach: none of them moves.
    before = snapshot()
    response = client.post(
        f"{LIST}assign/", {"tasks": [untouched.pk, other_store.pk], "assignee": cast.store_manager.pk}, follow=True
    )
    assert [str(message) for message in response.context["messages"]] == ["该任务不存在。"]
    assert snapshot() == before
    for data, message in (
        ({"assignee": cast.store_staff.pk}, "请至少勾选一个任务。"),
        ({"tasks": ["x"], "assignee": cast.store_staff.pk}, "未知的任务。"),
    ):
        response = client.post(f"{LIST}assign/", data, follow=True)
        assert [str(message) for message in response.context["messages"]] == [message]
        assert snapshot() == before


@pytest.mark.parametrize("rows", [4, 12])
def test_the_list_takes_the_same_queries_for_n_and_3n_tasks(cast, django_assert_num_queries, rows):
    for number in range(rows):
        member = MemberFactory(preferred_store=cast.store)
        open_for(cast, due_in=-datetime.timedelta(minutes=number + 1), member=member, assignee=cast.store_manager)
        open_for(
            cast, due_in=datetime.timedelta(hours=1), member=None, contact_name="线索", contact_phone="+8613700000000"
        )
    client = login(cast.store_manager)
    # Session, user, the navigation (is the user a member, my tasks due today), the heading's store, the tab counts,
    # the page count, the rows, the assignee choices, the store's open rescues: the same for 4 rows and for 12.
    with django_assert_num_queries(10):
        response = client.get(LIST, {"queue": "overdue"})
    assert len(response.context["page"]) == rows
