"""A payment's installment is checked by the database, on PostgreSQL and on the SQLite demo, although the link has no
foreign-key constraint (triggers instead, migration 0013): no payment without its installment, no installment deleted
from under its payments, whatever writes the rows. The races are in test_money_concurrency.py."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from orders.models import Installment, Payment
from tests.helpers import run_on_sqlite
from tests.members.factories import StoreFactory
from tests.orders.factories import LoanFactory

INSERT_PAYMENT = """INSERT INTO orders_payment (installment_id, amount, paid_on, reference, source, created_at)
    VALUES (%s, 10, '2026-11-01', %s, 'imported', '2026-11-01')"""


def sql(statement: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def missing_installment_id() -> int:
    return (Installment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


@pytest.fixture
def installment(db):
    return LoanFactory(order__store=StoreFactory()).installments.get(number=1)


@pytest.fixture
def paid(installment):
    """The installment with one payment on it."""
    Payment.objects.create(
        installment=installment, amount=Decimal("10.00"), paid_on=datetime.date(2026, 11, 1), reference="PAID-1",
        source="recorded",
    )  # fmt: skip
    return installment


@pytest.mark.django_db
def test_a_payment_without_its_installment_is_refused(installment):
    with pytest.raises(IntegrityError, match='is not present in table "orders_installment"'), transaction.atomic():
        sql(INSERT_PAYMENT, [missing_installment_id(), "NOWHERE"])
    assert sql(INSERT_PAYMENT, [installment.pk, "HERE"]) == 1


@pytest.mark.django_db
def test_one_payment_without_its_installment_refuses_the_whole_statement(installment):
    rows = f"""INSERT INTO orders_payment (installment_id, amount, paid_on, reference, source, created_at)
        SELECT CASE WHEN n = 500 THEN {missing_installment_id()} ELSE {installment.pk} END, 1, '2026-11-01',
               'MANY-' || n, 'imported', now()
        FROM generate_series(1, 1000) AS n"""  # noqa: S608  (integers)
    with pytest.raises(IntegrityError), transaction.atomic():
        sql(rows)
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_a_payment_moved_to_no_installment_is_refused(paid):
    with pytest.raises(IntegrityError), transaction.atomic():
        sql("UPDATE orders_payment SET installment_id = %s", [missing_installment_id()])
    # Other updates of a payment are checked and pass.
    assert sql("UPDATE orders_payment SET amount = 20") == 1


@pytest.mark.django_db
def test_truncating_the_installments_alone_is_refused_while_payments_exist(paid):
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's own checks first: TRUNCATE refuses a table with them pending
    with pytest.raises(IntegrityError, match='while "orders_payment" has rows'), transaction.atomic():
        sql("TRUNCATE orders_installment")
    assert Installment.objects.filter(pk=paid.pk).exists()


@pytest.mark.django_db
def test_django_still_protects_an_installment_with_payments(paid):
    with pytest.raises(ProtectedError):
        paid.delete()


# The installments' side is checked when the transaction commits (deferred, like Django's foreign keys): these tests
# commit.


@pytest.mark.django_db(transaction=True)
def test_deleting_an_installment_with_payments_is_refused_at_the_commit(paid):
    with pytest.raises(IntegrityError, match='still referenced from table "orders_payment"'), transaction.atomic():
        assert sql("DELETE FROM orders_installment WHERE id = %s", [paid.pk]) == 1
    assert Installment.objects.filter(pk=paid.pk).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        sql("UPDATE orders_installment SET id = %s WHERE id = %s", [missing_installment_id(), paid.pk])
    assert Installment.objects.filter(pk=paid.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_an_installment_without_payments_can_be_deleted_and_so_can_payments_then_their_installment(paid):
    other = Installment.objects.get(loan=paid.loan, number=2)
    with transaction.atomic():
        assert sql("DELETE FROM orders_installment WHERE id = %s", [other.pk]) == 1
    # In one transaction, in either order: the check waits for the commit.
    with transaction.atomic():
        sql("DELETE FROM orders_installment WHERE id = %s", [paid.pk])
        sql("DELETE FROM orders_payment WHERE installment_id = %s", [paid.pk])
    assert not Installment.objects.filter(loan=paid.loan).exists()


SQLITE_SCRIPT = r"""
import datetime, json
from decimal import Decimal
import django
django.setup()
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

assert connection.vendor == "sqlite"
call_command("migrate", verbosity=0)
from orders.models import Installment, Payment
from tests.orders.factories import LoanFactory
from tests.members.factories import StoreFactory

loan = LoanFactory(order__store=StoreFactory())
first, second = loan.installments.order_by("number")
Payment.objects.create(installment=first, amount=Decimal("10.00"), paid_on=datetime.date(2026, 11, 1),
                       reference="PAID-1", source="recorded")
INSERT = ("INSERT INTO orders_payment (installment_id, amount, paid_on, reference, source, created_at) "
          "VALUES (%s, 10, '2026-11-01', %s, 'imported', '2026-11-01')")

def refused(statement, params=()):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    except IntegrityError:
        return True
    return False

print(json.dumps({
    "insert without installment": refused(INSERT, [second.pk + 1000, "NOWHERE"]),
    "insert with installment": refused(INSERT, [second.pk, "HERE"]),
    "payment moved to no installment": refused("UPDATE orders_payment SET installment_id = %s", [second.pk + 1000]),
    "delete with payments": refused("DELETE FROM orders_installment WHERE id = %s", [first.pk]),
    "id changed with payments": refused("UPDATE orders_installment SET id = %s WHERE id = %s", [9999, first.pk]),
    "payments deleted": refused("DELETE FROM orders_payment WHERE installment_id = %s", [first.pk]),
    "delete without payments": refused("DELETE FROM orders_installment WHERE id = %s", [first.pk]),
    "installments left": Installment.objects.filter(loan=loan).count(),
}))
"""


def test_on_the_demo_sqlite_database_the_link_is_checked_too(demo_sqlite, tmp_path):
    assert run_on_sqlite(SQLITE_SCRIPT, tmp_path=tmp_path) == {
        "insert without installment": True,
        "insert with installment": False,
        "payment moved to no installment": True,
        "delete with payments": True,
        "id changed with payments": True,
        "payments deleted": False,
        "delete without payments": False,
        "installments left": 1,
    }
