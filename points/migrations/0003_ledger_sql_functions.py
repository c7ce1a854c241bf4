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
            sha256="6981e5a9f52fc0f7d2b61efe06267bd666e06d226105c466431b8c977c803a55",
            reverse_sql=(
                "DROP FUNCTION IF EXISTS points_redeem; DROP FUNCTION IF EXISTS points_earn;"
                " DROP FUNCTION IF EXISTS points_lock_account;"
            ),
        )
    ]
