"""SQL files applied by migrations: PostgreSQL functions that some hot paths call (docs/performance.md).

Only PostgreSQL gets them; on the embedded SQLite of the demo the same services run their ORM code instead.

A migration reads the file when it runs, so it would apply whatever the file says today. Each applying migration
therefore names the SHA-256 of the file as it was written for that migration, and runs only when the file still has
it: a changed file needs a new migration with the new hash (tests/test_sql_files.py checks that the latest one
has it), which is what brings the change to databases that are already migrated. An older migration whose file has
moved on does nothing, since a later one applies the current text.
"""

import hashlib
import logging
from pathlib import Path

from django.db import migrations

logger = logging.getLogger("member_center.migrations")


def sql_file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class RunSqlFile(migrations.RunPython):
    """Runs ``path`` on PostgreSQL when the file's SHA-256 is ``sha256`` (see the module docstring)."""

    def __init__(self, path: Path, *, sha256: str, reverse_sql: str, before_sql: str = "") -> None:
        self.path, self.sha256, self.before_sql, self.reverse_sql = Path(path), sha256, before_sql, reverse_sql
        super().__init__(self._forward, self._backward, elidable=False)

    def _forward(self, _apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        if sql_file_sha256(self.path) != self.sha256:
            logger.info("%s has changed since this migration; a later migration applies it", self.path.name)
            return
        if self.before_sql:
            schema_editor.execute(self.before_sql, params=None)
        schema_editor.execute(self.path.read_text(encoding="utf-8"), params=None)

    def _backward(self, _apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(self.reverse_sql, params=None)


def run_sql_file_on_postgresql(
    path: Path, *, sha256: str, reverse_sql: str, before_sql: str = ""
) -> migrations.RunPython:
    """A migration operation that runs ``path`` (statements safe to run again, e.g. CREATE OR REPLACE) when the
    file's SHA-256 is ``sha256``. ``before_sql`` runs first, e.g. a DROP FUNCTION when a result type changes."""
    return RunSqlFile(path, sha256=sha256, reverse_sql=reverse_sql, before_sql=before_sql)
