"""A car-finance application from the catalogue to the handed-over car, in the browser (issue 3).

The member applies in their own browser; store staff, a reviewer and finance each work in theirs, in the back
office. Every step is taken through the pages; the database is only used to set the world up.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.services import ensure_role_groups
from orders import services as order_services
from orders.models import CreditCheck
from tests.e2e.helpers import (
    e164,
    expect_message,
    path_is,
    png_file,
    sign_in,
    staff_sign_in,
    tr,
)
from tests.members.factories import STAFF_PASSWORD, MemberFactory, StaffFactory, StoreFactory
from tests.vehicles.factories import FinancePlanFactory, TrimFactory, VehicleUnitFactory

pytestmark = pytest.mark.e2e

MEMBER_PHONE = "13800138001"
PLATE_TYPED = "粤B16888"
PLATE_SHOWN = "粤B·16888"
ORDER_NUMBER = re.compile(r"MC\d{14}")
PHONE_SCREEN = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
# The member's side of the road, in order: what the timeline lists once the car is handed over.
ROAD = [
    "submitted",
    "collecting_materials",
    "under_review",
    "approved",
    "vehicle_confirmed",
    "contract_scheduled",
    "signed",
    "down_payment_paid",
    "funded",
    "ready_for_pickup",
    "delivered",
]


@pytest.fixture
def world(db, settings, tmp_path):
    """Store A with one car of the trim in stock and its staff; a reviewer, finance; store B and its staff."""
    settings.MEDIA_ROOT = tmp_path / "media"
    groups = ensure_role_groups()
    store = StoreFactory(code="SZ01", name="深圳南山店", city="深圳", phone="0755-86000000")
    other_store = StoreFactory(code="GZ01", name="广州天河店", city="广州")
    trim = TrimFactory(guide_price=Decimal("129800.00"))
    # Listed shortest term first: the 24-month plan is the one preselected.
    short_plan = FinancePlanFactory(
        trim=trim,
        name="2年期 首付20%",
        term_months=24,
        down_payment_ratio=Decimal("0.200"),
        annual_rate=Decimal("0.05"),
    )
    long_plan = FinancePlanFactory(
        trim=trim,
        name="3年期 首付30%",
        term_months=36,
        down_payment_ratio=Decimal("0.300"),
        annual_rate=Decimal("0.06"),
    )
    VehicleUnitFactory(trim=trim, store=store)
    member = MemberFactory(
        user__phone=e164(MEMBER_PHONE),
        name="张伟",
        city="深圳",
        preferred_store=store,
        email="zhang.wei@example.com",
        verified=True,
    )
    staff = {
        "store": StaffFactory(username="store.a", role="store_staff", store=store),
        "other_store": StaffFactory(username="store.b", role="store_staff", store=other_store),
        "reviewer": StaffFactory(username="reviewer", role="reviewer"),
        "finance": StaffFactory(username="finance", role="finance"),
        "head_office": StaffFactory(username="hq", role="head_office"),
    }
    for user in staff.values():
        user.groups.set([groups[user.role]])
    return {
        "store": store,
        "trim": trim,
        "short_plan": short_plan,
        "long_plan": long_plan,
        "member": member,
        "staff": staff,
    }


# --- the member's pages ---------------------------------------------------------------------------------------


def choose_plan_and_apply(page: Page, trim, short_plan, long_plan) -> str:
    """From the catalogue to a submitted application on the long plan; returns the order number."""
    page.goto("/cars/")
    page.locator(f'a[data-trim="{trim.pk}"]').click()
    expect(page).to_have_url(path_is(f"/cars/trims/{trim.pk}/"))

    monthly = page.locator("#monthly-payment")
    detail = page.locator("#quote-detail")
    down_and_term = tr("Down payment ¥%(down)s · %(term)s months")
    # ¥129,800 with 20% down: ¥103,840 at 5% a year over 24 months.
    expect(page.locator(f'input[type=radio][name=plan][value="{short_plan.pk}"]')).to_be_checked()
    expect(monthly).to_have_text("¥4,555.61")
    expect(detail).to_have_text(down_and_term % {"down": "25,960", "term": 24})

    # 30% down: ¥90,860 at 6% a year over 36 months. The figure follows the radio without a page load.
    page.locator(f'input[type=radio][name=plan][value="{long_plan.pk}"]').check()
    expect(monthly).to_have_text("¥2,764.14")
    expect(detail).to_have_text(down_and_term % {"down": "38,940", "term": 36})
    expect(page).to_have_url(path_is(f"/cars/trims/{trim.pk}/"))

    page.locator("#apply-button").click()
    expect(page).to_have_url(re.compile(r"/me/orders/\d+/$"))
    expect_message(page, tr("Your application is submitted. Upload your documents to speed things up."))
    expect(page.locator("#order-state")).to_have_attribute("data-state", "submitted")
    return ORDER_NUMBER.search(page.title()).group()


def upload_as_member(page: Page, kind: str, count_after: int) -> None:
    form = page.locator("#upload-form")
    form.locator("#id_kind").select_option(kind)
    form.locator("#id_file").set_input_files(png_file(f"{kind}.png"))
    form.locator("button[type=submit]").click()
    expect_message(page, tr("Document uploaded."))
    expect(page.locator("#documents li")).to_have_count(count_after)


# --- the back office -------------------------------------------------------------------------------------------


def open_from_queue(page: Page, number: str, *, state_tab: str = "") -> None:
    """Find the order in the queue (the state tab, else a search by number) and open it."""
    page.goto("/backoffice/")
    if state_tab:
        page.locator(f'nav.tabs a[data-state="{state_tab}"]').click()
        expect(page).to_have_url(path_is(f"/backoffice/?state={state_tab}"))
    else:
        page.locator("input[name=q]").fill(number)
        page.locator("form.search button[type=submit]").click()
        expect(page).to_have_url(path_is(f"/backoffice/?q={number}"))
    rows = page.locator("#order-queue tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=number, exact=True).click()
    expect(page).to_have_url(re.compile(r"/backoffice/orders/\d+/$"))
    expect(page.locator("main h1")).to_contain_text(number)


def take_step(page: Page, name: str, lands_in: str, **fields: str) -> None:
    """Press a step's button in the back office (filling its fields first) and see the order move."""
    form = page.locator(f'form[data-step="{name}"]')
    for field, value in fields.items():
        form.locator(f'[name="{field}"]').fill(value)
    form.locator("button[type=submit]").click()
    expect_message(page, tr("Done."))
    expect(page.locator("#order-state")).to_have_attribute("data-state", lands_in)
    expect(page.locator(f'form[data-step="{name}"]')).to_have_count(0)


def upload_as_staff(page: Page, kind: str) -> None:
    form = page.locator('main form[enctype="multipart/form-data"]')
    form.locator("#id_kind").select_option(kind)
    form.locator("#id_file").set_input_files(png_file(f"{kind}.png"))
    form.locator("button[type=submit]").click()
    expect_message(page, tr("Document uploaded."))


# --- the tests -------------------------------------------------------------------------------------------------


def test_member_applies_and_staff_take_it_to_handover(new_page, sms_outbox, world):
    trim, long_plan = world["trim"], world["long_plan"]
    staff = world["staff"]

    # The member chooses a car and a plan, applies, and uploads the four documents the review needs.
    member = new_page()
    sign_in(member, sms_outbox, MEMBER_PHONE)
    number = choose_plan_and_apply(member, trim, world["short_plan"], long_plan)
    order_url = re.search(r"/me/orders/\d+/$", member.url).group()
    expect(member.locator("#missing-documents")).to_be_visible()
    for count, kind in enumerate(("id_front", "id_back", "driving_licence", "income_proof"), start=1):
        upload_as_member(member, kind, count)
    expect(member.locator("#missing-documents")).to_have_count(0)

    # Store staff collect and send to review.
    store = new_page()
    staff_sign_in(store, staff["store"].username, STAFF_PASSWORD)
    open_from_queue(store, number)
    take_step(store, "start_collecting", "collecting_materials")
    take_step(store, "send_to_review", "under_review")

    # The reviewer approves. The local credit score follows the random order number: when it declines, head office
    # agrees first (its own browser is tested in tests/orders/test_credit_override.py).
    check = CreditCheck.objects.get(order__number=number)
    if check.decision == "decline":
        order_services.agree_to_approve_declined(order_id=check.order_id, actor=staff["head_office"], note="总部同意")
    reviewer = new_page()
    staff_sign_in(reviewer, staff["reviewer"].username, STAFF_PASSWORD)
    open_from_queue(reviewer, number, state_tab="under_review")
    expect(reviewer.locator("#credit-check")).to_be_visible()
    take_step(reviewer, "approve", "approved")

    # Store staff reserve the car in stock, book the signing, sign, take the down payment.
    signing_at = timezone.localtime() + datetime.timedelta(days=2)
    signing_at = signing_at.replace(hour=10, minute=30, second=0, microsecond=0)
    store.reload()
    take_step(store, "confirm_vehicle", "vehicle_confirmed")  # no VIN: the longest-waiting car of the trim
    take_step(store, "schedule_signing", "contract_scheduled", signing_at=signing_at.strftime("%Y-%m-%dT%H:%M"))
    take_step(store, "sign_contract", "signed")
    take_step(store, "record_down_payment", "down_payment_paid")

    # Finance pays the loan out.
    finance = new_page()
    staff_sign_in(finance, staff["finance"].username, STAFF_PASSWORD)
    open_from_queue(finance, number, state_tab="down_payment_paid")
    take_step(finance, "fund", "funded")
    expect(finance.locator("#installments tbody tr")).to_have_count(long_plan.term_months)

    # Store staff call the member in, photograph the handover and give the car its plate.
    store.reload()
    take_step(store, "notify_pickup", "ready_for_pickup")
    expect(store.locator('form[data-step="hand_over"]')).to_have_count(0)  # not before a delivery photo
    upload_as_staff(store, "delivery_photo")
    take_step(store, "hand_over", "delivered", plate=PLATE_TYPED)

    # The member sees it all on their application page.
    member.goto(order_url)
    expect(member.locator("#order-state")).to_have_attribute("data-state", "delivered")
    expect(member.locator("#order-state")).to_have_text(tr("Car handed over — enjoy the drive!"))
    facts = member.locator("dl.facts")
    expect(facts.locator("dd")).to_contain_text([world["store"].name, PLATE_SHOWN])
    # The signing appointment is behind the member now: no longer shown as one to keep.
    expect(member.locator("#signing-appointment")).to_have_count(0)
    expect(member.locator("#timeline li")).to_have_count(len(ROAD))
    assert [item.get_attribute("data-state") for item in member.locator("#timeline li").all()] == ROAD
    schedule = member.locator("#repayment-schedule")
    expect(schedule.locator("p.muted")).to_have_text(
        tr("Loan ¥%(principal)s over %(term)s months") % {"principal": "90,860", "term": 36}
    )
    installments = schedule.locator("tbody tr")
    expect(installments).to_have_count(long_plan.term_months)
    expect(installments.first.locator("td")).to_have_text(
        ["1", re.compile(r"\d{4}-\d{2}-\d{2}"), "¥2,764.14", tr("Due")]
    )
    expect(installments.last.locator("td").first).to_have_text("36")
    expect(member.locator("#upload-form")).to_have_count(0)  # a closed application takes no more documents

    member.goto("/me/cars/")
    cars = member.locator("section[data-car]")
    expect(cars).to_have_count(1)
    expect(cars.locator("h2")).to_have_text(f"{PLATE_SHOWN} · {trim}")

    # The dashboard is now an owner's: the car and the next repayment lead, the application is done.
    member.goto("/me/")
    expect(member.locator("#panel-cars .car-summary")).to_have_count(1)
    expect(member.locator("#panel-cars .car-summary strong")).to_have_text(PLATE_SHOWN)
    expect(member.locator("#panel-cars .car-summary")).to_contain_text(str(trim))
    expect(member.locator("#next-bill")).to_contain_text("¥2,764.14")
    expect(member.locator("#panel-application")).to_have_count(0)


def test_store_staff_of_another_store_cannot_open_the_order(new_page, world):
    order = order_services.create_order(
        member=world["member"], trim_id=world["trim"].pk, plan_id=world["long_plan"].pk, actor=world["member"].user
    )
    order = order_services.apply_transition(order_id=order.pk, name="submit", actor=world["member"].user)
    assert order.store_id == world["store"].pk

    # Store A's staff see it: the checks below are not empty by accident.
    own = new_page()
    staff_sign_in(own, world["staff"]["store"].username, STAFF_PASSWORD)
    expect(own.locator("#order-queue tbody tr")).to_have_count(1)
    expect(own.locator("#order-queue tbody a")).to_have_text(order.number)

    other = new_page()
    staff_sign_in(other, world["staff"]["other_store"].username, STAFF_PASSWORD)
    expect(other.locator("#order-queue tbody tr")).to_have_count(1)
    expect(other.locator("#order-queue tbody td.muted")).to_have_text(tr("No applications here."))
    expect(other.locator("#queue-states a")).to_have_count(1)  # "All (0)" and no state tab
    expect(other.locator("#queue-states a")).to_contain_text("(0)")

    other.goto(f"/backoffice/?q={order.number}")
    expect(other.locator("#order-queue tbody tr")).to_have_count(1)
    expect(other.locator("#order-queue tbody td.muted")).to_have_text(tr("No applications here."))

    response = other.goto(f"/backoffice/orders/{order.pk}/")
    assert response.status == 404
    assert order.number not in other.content()
    # Nor can a step be posted to it, with a valid CSRF token.
    csrf_token = next(cookie["value"] for cookie in other.context.cookies() if cookie["name"] == "csrftoken")
    response = other.request.post(
        f"/backoffice/orders/{order.pk}/steps/start_collecting/",
        form={"csrfmiddlewaretoken": csrf_token},
        headers={"X-CSRFToken": csrf_token},
        max_redirects=0,
    )
    assert response.status == 404
    order.refresh_from_db()
    assert order.state == "submitted"


def test_plan_switch_shows_the_chosen_plans_down_payment_and_term(page, transactional_db):
    trim = TrimFactory(guide_price=Decimal("129800.00"))
    FinancePlanFactory(trim=trim, name="1年期 首付30%", term_months=12, down_payment_ratio=Decimal("0.300"))
    low_down = FinancePlanFactory(trim=trim, name="2年期 首付10%", term_months=24, down_payment_ratio=Decimal("0.100"))
    down_and_term = tr("Down payment ¥%(down)s · %(term)s months")
    page.goto(f"/cars/trims/{trim.pk}/")
    expect(page.locator("#quote-detail")).to_have_text(down_and_term % {"down": "38,940", "term": 12})

    page.locator(f'input[type=radio][name=plan][value="{low_down.pk}"]').check()

    # 10% of ¥129,800 is ¥12,980 over 24 months; the page shows "¥24,980 · 12 months".
    expect(page.locator("#quote-detail")).to_have_text(down_and_term % {"down": "12,980", "term": 24}, timeout=2_000)


def test_delivered_car_pages_fit_a_phone_screen_in_english(new_page, sms_outbox, cast):
    order = cast.advance(cast.new_order(), "delivered")
    page = new_page(locale="en-US", **PHONE_SCREEN)
    sign_in(page, sms_outbox, str(cast.member_user.phone).removeprefix("+86"))

    too_wide = {}
    for path in ("/me/", "/me/orders/", f"/me/orders/{order.pk}/", "/me/loans/", "/me/cars/"):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        # Against the screen, not window.innerWidth: a mobile browser widens its layout viewport to fit the page.
        page_width = page.evaluate("() => document.documentElement.scrollWidth")
        if page_width > PHONE_SCREEN["viewport"]["width"]:
            too_wide[path] = page_width
    assert too_wide == {}
