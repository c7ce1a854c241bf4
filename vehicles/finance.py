"""Finance arithmetic in Decimal: down payment, principal, monthly payment by the standard amortization formula,
and the annualised rate by the actual cash flows.

Every amount is rounded to the fen (0.01 yuan) with ROUND_HALF_UP, the rounding Chinese lenders print on contracts.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


def to_fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def down_payment_for(*, price: Decimal, down_payment_ratio: Decimal) -> Decimal:
    return to_fen(price * down_payment_ratio)


def monthly_payment_for(*, principal: Decimal, annual_rate: Decimal, term_months: int) -> Decimal:
    """Equal monthly installments (等额本息): P·r·(1+r)^n / ((1+r)^n − 1), r = annual rate / 12."""
    if term_months <= 0:
        raise ValueError("term_months must be positive")
    if principal <= 0:
        return Decimal("0.00")
    monthly_rate = annual_rate / Decimal(12)
    if monthly_rate == 0:
        return to_fen(principal / term_months)
    growth = (1 + monthly_rate) ** term_months
    return to_fen(principal * monthly_rate * growth / (growth - 1))


@dataclass(frozen=True)
class ScheduledInstallment:
    number: int
    principal: Decimal
    interest: Decimal

    @property
    def amount(self) -> Decimal:
        return self.principal + self.interest


def repayment_schedule(*, principal: Decimal, annual_rate: Decimal, term_months: int) -> list[ScheduledInstallment]:
    """The installments of an equal-payment loan. Interest each month is on the balance, rounded to the fen; the last
    installment takes the rounding remainder, so principals add up exactly to the loan and amounts to principal
    plus interest."""
    payment = monthly_payment_for(principal=principal, annual_rate=annual_rate, term_months=term_months)
    monthly_rate = annual_rate / Decimal(12)
    balance = principal
    installments = []
    for number in range(1, term_months + 1):
        interest = to_fen(balance * monthly_rate)
        # The last installment takes what is left; a tiny loan never goes below zero.
        principal_part = balance if number == term_months else min(payment - interest, balance)
        installments.append(ScheduledInstallment(number=number, principal=principal_part, interest=interest))
        balance -= principal_part
    return installments


def annual_percentage_rate(*, principal: Decimal, fees: Decimal, payments: list[Decimal]) -> Decimal:
    """The annualised rate (年化利率) by the actual cash flows, in percent with two decimals.

    The borrower receives ``principal − fees`` (fees are paid at signing) and pays ``payments[k]`` at the end of month
    ``k + 1``. The monthly internal rate of return r solves Σ payments[k] / (1 + r)^(k+1) = principal − fees; the
    annualised rate is 12 · r (the internal-rate-of-return method that mainland consumer-credit rules ask lenders to
    show). Bisection on r: the present value falls as r rises, so it converges whatever the schedule.
    """
    received = principal - fees
    if received <= 0 or not payments:
        return Decimal("0.00")
    if sum(payments) <= received:
        return Decimal("0.00")

    def present_value(rate: Decimal) -> Decimal:
        value, factor, step = Decimal(0), Decimal(1), 1 / (1 + rate)
        for payment in payments:
            factor *= step
            value += payment * factor
        return value

    low, high = Decimal(0), Decimal(1)
    for _step in range(80):  # 2^-80 of a month's rate: far below the 0.005 % shown
        middle = (low + high) / 2
        if present_value(middle) > received:
            low = middle
        else:
            high = middle
    return to_fen((low + high) / 2 * 12 * 100)


@dataclass(frozen=True)
class LoanChoice:
    """What the member chose in the loan calculator: a down payment in yuan or as a ratio of the price (at most one
    of the two), and a term; what is left empty is the plan's own."""

    down_payment: Decimal | None = None
    down_payment_ratio: Decimal | None = None
    term_months: int | None = None

    def as_kwargs(self) -> dict:
        return {
            "down_payment": self.down_payment,
            "down_payment_ratio": self.down_payment_ratio,
            "term_months": self.term_months,
        }


@dataclass(frozen=True)
class PlanQuote:
    price: Decimal
    down_payment: Decimal
    principal: Decimal
    monthly_payment: Decimal
    term_months: int
    total_interest: Decimal
    fees: Decimal
    annual_percentage_rate: Decimal

    @property
    def total_cost(self) -> Decimal:
        """What borrowing costs on top of the car: interest and fees."""
        return self.total_interest + self.fees


def quote_plan(
    *,
    price: Decimal,
    annual_rate: Decimal,
    term_months: int,
    fees: Decimal,
    down_payment_ratio: Decimal | None = None,
    down_payment: Decimal | None = None,
) -> PlanQuote:
    """Every figure of a loan for a car at ``price``: the down payment is given in yuan, or as a ratio of the price
    (rounded to the fen)."""
    if (down_payment is None) == (down_payment_ratio is None):
        raise ValueError("give either down_payment or down_payment_ratio")
    if down_payment is None:
        down_payment = down_payment_for(price=price, down_payment_ratio=down_payment_ratio)
    down_payment = to_fen(down_payment)  # 45000 and 45000.00 are one down payment, shown and recorded alike
    principal = price - down_payment
    schedule = repayment_schedule(principal=principal, annual_rate=annual_rate, term_months=term_months)
    return PlanQuote(
        price=price,
        down_payment=down_payment,
        principal=principal,
        monthly_payment=monthly_payment_for(principal=principal, annual_rate=annual_rate, term_months=term_months),
        term_months=term_months,
        total_interest=sum((item.interest for item in schedule), Decimal("0.00")),
        fees=fees,
        annual_percentage_rate=annual_percentage_rate(
            principal=principal, fees=fees, payments=[item.amount for item in schedule]
        ),
    )
