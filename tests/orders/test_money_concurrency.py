"""Races on PostgreSQL with real connections: two payments on one installment never overpay it; one coupon goes on
one installment only, and an installment takes one coupon; a payment and the delete of its installment never both
commit."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from common.exceptions import DomainError
from orders import repayments
from orders.models import Installment, Payment
from points import services as points_services
from points.enums import EarnEvent, RewardKind
from points.models import Coupon
from tests.helpers import run_at_once
from tests.members.factories import StaffFactory, StoreFactory
from tests.orders.factories import LoanFactory
from tests.points.factories import RewardFactory

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            call()
            outcomes[index] = "ok"
        except DomainError as error:
            outcomes[index] = error.code
        except DatabaseError as error:
            outcomes[index] = getattr(error.__cause__, "sqlstate", None) or type(error).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def loan(db):
    return LoanFactory(order__store=StoreFactory(code="SZ06"))


def test_two_payments_racing_on_one_installment_never_overpay(loan):
    finance = StaffFactory(role="finance")
    installment = loan.installments.get(number=1)

    def pay(reference):
        return lambda: repayments.record_payment(
            installment_id=installment.pk, amount=Decimal("2000.00"), paid_on=installment.due_on,
            reference=reference, actor=finance,
        )  # fmt: skip

    outcomes = race(pay("A"), pay("B"), pay("C"))
    assert sorted(outcomes) == ["ok", "overpayment", "overpayment"]
    installment.refresh_from_db()
    assert (installment.paid_amount, installment.status) == (Decimal("2000.00"), "partly_paid")
    assert Payment.objects.filter(installment=installment).count() == 1


def test_the_same_reference_racing_records_one_payment(loan):
    finance = StaffFactory(role="finance")
    installment = loan.installments.get(number=1)
    pay = lambda: repayments.record_payment(  # noqa: E731
        installment_id=installment.pk, amount=Decimal("100.00"), paid_on=installment.due_on, reference="SAME",
        actor=finance,
    )  # fmt: skip
    assert race(pay, pay) == ["ok", "ok"]
    installment.refresh_from_db()
    assert installment.paid_amount == Decimal("100.00")
    assert Payment.objects.count() == 1


def _coupon(member):
    points_services.earn_points(member_id=member.pk, event=EarnEvent.CAMPAIGN, idempotency_key="race", points=2000)
    reward = RewardFactory(kind=RewardKind.REPAYMENT_COUPON, cost_points=500, face_value=Decimal("300.00"))
    return points_services.redeem_reward(member_id=member.pk, reward_id=reward.pk, idempotency_key="race").coupon


def test_one_coupon_on_two_installments_at_once_goes_on_one(loan):
    member_user = loan.order.member.user
    coupon = _coupon(loan.order.member)
    first, second = loan.installments.order_by("number")
    outcomes = race(
        lambda: repayments.apply_repayment_coupon(installment_id=first.pk, coupon_code=coupon.code, actor=member_user),
        lambda: repayments.apply_repayment_coupon(installment_id=second.pk, coupon_code=coupon.code, actor=member_user),
    )
    assert sorted(outcomes) == ["coupon_not_usable", "ok"]
    deductions = sorted(Installment.objects.filter(loan=loan).values_list("deduction", flat=True))
    assert deductions == [Decimal("0.00"), Decimal("300.00")]


def test_two_coupons_on_one_installment_at_once_one_is_taken(loan):
    member = loan.order.member
    points_services.earn_points(member_id=member.pk, event=EarnEvent.CAMPAIGN, idempotency_key="race2", points=2000)
    reward = RewardFactory(kind=RewardKind.REPAYMENT_COUPON, cost_points=500, face_value=Decimal("300.00"))
    coupons = [
        points_services.redeem_reward(member_id=member.pk, reward_id=reward.pk, idempotency_key=key).coupon
        for key in ("one", "two")
    ]
    first = loan.installments.get(number=1)
    outcomes = race(
        *(
            lambda code=coupon.code: repayments.apply_repayment_coupon(
                installment_id=first.pk, coupon_code=code, actor=member.user
            )
            for coupon in coupons
        )
    )
    assert sorted(outcomes) == ["installment_closed_to_coupons", "ok"]
    first.refresh_from_db()
    assert first.deduction == Decimal("300.00")
    statuses = sorted(Coupon.objects.filter(pk__in=[c.pk for c in coupons]).values_list("status", flat=True))
    assert statuses == ["active", "used"]


def test_a_repayment_file_and_a_payment_racing_on_one_installment_never_overpay(loan, settings, tmp_path):
    from django.core.files.base import ContentFile

    from orders.models import RepaymentImport
    from orders.repayment_import import apply_repayment_file

    settings.MEDIA_ROOT = tmp_path
    finance = StaffFactory(role="finance")
    installment = loan.installments.get(number=1)
    content = f"reference,contract,installment,amount,paid_on\nFILE-1,{loan.order.number},1,2000.00,2026-11-01\n"
    repayment_import = RepaymentImport.objects.create(
        file=ContentFile(content.encode(), name="race.csv"), original_name="race.csv"
    )
    results = {}

    def apply_file():
        results["file"] = apply_repayment_file(repayment_import_id=repayment_import.pk).status

    def pay():
        repayments.record_payment(
            installment_id=installment.pk, amount=Decimal("2000.00"), paid_on=installment.due_on, reference="DESK-1",
            actor=finance,
        )  # fmt: skip

    outcomes = race(apply_file, pay)
    installment.refresh_from_db()
    assert installment.paid_amount == Decimal("2000.00")
    assert Payment.objects.filter(installment=installment).count() == 1
    # Whichever came second was refused: the file rejected whole, or the desk payment as an overpayment.
    assert (results["file"], outcomes[1]) in {("done", "overpayment"), ("rejected", "ok")}


def test_the_same_file_uploaded_twice_at_once_records_each_payment_once(loan, settings, tmp_path):
    """The second import waits for the first's lock, then finds every reference recorded (part payments, so no
    overpayment check could stop it instead)."""
    from django.core.files.base import ContentFile

    from orders.models import RepaymentImport
    from orders.repayment_import import apply_repayment_file

    settings.MEDIA_ROOT = tmp_path
    number = loan.order.number
    content = (
        "reference,contract,installment,amount,paid_on\n"
        f"TWICE-1,{number},1,100.00,2026-11-01\nTWICE-2,{number},2,100.00,2026-11-01\n"
    ).encode()
    imports = [
        RepaymentImport.objects.create(file=ContentFile(content, name=f"same-{n}.csv"), original_name="same.csv")
        for n in range(2)
    ]
    race(*(lambda pk=each.pk: apply_repayment_file(repayment_import_id=pk) for each in imports))
    results = sorted(
        RepaymentImport.objects.filter(pk__in=[each.pk for each in imports]).values_list(
            "status", "applied_count", "already_recorded_count"
        )
    )
    assert results == [("done", 0, 2), ("done", 2, 0)]
    assert Payment.objects.filter(reference__startswith="TWICE-").count() == 2
    assert sorted(loan.installments.filter(number__lte=2).values_list("paid_amount", flat=True)) == [
        Decimal("100.00"), Decimal("100.00"),
    ]  # fmt: skip


# The payment → installment link is checked by triggers (migration 0013), not a foreign-key constraint: a payment
# recorded and its installment deleted at once never both commit, and no payment is left without its installment.

FOREIGN_KEY_VIOLATION = "23503"
INSERT_PAYMENT = """INSERT INTO orders_payment (installment_id, amount, paid_on, reference, source, created_at)
    VALUES (%s, 10, '2026-11-01', %s, 'imported', now())"""
DELETE_INSTALLMENT = "DELETE FROM orders_installment WHERE id = %s"


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def wait_until_blocked(pid: int, timeout: float = 20) -> None:
    """Until the server process ``pid`` waits for a lock another transaction holds (the lock manager, read live)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [pid])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError(f"server process {pid} never waited for a lock")


def orphan_payments() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT COUNT(*) FROM orders_payment p
               WHERE NOT EXISTS (SELECT 1 FROM orders_installment i WHERE i.id = p.installment_id)"""
        )
        return cursor.fetchone()[0]


class Deleter:
    """Deletes one installment in its own transaction once told to, after publishing its server process."""

    def __init__(self, installment_id: int) -> None:
        self.installment_id, self.pid = installment_id, None
        self.known, self.go = threading.Event(), threading.Event()

    def __call__(self) -> None:
        self.pid = backend_pid()
        self.known.set()
        assert self.go.wait(20)
        with transaction.atomic():
            sql(DELETE_INSTALLMENT, [self.installment_id])

    def wait_until_blocked(self) -> None:
        assert self.known.wait(20)
        wait_until_blocked(self.pid)


def test_an_installment_deleted_while_a_payment_on_it_is_being_recorded_waits_and_is_refused(loan):
    """The delete's commit waits for the transaction recording a payment, then finds the payment."""
    installment = loan.installments.get(number=1)
    deleter = Deleter(installment.pk)

    def record():
        with transaction.atomic():
            sql(INSERT_PAYMENT, [installment.pk, "WHILE-DELETED"])
            deleter.go.set()
            deleter.wait_until_blocked()

    assert race(record, deleter) == ["ok", FOREIGN_KEY_VIOLATION]
    assert Payment.objects.filter(installment=installment).count() == 1
    assert orphan_payments() == 0


def test_a_payment_recorded_while_its_installment_is_deleted_waits_and_is_refused(loan):
    """Once a delete's check has run, a payment on any installment waits for the delete to commit, then finds its
    installment gone."""
    installment = loan.installments.get(number=1)
    checked, recorder = threading.Event(), {}

    def delete():
        with transaction.atomic():
            sql(DELETE_INSTALLMENT, [installment.pk])
            sql("SET CONSTRAINTS ALL IMMEDIATE")  # the check, as at the commit: it holds the payments' lock
            checked.set()
            assert recorder["known"].wait(20)
            wait_until_blocked(recorder["pid"])

    def record():
        recorder["pid"] = backend_pid()
        recorder["known"].set()
        assert checked.wait(20)
        with transaction.atomic():
            sql(INSERT_PAYMENT, [installment.pk, "AFTER-DELETE"])

    recorder["known"] = threading.Event()
    assert race(delete, record) == ["ok", FOREIGN_KEY_VIOLATION]
    assert not Installment.objects.filter(pk=installment.pk).exists()
    assert not Payment.objects.exists()


def test_a_desk_payment_holding_its_installment_and_a_delete_end_without_a_deadlock(loan):
    """A payment at the desk locks its installment's row, then records the payment (repayments.record_payment); a
    delete of that installment waits for the row, and its check, taken at the commit, finds the payment: the
    payment is kept and the delete refused, no deadlock (a lock on the payments taken before the delete's rows would
    wait for the desk while the desk waited for it)."""
    installment = loan.installments.get(number=1)
    deleter = Deleter(installment.pk)

    def pay_at_the_desk():
        with transaction.atomic():
            sql("SELECT id FROM orders_installment WHERE id = %s FOR UPDATE", [installment.pk])
            deleter.go.set()
            deleter.wait_until_blocked()
            sql(INSERT_PAYMENT, [installment.pk, "DESK"])
            sql("UPDATE orders_installment SET paid_amount = paid_amount + 10 WHERE id = %s", [installment.pk])

    assert race(pay_at_the_desk, deleter) == ["ok", FOREIGN_KEY_VIOLATION]
    installment.refresh_from_db()
    assert installment.paid_amount == Decimal("10.00")
    assert orphan_payments() == 0


def test_payments_and_deletes_of_their_installments_at_once_never_both_commit(loan):
    """Released together, many times: in each round exactly one of the two commits, and no payment is ever left
    without its installment."""
    due_on = loan.installments.get(number=1).due_on
    for number in range(10, 22):
        installment = Installment.objects.create(
            loan=loan, number=number, due_on=due_on, principal=Decimal("2310.00"), interest=Decimal("454.14"),
            amount=Decimal("2764.14"),
        )  # fmt: skip
        turn = iter(("record", "delete"))
        lock = threading.Lock()

        def work(installment=installment, turn=turn, lock=lock):
            with lock:
                role = next(turn)
            with transaction.atomic():
                if role == "record":
                    sql(INSERT_PAYMENT, [installment.pk, f"AT-ONCE-{installment.pk}"])
                else:
                    sql(DELETE_INSTALLMENT, [installment.pk])
            return role

        results, errors = run_at_once(work)
        assert len(results) == 1, (results, errors)
        assert [getattr(error.__cause__, "sqlstate", error) for error in errors] == [FOREIGN_KEY_VIOLATION]
        kept = Installment.objects.filter(pk=installment.pk).exists()
        assert kept == (results == ["record"]) == Payment.objects.filter(installment_id=installment.pk).exists()
    assert orphan_payments() == 0
