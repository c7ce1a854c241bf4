from pathlib import Path

from django.db import migrations

from common.sql_files import run_sql_file_on_postgresql

SQL = Path(__file__).resolve().parent.parent / "sql" / "queue_inbox.sql"


class Migration(migrations.Migration):
    dependencies = [("notifications", "0008_outbox_indexes")]

    operations = [
        run_sql_file_on_postgresql(
            SQL,
            sha256="a5983516cf84765204f36a18fcb9ba50ea2824d971f01281311417d9805d67f3",
            reverse_sql="DROP FUNCTION IF EXISTS notifications_queue_inbox; DROP FUNCTION IF EXISTS notifications_render;",
        )
    ]
