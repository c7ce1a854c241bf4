"""The loan calculator in the browser: the member chooses the down payment and the term, the figures follow from
the server, an out-of-range choice says why and blocks applying, and the application records exactly what was shown.
Without a script the same page works by "Calculate"."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from orders.models import Order
from tests.e2e.helpers import e164, sign_in, tr
from tests.members.factories import MemberFactory
from tests.vehicles.factories import FinancePlanFactory

pytestmark = pytest.mark.e2e

PHONE = "13800138077"


@pytest.fixture
def plan(db):
    MemberFactory(user__phone=e164(PHONE), city="深圳", verified=True)
    # ¥129,800 at 6 % with ¥2,000 of fees; 20 %–60 % down; 36 months, or 12, 24 or 48.
    return FinancePlanFactory(
        trim__guide_price=Decimal("129800.00"), annual_rate=Decimal("0.0600"), fees=Decimal("2000.00"),
        down_payment_ratio=Decimal("0.300"), min_down_payment_ratio=Decimal("0.200"),
        max_down_payment_ratio=Decimal("0.600"), term_months=36, allowed_terms="12,24,48",
    )  # fmt: skip


def shown(page: Page) -> dict:
    def amount(element_id: str) -> Decimal:
        return Decimal(page.locator(f"#{element_id}").inner_text().replace("¥", "").replace(",", "").rstrip("%"))

    return {
        "down_payment": amount("quote-down"),
        "term_months": int(page.locator("#quote-term").inner_text()),
        "monthly_payment": amount("monthly-payment"),
        "annual_percentage_rate": amount("quote-apr"),
        "total_interest": amount("quote-interest"),
        "fees": amount("quote-fees"),
    }


def test_member_chooses_down_payment_and_term_and_the_application_records_what_was_shown(page, sms_outbox, plan):
    sign_in(page, sms_outbox, PHONE)
    page.goto(f"/cars/trims/{plan.trim_id}/")
    monthly = page.locator("#monthly-payment")
    # The plan's own offer first: 30 % down (¥38,940) over 36 months.
    expect(monthly).to_have_text("¥2,764.14")
    expect(page.locator("#calc-term option")).to_have_count(4)

    page.locator("#calc-down").fill("45000")
    page.locator("#calc-term").select_option("24")
    # ¥84,800 over 24 months at 0.5 % a month; the ¥2,000 of fees make it 8.36 % a year by the cash flows.
    expect(monthly).to_have_text("¥3,758.39")
    expect(page.locator("#quote-apr")).to_have_text("8.36%")
    expect(page.locator("#quote-detail")).to_have_text(
        tr("Down payment ¥%(down)s · %(term)s months") % {"down": "45,000", "term": 24}
    )

    # Below the plan's lowest down payment: the reason, and no applying with it.
    page.locator("#calc-down").fill("10000")
    expect(page.locator("#calc-error")).to_contain_text("¥25,960")
    expect(page.locator("#apply-button")).to_be_disabled()

    # A share of the price works too: 35 % of ¥129,800 is ¥45,430, over 48 months.
    page.locator("#calc-down").fill("35%")
    page.locator("#calc-term").select_option("48")
    expect(page.locator("#quote-detail")).to_have_text(
        tr("Down payment ¥%(down)s · %(term)s months") % {"down": "45,430", "term": 48}
    )
    expect(page.locator("#apply-button")).to_be_enabled()
    expect(page.locator("#calc-error")).to_be_hidden()
    figures = shown(page)
    assert figures["monthly_payment"] != Decimal("3758.39")

    page.locator("#apply-button").click()
    expect(page).to_have_url(re.compile(r"/me/orders/\d+/$"))
    order = Order.objects.get(number=re.search(r"MC\d+", page.title()).group())
    assert {field: getattr(order, field) for field in figures} == figures


def test_the_calculator_works_without_a_script(new_page, plan):
    page = new_page(java_script_enabled=False)
    page.goto(f"/cars/trims/{plan.trim_id}/")
    page.locator("#calc-down").fill("45000")
    page.locator("#calc-term").select_option("24")
    page.locator("#calc-submit").click()
    expect(page).to_have_url(
        re.compile(rf"/cars/trims/{plan.trim_id}/\?plan={plan.pk}&down_payment=45000&term_months=24$")
    )
    expect(page.locator("#monthly-payment")).to_have_text("¥3,758.39")
    expect(page.locator("#apply-down")).to_have_value("45000.00")
    expect(page.locator("#apply-term")).to_have_value("24")

    page.locator("#calc-down").fill("90%")
    page.locator("#calc-submit").click()
    expect(page.locator("#calc-error")).to_contain_text("¥77,880")
    expect(page.locator("#monthly-payment")).to_have_text("—")
