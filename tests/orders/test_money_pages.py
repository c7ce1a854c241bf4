"""Honest numbers: the annualised rate on hand-worked examples; the plan page, its calculator, the plans API and the
quote an application records agree; the bills page shows what is due, paid, left and how it is collected."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from orders import repayments
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory
from tests.orders.factories import LoanFactory
from tests.vehicles.factories import FinancePlanFactory
from vehicles.finance import annual_percentage_rate, quote_plan

pytestmark = pytest.mark.django_db


def test_apr_of_one_month_loan_without_fees():
    # 1,000 borrowed, 1,010 back a month later: 1 % a month, 12 % a year.
    assert annual_percentage_rate(principal=Decimal("1000"), fees=Decimal("0"), payments=[Decimal("1010")]) == Decimal(
        "12.00"
    )


def test_apr_of_one_month_loan_with_fees():
    # 10 of fees leave 990 in hand; 1,000 back: 10/990 = 1.0101 % a month, 12.12 % a year.
    assert annual_percentage_rate(principal=Decimal("1000"), fees=Decimal("10"), payments=[Decimal("1000")]) == Decimal(
        "12.12"
    )


def test_apr_of_an_amortised_loan_equals_its_rate_without_fees_and_rises_with_them():
    without = quote_plan(
        price=Decimal("129800"), down_payment_ratio=Decimal("0.3"), annual_rate=Decimal("0.06"), term_months=36,
        fees=Decimal("0"),
    )  # fmt: skip
    assert (without.monthly_payment, without.total_interest, without.annual_percentage_rate) == (
        Decimal("2764.14"), Decimal("8648.90"), Decimal("6.00"),
    )  # fmt: skip
    with_fees = quote_plan(
        price=Decimal("129800"), down_payment_ratio=Decimal("0.3"), annual_rate=Decimal("0.06"), term_months=36,
        fees=Decimal("2000"),
    )  # fmt: skip
    # 88,860 in hand against 36 × 2,764.14: the monthly IRR is 0.6253 %, 7.50 % a year.
    assert (with_fees.annual_percentage_rate, with_fees.total_cost) == (Decimal("7.50"), Decimal("10648.90"))


def test_zero_rate_plan_with_a_fee_is_not_free():
    # 12,000 over 12 months at 0 %, but 300 of fees: 11,700 in hand, 1,000 a month back. The annuity factor
    # (1 − 1.003918^−12) / 0.003918 = 11.700, so r = 0.3918 % a month, 4.70 % a year.
    assert annual_percentage_rate(
        principal=Decimal("12000"), fees=Decimal("300"), payments=[Decimal("1000")] * 12
    ) == Decimal("4.70")


def test_plan_page_calculator_api_and_recorded_quote_agree(client, api_client):
    plan = FinancePlanFactory(trim__guide_price=Decimal("129800.00"), fees=Decimal("2000.00"))
    FinancePlanFactory(trim=plan.trim, name="2年期 首付50%", down_payment_ratio=Decimal("0.5"), term_months=24)
    page = client.get(f"/cars/trims/{plan.trim_id}/").content.decode()
    api_row = next(
        row for row in api_client.get(f"/api/v1/catalog/plans/?trim={plan.trim_id}").json()["results"]
        if row["id"] == plan.pk
    )  # fmt: skip
    radio = re.search(rf'<input type="radio" name="plan" value="{plan.pk}"[^>]*>', page, re.DOTALL).group(0)
    data = dict(re.findall(r'data-(\w+)="([^"]*)"', radio))
    assert data["apr"] == api_row["annual_percentage_rate"] == "7.50"
    assert data["monthly"].replace(",", "") == api_row["monthly_payment"] == "2764.14"
    assert data["interest"].replace(",", "") == api_row["total_interest"] == "8648.90"
    assert data["cost"].replace(",", "") == api_row["total_cost"] == "10648.90"
    # The calculator starts on the first plan (24 months): its own down payment and terms.
    assert re.findall(r'<option value="(\d+)"( selected)?>', page) == [("24", " selected")]
    member = MemberFactory(verified=True)
    client.force_login(member.user)
    client.post(f"/cars/trims/{plan.trim_id}/apply/", {"plan": plan.pk})
    order = member.orders.get()
    assert (order.monthly_payment, order.total_interest, order.fees, order.annual_percentage_rate) == (
        Decimal(api_row["monthly_payment"]), Decimal(api_row["total_interest"]), Decimal(api_row["fees"]),
        Decimal(api_row["annual_percentage_rate"]),
    )  # fmt: skip


def test_bills_page_shows_due_paid_left_and_collection(client):
    loan = LoanFactory(
        order__store=StoreFactory(code="SZ05"), bank_name="招商银行", bank_card_last4="6789", debit_day=15
    )
    first = loan.installments.get(number=1)
    repayments.record_payment(
        installment_id=first.pk, amount=Decimal("1000.00"), paid_on=first.due_on, reference="B1",
        actor=StaffFactory(role="finance"),
    )  # fmt: skip
    client.force_login(loan.order.member.user)
    page = client.get("/me/loans/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<strong data-next-amount>¥1,764.14</strong>" in page
    assert f"due on {first.due_on:%Y-%m-%d}" in page
    assert "<dd data-paid>¥1,000</dd>" in page
    assert "<dd data-left>¥4,528.28</dd>" in page  # 1,764.14 + 2,764.14
    assert "招商银行 card **** **** **** 6789 on day 15" in page
    # Principal and interest of the second installment, as they stand.
    assert "<td>¥2,310</td><td>¥454.14</td><td></td><td data-amount-due>¥2,764.14</td><td>¥0</td>" in page


def test_someone_elses_installment_is_not_found_from_the_bills_page(client):
    loan = LoanFactory(order__store=StoreFactory(code="SZ04"))
    stranger = MemberFactory()
    client.force_login(stranger.user)
    response = client.post(
        f"/me/loans/installments/{loan.installments.get(number=1).pk}/coupon/", {"coupon": "X"}, follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert "There is no such installment." in response.content.decode()


@pytest.fixture
def client():
    return Client()
