from pathlib import Path

from django.db import migrations

from common.sql_files import run_sql_file_on_postgresql

SQL = Path(__file__).resolve().parent.parent / "sql" / "ledger_functions.sql"


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0002_default_earn_rules"),
        ("notifications", "0009_inbox_sql_functions"),
        ("members", "0001_initial"),
    ]

    operations = [
        run_sql_file_on_postgresql(
            SQL,
            reverse_sql=(
                "DROP FUNCTION IF EXISTS points_redeem; DROP FUNCTION IF EXISTS points_earn;"
                " DROP FUNCTION IF EXISTS points_lock_account;"
            ),
        )
    ]
