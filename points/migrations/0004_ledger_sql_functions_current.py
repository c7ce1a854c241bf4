from pathlib import Path

from django.db import migrations

from common.sql_files import run_sql_file_on_postgresql

SQL = Path(__file__).resolve().parent.parent / "sql" / "ledger_functions.sql"


class Migration(migrations.Migration):
    """Applies the current ledger_functions.sql to databases migrated before: points_lock_account now returns the
    account id, balance and the member's user id (OUT parameters), and a result type cannot be replaced in place."""

    dependencies = [
        ("points", "0003_ledger_sql_functions"),
        ("notifications", "0011_inbox_sql_functions_current"),
    ]

    operations = [
        run_sql_file_on_postgresql(
            SQL,
            sha256="eb36a2d100851d37fa08f00db60ea6592fd67f7a2d98077d0fa0350bf06f6d39",
            before_sql="DROP FUNCTION IF EXISTS points_lock_account(bigint, timestamptz);",
            reverse_sql=(
                "DROP FUNCTION IF EXISTS points_redeem; DROP FUNCTION IF EXISTS points_earn;"
                " DROP FUNCTION IF EXISTS points_lock_account;"
            ),
        )
    ]
