from decimal import Decimal

import pytest
from django.core.management import call_command

from orders.enums import OrderState
from orders.models import Order
from vehicles.models import FinancePlan, VehicleUnit

pytestmark = pytest.mark.django_db


def test_seed_demo_has_an_application_in_every_state_and_is_idempotent(settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    counts = {state: Order.objects.filter(state=state).count() for state in OrderState.values}
    call_command("seed_demo")

    assert all(count >= 1 for count in counts.values()), counts
    assert {state: Order.objects.filter(state=state).count() for state in OrderState.values} == counts
    assert FinancePlan.objects.filter(is_active=True).count() == 18
    assert VehicleUnit.objects.filter(status="delivered").count() == 1
    assert "/backoffice/" in capsys.readouterr().out


def test_seed_demo_has_a_loan_with_paid_installments_and_a_coupon_to_use(settings, tmp_path):
    from orders.models import Loan
    from points.models import Coupon

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    loan = Loan.objects.get(order__member__user__phone="+8613800000024")
    # Four months in: two paid, the third partly paid and past its date, the fourth due today, the rest ahead.
    statuses = list(loan.installments.order_by("number").values_list("status", "paid_amount")[:5])
    assert [status for status, _paid in statuses] == ["paid", "paid", "overdue", "due", "due"]
    assert statuses[2][1] == Decimal("1000.00")
    assert loan.masked_bank_card == "**** **** **** 6688"
    assert Coupon.objects.filter(
        member__user__phone="+8613800000022", reward__kind="repayment_coupon", status="active"
    ).exists()
