"""SQL files applied by migrations: PostgreSQL functions that some hot paths call (docs/performance.md).

Only PostgreSQL gets them; on the embedded SQLite of the demo the same services run their ORM code instead."""

from pathlib import Path

from django.db import migrations


def run_sql_file_on_postgresql(path: Path, *, reverse_sql: str) -> migrations.RunPython:
    """A migration operation that runs ``path`` (statements that are safe to run again, e.g. CREATE OR REPLACE)."""

    def forward(_apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(path.read_text(encoding="utf-8"), params=None)

    def backward(_apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(reverse_sql, params=None)

    return migrations.RunPython(forward, backward, elidable=False)
