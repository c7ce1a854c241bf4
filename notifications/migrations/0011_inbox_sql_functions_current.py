from pathlib import Path

from django.db import migrations

from common.sql_files import run_sql_file_on_postgresql

SQL = Path(__file__).resolve().parent.parent / "sql" / "queue_inbox.sql"


class Migration(migrations.Migration):
    """Applies the current queue_inbox.sql (template and insert in one statement) to databases migrated before."""

    dependencies = [("notifications", "0010_notification_attachments")]

    operations = [
        run_sql_file_on_postgresql(
            SQL,
            sha256="a7486fb5f997c8efe4872b945d5c169940eaa9251dd54c6c73362379f2c2db09",
            reverse_sql="DROP FUNCTION IF EXISTS notifications_queue_inbox; DROP FUNCTION IF EXISTS notifications_render;",
        )
    ]
