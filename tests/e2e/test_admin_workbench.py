"""The agent's day in the admin: sign in, see the queues on the home page, open a task from "mine today", follow the
member to the customer 360, come back and log the call's outcome on the task."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from staff_tasks import services
from staff_tasks.models import Task
from tests.e2e.helpers import path_is
from tests.helpers import later_today
from tests.members.factories import STAFF_PASSWORD

pytestmark = pytest.mark.e2e


def path_starts(path: str) -> re.Pattern:
    """A page URL with this path, whatever its query (the admin keeps the list's filters in ``_changelist_filters``)."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$")


def test_an_agent_works_a_task_from_the_admin_home(new_page, cast):
    task = services.open_task(
        kind="three_day_call", title="交车 3 天回访", store=cast.store, member=cast.member, subject_type="member",
        subject_id=cast.member.pk, due_at=later_today(), assignee=cast.call_center,
        script="您好，请问新车用得怎么样？",
    )  # fmt: skip
    services.open_task(
        kind="return_visit", title="7 天回访", store=cast.store, member=cast.member,
        due_at=timezone.now() - datetime.timedelta(hours=3),
    )  # fmt: skip
    page = new_page()
    page.goto("/admin/login/?next=/admin/")
    page.locator("#id_username").fill(cast.call_center.username)
    page.locator("#id_password").fill(STAFF_PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page).to_have_url(path_is("/admin/"))

    # The queues, with their counts, above the app list.
    expect(page.locator("#queue-mine_today .queue-count")).to_have_text("1")
    expect(page.locator("#queue-overdue .queue-count")).to_have_text("1")
    expect(page.locator("#queue-unassigned_tasks .queue-count")).to_have_text("1")
    expect(page.locator("#queue-unassigned_orders .queue-count")).to_have_text("0")

    page.locator("#queue-mine_today th a").click()
    expect(page).to_have_url(path_is("/admin/staff_tasks/task/?queue=mine_today"))
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.locator(f"#result_list a[href*='/admin/staff_tasks/task/{task.pk}/change/']").click()
    task_page = f"/admin/staff_tasks/task/{task.pk}/change/"
    expect(page).to_have_url(path_starts(task_page))

    page.locator("#task-member-360").click()
    expect(page).to_have_url(path_is(f"/admin/members/member/{cast.member.pk}/360/"))
    expect(page.locator("#c360-phone")).to_have_text(str(cast.member_user.phone))

    page.go_back()
    page.locator("select[name=outcome]").select_option("reached")
    page.locator("textarea[name=note]").fill("客户反馈新车很满意")
    page.locator("input[name=_save]").click()

    expect(page.locator(".messagelist .success")).to_have_count(1)
    task.refresh_from_db()
    assert task.status == "done"
    assert task.outcome == "reached"
    assert task.note == "客户反馈新车很满意"
    assert task.completed_by == cast.call_center
    assert Task.objects.filter(status="open", assignee=cast.call_center).count() == 0
