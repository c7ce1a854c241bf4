"""A store clerk works the 3-day call in the back office on a phone: the rules open it three days after the
handover, the clerk finds it in the store's queue, reads the script, completes it and finds it under "done"."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.services import run_reminders
from staff_tasks.models import Task
from tests.e2e.helpers import path_is, staff_sign_in
from tests.members.factories import STAFF_PASSWORD

pytestmark = pytest.mark.e2e

PHONE_SCREEN = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def test_a_store_clerk_completes_todays_3_day_call(new_page, cast):
    cast.advance(cast.new_order(), "delivered")
    today = timezone.localdate()
    # The car was handed over three days ago: today's rules open its 3-day call.
    cast.member.vehicles.update(delivered_on=today - datetime.timedelta(days=3))
    assert run_reminders(day=today)["tasks.three_day_call"] == 1
    task = Task.objects.get(kind="three_day_call")

    page = new_page(**PHONE_SCREEN)
    staff_sign_in(page, cast.store_staff.username, STAFF_PASSWORD)
    page.locator("#tasks-link").click()
    expect(page).to_have_url(path_is("/backoffice/tasks/"))
    page.locator("[data-queue=unassigned]").click()
    row = page.locator(f"#task-list [data-task='{task.pk}']")
    expect(row).to_contain_text("交车 3 日回访")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_SCREEN["viewport"]["width"]

    row.locator(".task-row__title a").click()
    expect(page).to_have_url(path_is(f"/backoffice/tasks/{task.pk}/"))
    expect(page.locator("#task-script")).to_contain_text("粤B·16888")
    expect(page.locator("#task-phone")).to_have_text(str(cast.member.user.phone))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_SCREEN["viewport"]["width"]
    page.locator("#id_outcome").select_option(label="已联系上")
    page.locator("#id_note").fill("客户对车很满意，已提醒首保时间")
    page.locator("#task-complete button[type=submit]").click()

    expect(page).to_have_url(path_is("/backoffice/tasks/"))
    expect(page.locator(".alert--success")).to_contain_text("任务已完成")
    page.locator("[data-queue=done]").click()
    done_row = page.locator(f"#task-list [data-task='{task.pk}']")
    expect(done_row).to_contain_text("已联系上")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_SCREEN["viewport"]["width"]
    task.refresh_from_db()
    assert (task.status, task.outcome, task.note, task.completed_by) == (
        "done",
        "reached",
        "客户对车很满意，已提醒首保时间",
        cast.store_staff,
    )
