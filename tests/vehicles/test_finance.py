"""Finance arithmetic against hand-worked examples."""

from decimal import Decimal

import pytest

from vehicles.finance import down_payment_for, monthly_payment_for, quote_plan, repayment_schedule


def test_monthly_payment_matches_the_textbook_example():
    # 100,000 at 6 % a year over 36 months: r = 0.005, (1.005)^36 = 1.196681, payment = 3,042.19.
    assert monthly_payment_for(principal=Decimal("100000"), annual_rate=Decimal("0.06"), term_months=36) == Decimal(
        "3042.19"
    )


def test_monthly_payment_at_zero_interest_is_principal_over_term():
    assert monthly_payment_for(principal=Decimal("90860.00"), annual_rate=Decimal("0"), term_months=24) == Decimal(
        "3785.83"
    )


def test_monthly_payment_rounds_half_up_to_the_fen():
    # 12,000 at 12 % over 12 months: 1,066.1855… → 1,066.19.
    assert monthly_payment_for(principal=Decimal("12000"), annual_rate=Decimal("0.12"), term_months=12) == Decimal(
        "1066.19"
    )


def test_down_payment_is_rounded_to_the_fen():
    assert down_payment_for(price=Decimal("129800.00"), down_payment_ratio=Decimal("0.333")) == Decimal("43223.40")


@pytest.mark.parametrize(
    ("principal", "rate", "term"),
    [
        (Decimal("90860.00"), Decimal("0.06"), 36),
        (Decimal("12000"), Decimal("0.12"), 12),
        (Decimal("5000"), Decimal("0.0399"), 60),
    ],
)
def test_schedule_adds_up_exactly(principal, rate, term):
    schedule = repayment_schedule(principal=principal, annual_rate=rate, term_months=term)
    assert len(schedule) == term
    assert sum(item.principal for item in schedule) == principal
    assert all(item.amount == item.principal + item.interest for item in schedule)
    payment = monthly_payment_for(principal=principal, annual_rate=rate, term_months=term)
    assert all(item.amount == payment for item in schedule[:-1])
    # Interest is rounded each month; the last installment absorbs the rounding, at most a fen a month.
    assert abs(schedule[-1].amount - payment) <= Decimal("0.01") * term
    assert all(item.principal >= 0 and item.interest >= 0 for item in schedule)


def test_quote_of_a_typical_plan():
    quote = quote_plan(
        price=Decimal("129800.00"), down_payment_ratio=Decimal("0.3"), annual_rate=Decimal("0.06"), term_months=36,
        fees=Decimal("1500"),
    )  # fmt: skip
    assert quote.down_payment == Decimal("38940.00")
    assert quote.principal == Decimal("90860.00")
    # 90,860 × 0.0304219 = 2,764.136… → 2,764.14
    assert quote.monthly_payment == Decimal("2764.14")
    assert quote.total_interest == sum(
        item.interest
        for item in repayment_schedule(principal=Decimal("90860.00"), annual_rate=Decimal("0.06"), term_months=36)
    )


def test_a_tiny_loan_never_has_a_negative_installment():
    schedule = repayment_schedule(principal=Decimal("1.00"), annual_rate=Decimal("0.0399"), term_months=60)
    assert sum(item.principal for item in schedule) == Decimal("1.00")
    assert all(item.principal >= 0 and item.amount >= 0 for item in schedule)
