"""The PostgreSQL functions in */sql/*.sql cannot go stale.

Migrations read the SQL files when they run, so a file changed without a new migration would pass every test
(tests build fresh databases) yet never reach a database that is already migrated. Each applying migration names
the file's SHA-256, and the latest one for each file must name the file as it is now. And the SQL's quoted
literals stored in or compared with enum columns must be values of the Python enum the column holds."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import ProgrammingError
from django.db.migrations.loader import MigrationLoader

from common.sql_files import RunSqlFile, sql_file_sha256
from notifications.models import Category, Channel, Status
from points.enums import CouponStatus, EarnEvent, EntryKind, RewardKind

ROOT = Path(__file__).resolve().parents[1]
SQL_FILES = sorted(path for path in ROOT.glob("*/sql/*.sql"))

# Every column the SQL writes or compares a quoted literal with, and the enum whose values it holds. Columns that
# hold free text are listed apart, so a new enum column in the SQL cannot pass unchecked.
ENUM_COLUMNS = {
    ("points_pointsentry", "kind"): EntryKind,
    ("points_coupon", "status"): CouponStatus,
    ("points_earnrule", "event"): EarnEvent,
    ("points_reward", "kind"): RewardKind,
    ("notifications_notification", "category"): Category,
    ("notifications_notification", "channel"): Channel,
    ("notifications_notification", "status"): Status,
    ("notifications_notificationtemplate", "channel"): Channel,
}
FREE_TEXT_COLUMNS = {
    ("points_pointsentry", "source"),
    ("points_coupon", "used_for"),
    ("notifications_notification", "last_error"),
    ("notifications_notification", "provider_message_id"),
    ("notifications_notification", "provider_status"),
}


def _applying_migrations():
    """{sql file: [(position in the migration plan, migration, operation)]} for every RunSqlFile operation."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    plan = []
    for leaf in sorted(loader.graph.leaf_nodes()):
        plan.extend(node for node in loader.graph.forwards_plan(leaf) if node not in plan)
    found = {}
    for key, migration in loader.disk_migrations.items():
        for operation in migration.operations:
            if isinstance(operation, RunSqlFile):
                found.setdefault(operation.path.resolve(), []).append((plan.index(key), key, operation))
    return found


def test_the_latest_migration_applying_each_sql_file_carries_its_current_hash():
    applying = _applying_migrations()
    assert len(SQL_FILES) == 2
    assert set(applying) == {path.resolve() for path in SQL_FILES}  # every file is applied, nothing else is
    for path in SQL_FILES:
        _position, key, operation = max(applying[path.resolve()], key=lambda item: item[0])
        assert operation.sha256 == sql_file_sha256(path), (
            f"{path.relative_to(ROOT)} changed: add a migration that applies it with sha256={sql_file_sha256(path)!r}"
            f" (the latest one, {key[0]}.{key[1]}, applies an older text)"
        )


@pytest.mark.django_db
def test_a_migration_whose_file_has_changed_runs_nothing():
    from django.db import connection

    path = SQL_FILES[0]
    stale = RunSqlFile(path, sha256="0" * 64, reverse_sql="", before_sql="SELECT no_such_function()")
    current = RunSqlFile(path, sha256=sql_file_sha256(path), reverse_sql="", before_sql="SELECT no_such_function()")
    with connection.schema_editor(atomic=True) as editor:
        stale.code(None, editor)  # would fail on the missing function if it ran anything
    with pytest.raises(ProgrammingError, match="no_such_function"), connection.schema_editor(atomic=True) as editor:
        current.code(None, editor)


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside parentheses and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and char == ",":
            parts.append(text[start:index].strip())
            start = index + 1
    parts.append(text[start:].strip())
    return parts


def _group_after(text: str, start: int) -> str:
    """The text inside the parentheses that open at or after ``start``."""
    opening = text.index("(", start)
    depth = 0
    for index in range(opening, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return text[opening + 1 : index]
    raise AssertionError("unbalanced parentheses")


def _select_list(text: str, start: int) -> str:
    """The select list of the SELECT at ``start``: up to its top-level FROM."""
    depth = 0
    for index in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0 and re.match(r"\s+FROM\s", text[index:]):
            return text[start:index]
    raise AssertionError("SELECT without FROM")


LITERAL = re.compile(r"^'([^']*)'(::\w+)?$")


def _literals_in(sql: str) -> set[tuple[str, str, str]]:
    """(table, column, literal) for each quoted literal an INSERT stores or a comparison tests a column with."""
    sql = re.sub(r"--[^\n]*", "", sql)
    found = set()
    for block in re.split(r"CREATE OR REPLACE FUNCTION", sql)[1:]:
        aliases = {
            alias: table
            for table, alias in re.findall(r"(?:FROM|JOIN|UPDATE)\s+(\w+)\s+(?:AS\s+)?(\w+)", block)
            if alias.upper() not in {"WHERE", "SET", "ON", "LEFT", "JOIN"}
        }
        for alias, column, literal in re.findall(r"\b(\w+)\.(\w+)\s*(?:=|<>|!=)\s*'([^']*)'", block):
            assert alias in aliases, f"alias {alias} of {column} = '{literal}' not found"
            found.add((aliases[alias], column, literal))
        for match in re.finditer(r"INSERT INTO (\w+)\s*\(", block):
            table = match.group(1)
            columns = _split_top_level(_group_after(block, match.start()))
            rest = block[match.end() + len(_group_after(block, match.start())) :]
            source = re.match(r"\)\s*(VALUES|SELECT)", rest)
            if source.group(1) == "VALUES":
                values = _split_top_level(_group_after(rest, source.start(1)))
            else:
                values = _split_top_level(_select_list(rest, source.end(1)))
            assert len(columns) == len(values), f"INSERT INTO {table}: {len(columns)} columns, {len(values)} values"
            for column, value in zip(columns, values, strict=True):
                literal = LITERAL.match(value)
                if literal:
                    found.add((table, column, literal.group(1)))
    return found


def test_the_enum_mapping_names_real_enum_columns():
    models = {model._meta.db_table: model for model in apps.get_models()}
    for (table, column), enum in ENUM_COLUMNS.items():
        field = next(field for field in models[table]._meta.concrete_fields if field.column == column)
        assert {value for value, _label in field.choices} == set(enum.values), (table, column)


def test_every_enum_literal_in_the_sql_is_a_value_of_its_python_enum():
    found = set().union(*(_literals_in(path.read_text(encoding="utf-8")) for path in SQL_FILES))
    # The parser sees what it must (a parser that finds nothing would prove nothing).
    assert {
        ("points_pointsentry", "kind", "earn"),
        ("points_pointsentry", "kind", "redeem"),
        ("points_coupon", "status", "active"),
        ("notifications_notification", "channel", "inbox"),
        ("notifications_notification", "category", "transactional"),
        ("notifications_notification", "status", "sent"),
        ("notifications_notificationtemplate", "channel", "inbox"),
    } <= found
    for table, column, literal in sorted(found):
        if (table, column) in FREE_TEXT_COLUMNS:
            continue
        assert (table, column) in ENUM_COLUMNS, f"{table}.{column} = '{literal}': say which enum the column holds"
        assert literal in ENUM_COLUMNS[table, column].values, f"'{literal}' is not a value of {table}.{column}"


def test_the_parser_catches_a_literal_that_is_not_an_enum_value():
    sql = """CREATE OR REPLACE FUNCTION f() RETURNS void LANGUAGE sql AS $$
        SELECT 1 FROM points_pointsentry e WHERE e.kind = 'earned';
        INSERT INTO notifications_notification (channel, status, body) VALUES ('sms', lower('x'), 'text');
    $$;"""
    assert _literals_in(sql) == {
        ("points_pointsentry", "kind", "earned"),
        ("notifications_notification", "channel", "sms"),
        ("notifications_notification", "body", "text"),
    }
    assert "earned" not in EntryKind.values
