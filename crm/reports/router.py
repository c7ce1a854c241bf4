"""Reports read from a replica when one is configured (``DATABASE_REPLICA_URL``), so head office's analysis never
loads the primary that serves members.

The router sends reads to the replica only inside ``reading_from_replica()``, which the report selectors open; every
other read, and every write anywhere, goes where Django would send it anyway. Without a replica the block changes
nothing.
"""

import contextlib
import contextvars

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA_ALIAS = "replica"

_reports_reading = contextvars.ContextVar("reports_reading", default=False)


def report_database() -> str:
    """The alias the reports read from: the replica when configured, else the primary."""
    return REPLICA_ALIAS if REPLICA_ALIAS in settings.DATABASES else DEFAULT_DB_ALIAS


@contextlib.contextmanager
def reading_from_replica():
    token = _reports_reading.set(True)
    try:
        yield report_database()
    finally:
        _reports_reading.reset(token)


class ReportReplicaRouter:
    """Reads inside ``reading_from_replica()`` go to the replica; this router has no opinion on anything else."""

    def db_for_read(self, model, **hints):
        if _reports_reading.get() and REPLICA_ALIAS in settings.DATABASES:
            return REPLICA_ALIAS
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary: objects read from either may be related.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA_ALIAS}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary by replication; migrations run on the primary only.
        if db == REPLICA_ALIAS:
            return False
        return None
