"""The bills page in the browser: a member sees exactly what is due, and puts a repayment-deduction coupon on the next
installment."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orders.repayments import record_payment
from points.services import adjust_points
from tests.e2e.helpers import e164, expect_message, path_is, sign_in, tr
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory
from tests.orders.factories import LoanFactory
from tests.points.factories import RewardFactory

pytestmark = pytest.mark.e2e

PHONE = "13800138031"


@pytest.fixture
def loan(db):
    from members.services import ensure_role_groups

    member = MemberFactory(user__phone=e164(PHONE), name="王芳", city="深圳")
    loan = LoanFactory(
        order__member=member, order__store=StoreFactory(code="SZE2E"), order__state="delivered",
        bank_name="招商银行", bank_card_last4="4321", debit_day=15,
    )  # fmt: skip
    first = loan.installments.get(number=1)
    record_payment(
        installment_id=first.pk, amount=first.amount - 1000, paid_on=timezone.localdate(), reference="E2E-1",
        actor=StaffFactory(role="finance"),
    )  # fmt: skip
    head_office = StaffFactory(username="hq-bills", role="head_office")
    head_office.groups.set([ensure_role_groups()["head_office"]])
    adjust_points(member_id=member.pk, points=1000, reason="活动奖励", actor=head_office)
    return loan


def test_member_sees_what_is_due_and_puts_a_coupon_on_the_next_installment(page, sms_outbox, loan):
    reward = RewardFactory(name="月还抵扣券 200元", cost_points=1000, face_value="200.00")
    first = loan.installments.get(number=1)
    sign_in(page, sms_outbox, PHONE)

    # Redeem the coupon as a member does, on the rewards page.
    page.goto("/me/rewards/")
    card = page.locator(f'[data-reward="{reward.pk}"]')
    card.locator("details > summary").click()
    card.locator("details form button[type=submit]").click()
    expect(page).to_have_url(path_is("/me/coupons/"))

    page.goto("/me/loans/")
    summary = page.locator(f"#bill-summary-{loan.pk}")
    # 2764.14 due, 1764.14 paid: 1000.00 left on installment 1, due on its date (zh-hans groups no thousands).
    expect(summary.locator("[data-next-amount]")).to_have_text("¥1,000")
    expect(summary.locator("[data-next-due]")).to_contain_text(first.due_on.isoformat())
    expect(summary.locator("[data-paid]")).to_have_text("¥1,764.14")
    expect(summary.locator("[data-left]")).to_have_text("¥3,764.14")
    expect(summary.locator("[data-collection]")).to_contain_text("**** **** **** 4321")
    row = page.locator('[data-loan] tr[data-installment="1"]')
    expect(row.locator("[data-amount-due]")).to_have_text("¥2,764.14")

    form = page.locator(f"#coupon-form-{loan.pk}")
    form.locator("select[name=coupon]").select_option(index=0)
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(path_is("/me/loans/"))
    expect_message(page, tr("Coupon applied: installment %(number)s now asks %(amount)s.") % {
        "number": 1, "amount": "¥2,564.14"})  # fmt: skip
    expect(summary.locator("[data-next-amount]")).to_have_text("¥800")
    expect(summary.locator("[data-left]")).to_have_text("¥3,564.14")
    expect(row.locator("[data-amount-due]")).to_have_text("¥2,564.14")
    expect(row).to_contain_text("−¥200")
    # One coupon, one installment: with none left, the form is gone.
    expect(page.locator(f"#coupon-form-{loan.pk}")).to_have_count(0)
