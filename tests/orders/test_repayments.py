"""Payments recorded on installments: exact statuses for a part, a full and an over-payment; idempotent by the
payment reference; collection stops the moment an installment is paid; early settlement."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from notifications.models import Notification
from orders import repayments
from orders.exceptions import InstallmentNotFound, Overpayment, PaymentReferenceUsed, TransitionForbidden
from orders.models import Installment, Payment
from staff_tasks.models import Task
from tests.helpers import assert_locks_rows_before_write
from tests.members.factories import StaffFactory, StoreFactory
from tests.orders.factories import LoanFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 10)


@pytest.fixture
def finance(db):
    return StaffFactory(username="finance.money", role="finance")


@pytest.fixture
def loan(db):
    store = StoreFactory(code="SZ09")
    return LoanFactory(order__store=store)


def first(loan) -> Installment:
    return loan.installments.get(number=1)


def pay(installment, amount, reference, actor, paid_on=TODAY):
    return repayments.record_payment(
        installment_id=installment.pk, amount=Decimal(amount), paid_on=paid_on, reference=reference, actor=actor
    )


def test_part_payment_leaves_installment_partly_paid(loan, finance):
    installment, created = pay(first(loan), "1000.00", "BANK-1", finance)
    assert created is True
    installment.refresh_from_db()
    assert (installment.status, installment.paid_amount, installment.amount_left) == (
        "partly_paid", Decimal("1000.00"), Decimal("1764.14"),
    )  # fmt: skip
    assert installment.paid_at is None


def test_paying_the_rest_makes_it_paid(loan, finance):
    pay(first(loan), "1000.00", "BANK-1", finance)
    installment, _created = pay(first(loan), "1764.14", "BANK-2", finance)
    installment.refresh_from_db()
    assert (installment.status, installment.paid_amount) == ("paid", Decimal("2764.14"))
    assert installment.paid_at is not None
    assert Payment.objects.filter(installment=installment).count() == 2


def test_overpayment_is_refused_and_changes_nothing(loan, finance):
    pay(first(loan), "2000.00", "BANK-1", finance)
    with pytest.raises(Overpayment):
        pay(first(loan), "764.15", "BANK-2", finance)
    installment = first(loan)
    assert (installment.status, installment.paid_amount) == ("partly_paid", Decimal("2000.00"))
    assert not Payment.objects.filter(reference="BANK-2").exists()


def test_same_reference_again_records_nothing(loan, finance):
    pay(first(loan), "1000.00", "BANK-1", finance)
    installment, created = pay(first(loan), "1000.00", "BANK-1", finance)
    assert created is False
    assert installment.paid_amount == Decimal("1000.00")
    assert Payment.objects.count() == 1


def test_same_reference_for_other_money_is_refused(loan, finance):
    pay(first(loan), "1000.00", "BANK-1", finance)
    second = loan.installments.get(number=2)
    with pytest.raises(PaymentReferenceUsed):
        pay(second, "1000.00", "BANK-1", finance)
    second.refresh_from_db()
    assert second.paid_amount == 0


def test_only_finance_records_payments(loan):
    store_staff = StaffFactory(role="store_staff", store=loan.order.store)
    with pytest.raises(TransitionForbidden):
        pay(first(loan), "1.00", "BANK-1", store_staff)
    with pytest.raises(TransitionForbidden):
        pay(first(loan), "1.00", "BANK-1", loan.order.member.user)
    assert not Payment.objects.exists()


def test_unknown_installment_is_not_found(finance):
    with pytest.raises(InstallmentNotFound):
        repayments.record_payment(
            installment_id=999999, amount=Decimal("1"), paid_on=TODAY, reference="X", actor=finance
        )


def test_payment_locks_the_installment_before_writing(loan, finance):
    with assert_locks_rows_before_write("orders_installment"):
        pay(first(loan), "10.00", "BANK-1", finance)


def test_part_payment_after_the_due_date_stays_overdue(loan, finance):
    installment = first(loan)
    Installment.objects.filter(pk=installment.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=2))
    repayments.mark_overdue_installments(day=timezone.localdate())
    installment, _created = pay(installment, "100.00", "BANK-1", finance)
    assert installment.status == "overdue"


def _due_days_ago(loan, days: int, run_day: datetime.date) -> Installment:
    installment = first(loan)
    Installment.objects.filter(pk=installment.pk).update(due_on=run_day - datetime.timedelta(days=days))
    installment.refresh_from_db()
    return installment


def test_paid_installment_gets_no_overdue_message_and_no_call(loan, finance):
    from crm.services import run_reminders
    from staff_tasks.defaults import ensure_default_task_rules

    ensure_default_task_rules()
    run_day = timezone.localdate()
    paid = _due_days_ago(loan, 1, run_day)
    other = LoanFactory(order__store=loan.order.store)
    unpaid = _due_days_ago(other, 1, run_day)
    pay(paid, "2764.14", "BANK-1", finance, paid_on=run_day)

    run_reminders(day=run_day)
    assert not Notification.objects.filter(dedupe_key__startswith=f"repayment.overdue_1:{paid.pk}").exists()
    assert Notification.objects.filter(dedupe_key__startswith=f"repayment.overdue_1:{unpaid.pk}").exists()
    paid.refresh_from_db()
    unpaid.refresh_from_db()
    assert (paid.status, unpaid.status) == ("paid", "overdue")

    # Day 7: the unpaid one gets its collection call, the paid one none.
    Installment.objects.filter(pk__in=[paid.pk, unpaid.pk]).update(due_on=run_day - datetime.timedelta(days=7))
    run_reminders(day=run_day)
    calls = Task.objects.filter(kind="collection_call", subject_type="installment")
    assert list(calls.values_list("subject_id", flat=True)) == [unpaid.pk]


def test_paying_cancels_the_open_collection_call(loan, finance):
    from crm.services import run_reminders
    from staff_tasks.defaults import ensure_default_task_rules

    ensure_default_task_rules()
    run_day = timezone.localdate()
    installment = _due_days_ago(loan, 7, run_day)
    run_reminders(day=run_day)
    call = Task.objects.get(kind="collection_call", subject_id=installment.pk)
    assert call.status == "open"

    pay(installment, "2000.00", "BANK-1", finance)
    call.refresh_from_db()
    assert call.status == "open"  # still money owed: the call stays
    pay(installment, "764.14", "BANK-2", finance)
    call.refresh_from_db()
    assert call.status == "cancelled"


def test_early_settlement_charges_the_current_installment_and_the_principal_left(loan, finance):
    on = timezone.localdate()
    quote = repayments.settlement_quote(installments=list(loan.installments.all()), on=on)
    # Installment 1 (next due) in full, installment 2's principal only.
    assert (quote.current, quote.remaining_principal, quote.interest_saved) == (
        Decimal("2764.14"), Decimal("2310.00"), Decimal("454.14"),
    )  # fmt: skip
    assert quote.total == Decimal("5074.14")

    repayments.settle_loan_early(loan_id=loan.pk, paid_on=on, reference="SETTLE-1", actor=finance)
    loan.refresh_from_db()
    assert loan.settled_on == on
    second = loan.installments.get(number=2)
    assert (second.status, second.interest, second.amount, second.paid_amount) == (
        "paid", Decimal("0.00"), Decimal("2310.00"), Decimal("2310.00"),
    )  # fmt: skip
    assert sorted(Payment.objects.values_list("reference", "amount")) == [
        ("SETTLE-1/1", Decimal("2764.14")), ("SETTLE-1/2", Decimal("2310.00")),
    ]  # fmt: skip
    # Recorded again: nothing new.
    repayments.settle_loan_early(loan_id=loan.pk, paid_on=on, reference="SETTLE-1", actor=finance)
    assert Payment.objects.count() == 2
