"""A payment's installment is checked by triggers instead of a foreign-key constraint.

PostgreSQL checks a foreign key one new row at a time when the transaction commits: 200,000 lookups for a repayment
file, about a second. Here the payments a statement wrote are checked together, with one anti-join over the
statement's transition table, and the cost moves to the rare side, the delete of installments (a loan deleted in the
admin, where Django's PROTECT refuses it first anyway):

- ``orders_payment``, after each INSERT and each UPDATE statement: a payment whose installment does not exist is
  refused with ``foreign_key_violation`` (23503), as the constraint refused it. (Two triggers: a trigger with a
  transition table takes one event.)
- ``orders_installment``, a constraint trigger deferred to the commit, like Django's foreign keys, for each deleted
  installment (and one whose id changes): it locks ``orders_payment`` in SHARE mode, so the commit waits for the
  payments other transactions are recording, and a payment recorded after it waits for this transaction; then
  refuses the commit with 23503 when a payment is still on the installment. Deferred, the order of the deletes in a
  transaction does not matter; taken at the commit, after the rows are deleted, the lock never waits while this
  transaction holds an installment a payment at the desk has locked (taken before the deletes, the two deadlock).
- ``orders_installment``, after TRUNCATE: refused while ``orders_payment`` holds a row (truncating both together
  is fine), as the constraint refused it.

This relies on READ COMMITTED, the isolation Django uses: each check reads what is committed when it runs.

SQLite (the zero-setup demo) has no statement triggers with transition tables and no deferred triggers: row
triggers refuse an insert or update of a payment without its installment, and the delete (or an id change) of an
installment that still has payments. Without deferral the order matters there: delete the payments before their
installments (``manage.py flush``, which empties tables in no set order, can be refused on a demo database with
payments; start from a new demo file instead). SQLite drops a table's triggers when Django remakes the table: a later
migration that alters ``orders_payment`` or ``orders_installment`` there must create them again.
"""

from django.db import migrations, models

ERROR = "23503"  # foreign_key_violation

POSTGRESQL = [
    f"""CREATE FUNCTION orders_payment_installment_exists() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        missing bigint;
    BEGIN
        SELECT p.installment_id INTO missing FROM new_payments p
        WHERE NOT EXISTS (SELECT FROM orders_installment i WHERE i.id = p.installment_id)
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION USING ERRCODE = '{ERROR}', TABLE = 'orders_payment', COLUMN = 'installment_id',
                MESSAGE = 'insert or update on table "orders_payment" violates the link to "orders_installment"',
                DETAIL = format('Key (installment_id)=(%s) is not present in table "orders_installment".', missing);
        END IF;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER orders_payment_installment_on_insert AFTER INSERT ON orders_payment
    REFERENCING NEW TABLE AS new_payments FOR EACH STATEMENT EXECUTE FUNCTION orders_payment_installment_exists()""",
    """CREATE TRIGGER orders_payment_installment_on_update AFTER UPDATE ON orders_payment
    REFERENCING NEW TABLE AS new_payments FOR EACH STATEMENT EXECUTE FUNCTION orders_payment_installment_exists()""",
    f"""CREATE FUNCTION orders_installment_without_payments() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
            RETURN NULL;
        END IF;
        LOCK TABLE orders_payment IN SHARE MODE;
        IF EXISTS (SELECT FROM orders_payment WHERE installment_id = OLD.id) THEN
            RAISE EXCEPTION USING ERRCODE = '{ERROR}', TABLE = 'orders_installment',
                MESSAGE = 'update or delete on table "orders_installment" violates the link from "orders_payment"',
                DETAIL = format('Key (id)=(%s) is still referenced from table "orders_payment".', OLD.id);
        END IF;
        RETURN NULL;
    END
    $$""",
    """CREATE CONSTRAINT TRIGGER orders_installment_without_payments AFTER DELETE OR UPDATE OF id
    ON orders_installment DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION orders_installment_without_payments()""",
    f"""CREATE FUNCTION orders_installment_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        LOCK TABLE orders_payment IN SHARE MODE;
        IF EXISTS (SELECT FROM orders_payment) THEN
            RAISE EXCEPTION USING ERRCODE = '{ERROR}', TABLE = 'orders_installment',
                MESSAGE = 'cannot truncate "orders_installment" while "orders_payment" has rows',
                HINT = 'Truncate "orders_payment" in the same statement.';
        END IF;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER orders_installment_truncated AFTER TRUNCATE ON orders_installment
    FOR EACH STATEMENT EXECUTE FUNCTION orders_installment_truncated()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER orders_installment_truncated ON orders_installment",
    "DROP FUNCTION orders_installment_truncated()",
    "DROP TRIGGER orders_installment_without_payments ON orders_installment",
    "DROP FUNCTION orders_installment_without_payments()",
    "DROP TRIGGER orders_payment_installment_on_update ON orders_payment",
    "DROP TRIGGER orders_payment_installment_on_insert ON orders_payment",
    "DROP FUNCTION orders_payment_installment_exists()",
]

_NO_INSTALLMENT = "SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: orders_payment.installment_id has no installment')"
_PAYMENTS_LEFT = "SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: the installment still has payments')"
SQLITE = [
    f"""CREATE TRIGGER orders_payment_installment_on_insert BEFORE INSERT ON orders_payment
    WHEN NOT EXISTS (SELECT 1 FROM orders_installment WHERE id = NEW.installment_id)
    BEGIN {_NO_INSTALLMENT}; END""",
    f"""CREATE TRIGGER orders_payment_installment_on_update BEFORE UPDATE OF installment_id ON orders_payment
    WHEN NOT EXISTS (SELECT 1 FROM orders_installment WHERE id = NEW.installment_id)
    BEGIN {_NO_INSTALLMENT}; END""",
    f"""CREATE TRIGGER orders_installment_without_payments BEFORE DELETE ON orders_installment
    WHEN EXISTS (SELECT 1 FROM orders_payment WHERE installment_id = OLD.id)
    BEGIN {_PAYMENTS_LEFT}; END""",
    f"""CREATE TRIGGER orders_installment_id_without_payments BEFORE UPDATE OF id ON orders_installment
    WHEN NEW.id <> OLD.id AND EXISTS (SELECT 1 FROM orders_payment WHERE installment_id = OLD.id)
    BEGIN {_PAYMENTS_LEFT}; END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER orders_installment_id_without_payments",
    "DROP TRIGGER orders_installment_without_payments",
    "DROP TRIGGER orders_payment_installment_on_update",
    "DROP TRIGGER orders_payment_installment_on_insert",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0012_payment_import_key_without_constraint"),
    ]

    operations = [
        migrations.AlterField(
            model_name="payment",
            name="installment",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=models.deletion.PROTECT,
                related_name="payments",
                to="orders.installment",
                verbose_name="installment",
            ),
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
