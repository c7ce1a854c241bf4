"""PostgreSQL for the test suite (config/settings/test.py): the flush after each transactional test deletes rows
instead of truncating tables.

Django empties the database after every ``transaction=True`` test with one ``TRUNCATE`` of every table. TRUNCATE
gives each table, index and TOAST table a new file and unlinks the old ones at commit: one to three seconds per test
on our disks, most of a transactional test's time. Deleting the few rows a test wrote takes milliseconds. The result
is the same (neither resets sequences), and Django's foreign keys are ``DEFERRABLE INITIALLY DEFERRED``, so the
order of the deletes does not matter; ``SET CONSTRAINTS ALL IMMEDIATE`` checks them inside the block. Should a delete
be refused (a trigger, a constraint that cannot wait), the block falls back to Django's own TRUNCATE.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        truncate = super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if not tables or reset_sequences or allow_cascade:
            return truncate
        # Table names come from Django's own introspection, quoted.
        deletes = " ".join(f"DELETE FROM {self.quote_name(table)};" for table in sorted(tables))  # noqa: S608
        return [
            "DO $flush$ BEGIN SET CONSTRAINTS ALL DEFERRED; "
            f"{deletes} SET CONSTRAINTS ALL IMMEDIATE; "
            f"EXCEPTION WHEN OTHERS THEN {' '.join(truncate)} END $flush$;"
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
