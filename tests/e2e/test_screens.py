"""The member center and the back office as people see them: the dashboard at each stage of a member's road, the
timeline with the steps ahead, the tab bar on a phone, and the reviewer's page."""

import datetime

import pytest
from playwright.sync_api import expect

from members.models import Qualification
from orders.models import CreditCheck
from tests.e2e.helpers import path_is, sign_in, tr
from tests.members.factories import STAFF_PASSWORD

pytestmark = pytest.mark.e2e

PHONE_SCREEN = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def _national(member) -> str:
    return str(member.user.phone).removeprefix("+86")


def _fits_the_screen(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_SCREEN["viewport"]["width"], f"{page.url} is {width}px wide"


def test_dashboard_before_applying_shows_the_checklist(new_page, cast, sms_outbox):
    member = cast.applicant(verified=False)
    page = new_page()
    sign_in(page, sms_outbox, _national(member))
    page.goto("/me/")
    expect(page.locator("#checklist")).to_be_visible()
    expect(page.locator("#panel-application a.button--primary")).to_have_attribute("href", "/cars/")
    expect(page.locator("#panel-cars")).to_have_count(0)


def test_dashboard_while_applying_shows_the_next_step_not_the_checklist(new_page, cast, sms_outbox):
    order = cast.advance(cast.new_order(), "collecting_materials")
    page = new_page()
    sign_in(page, sms_outbox, _national(cast.member))
    page.goto("/me/")
    expect(page.locator("#checklist")).to_have_count(0)
    expect(page.locator("#verification-required")).to_have_count(0)
    expect(page.locator("#dashboard-next-step")).to_be_visible()
    expect(page.locator("#panel-application a.button--primary")).to_have_attribute("href", f"/me/orders/{order.pk}/")


def test_dashboard_of_an_owner_shows_the_car_the_next_bill_and_the_next_service(new_page, cast, sms_outbox):
    cast.advance(cast.new_order(), "delivered")
    car = cast.member.vehicles.get()
    car.next_service_on = datetime.date(2027, 3, 1)
    car.save(update_fields=["next_service_on"])
    page = new_page()
    sign_in(page, sms_outbox, _national(cast.member))
    page.goto("/me/")
    expect(page.locator("#panel-cars")).to_contain_text("粤B")
    expect(page.locator(f"#next-service-{car.pk}")).to_have_text("2027-03-01")
    expect(page.locator("#next-bill")).to_contain_text("¥")
    for gone in ("#checklist", "#panel-application", "#verification-required"):
        expect(page.locator(gone)).to_have_count(0)


def test_timeline_shows_the_steps_ahead_and_what_to_do_next(new_page, cast, sms_outbox):
    order = cast.advance(cast.new_order(), "submitted")
    page = new_page()
    sign_in(page, sms_outbox, _national(cast.member))
    page.goto(f"/me/orders/{order.pk}/")
    timeline = page.locator("#timeline")
    expect(timeline.locator('[data-status="current"]')).to_have_attribute("data-state", "submitted")
    expect(page.locator("#timeline-next-step")).to_be_visible()
    ahead = timeline.locator('[data-status="ahead"]')
    expect(ahead).to_have_count(10)
    expect(ahead.last).to_have_attribute("data-state", "delivered")
    # The missing documents each have their own upload, which picks that kind in the form.
    missing = page.locator('#missing-documents li[data-kind="driving_licence"] a')
    missing.click()
    expect(page.locator("#id_kind")).to_have_value("driving_licence")
    # Members are never offered the store's own documents.
    expect(page.locator('#id_kind option[value="contract"]')).to_have_count(0)
    expect(page.locator("#id_kind option").first).to_have_attribute("value", "")

    # Once cancelled: no steps ahead, nothing "still needed".
    page.locator('summary[data-step="cancel"]').click()
    page.locator("#reason-cancel").fill("不买了")
    page.locator('form[action$="/steps/cancel/"] button[type=submit]').click()
    expect(page.locator("#order-state")).to_have_attribute("data-state", "terminated")
    expect(page.locator('#timeline [data-status="ahead"]')).to_have_count(0)
    expect(page.locator("#missing-documents")).to_have_count(0)
    expect(page.locator("#upload-form")).to_have_count(0)


def test_tab_bar_on_a_phone(new_page, cast, sms_outbox):
    page = new_page(**PHONE_SCREEN)
    sign_in(page, sms_outbox, _national(cast.member))
    page.goto("/me/")
    tabbar = page.locator("#tabbar")
    expect(tabbar.locator("a")).to_have_count(5)
    box = tabbar.bounding_box()
    assert box is not None
    assert abs(box["y"] + box["height"] - PHONE_SCREEN["viewport"]["height"]) <= 1, box
    expect(tabbar.locator('a[data-tab="home"]')).to_have_attribute("aria-current", "page")
    _fits_the_screen(page)

    tabbar.locator('a[data-tab="me"]').click()
    expect(page).to_have_url(path_is("/me/account/"))
    expect(page.locator('#tabbar a[data-tab="me"]')).to_have_attribute("aria-current", "page")
    expect(page.locator(".entry-list a[href='/me/loans/']")).to_be_visible()
    expect(page.locator("#me-call-customer-service")).to_contain_text("400-800-8888")
    _fits_the_screen(page)

    page.locator('#tabbar a[data-tab="cars"]').click()
    expect(page).to_have_url(path_is("/cars/"))
    expect(page.locator('#tabbar a[data-tab="cars"]')).to_have_attribute("aria-current", "page")
    _fits_the_screen(page)


def test_reviewers_page_shows_what_they_decide_on(new_page, cast, settings):
    order = cast.advance(cast.new_order(), "under_review")
    Qualification.objects.create(
        member=cast.member, employment="employed", employer_name="深圳某科技有限公司", monthly_income_band="10k_20k",
        years_at_job=4, has_driving_licence=True, marital_status="married",
    )  # fmt: skip
    CreditCheck.objects.create(
        order=order, status="completed", decision="refer", score=612, summary="近两年有 2 次逾期记录", attempts=1
    )
    page = new_page()
    page.goto("/backoffice/")
    expect(page).to_have_url(path_is("/backoffice/sign-in/?next=/backoffice/"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.locator("#id_username").fill("reviewer")
    page.locator("#id_password").fill("wrong")
    page.locator("#staff-sign-in button[type=submit]").click()
    wrong_password = tr("The username or password is not correct. Both are case-sensitive.")
    expect(page.locator(".alert--error")).to_have_text(wrong_password)
    page.locator("#id_password").fill(STAFF_PASSWORD)
    page.locator("#staff-sign-in button[type=submit]").click()
    expect(page).to_have_url(path_is("/backoffice/"))

    page.goto(f"/backoffice/orders/{order.pk}/")
    expect(page.locator("#qualification-income")).to_have_text(tr("¥10,000–20,000 a month"))
    expect(page.locator("#qualification")).to_contain_text("深圳某科技有限公司")
    expect(page.locator("#credit-summary")).to_have_text("近两年有 2 次逾期记录")
    expect(page.locator("#credit-decision")).to_have_class("tone tone--back")
    expect(page.locator('form[data-step="approve"] button')).to_have_class("button button--forward")
    expect(page.locator('form[data-step="request_materials"] button')).to_have_class("button button--back")
    expect(page.locator('form[data-step="reject"] button')).to_have_class("button button--end")
    # History names people by name and role, never by login.
    expect(page.locator(".timeline")).to_contain_text(tr("Store staff"))

    # Rejecting asks for a confirmation: without it the browser does not send the form.
    reject = page.locator('form[data-step="reject"]')
    reject.locator("textarea[name=reason]").fill("收入证明与银行流水不符")
    reject.locator("button").click()
    expect(page.locator("#order-state")).to_have_attribute("data-state", "under_review")
    reject.locator("input[name=confirm]").check()
    reject.locator("button").click()
    expect(page.locator("#order-state")).to_have_attribute("data-state", "rejected")
