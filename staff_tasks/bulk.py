"""Set-based task rules: one INSERT … SELECT … ON CONFLICT (dedupe_key) DO NOTHING per rule, whatever the number of
members, so running the rules twice (or twice at once) opens nothing new.

The app that owns a rule's data writes the SELECT (who, for which store, and the values the title and script need);
this module renders the rule's title and script as SQL, leaves out members who opted out of calls, and adds the task
columns. The dedupe key is the rule, the subject and the due date.
"""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from notifications.bulk import sql_text
from staff_tasks.enums import TaskStatus
from staff_tasks.models import TaskRule
from staff_tasks.rules import RULE_PLACEHOLDERS, respects_call_opt_out

# Someone who switched calls off (a "call" preference that is off, for any category) gets no task from a rule.
OPTED_OUT_OF_CALLS = """
    EXISTS (SELECT 1 FROM members_member om JOIN notifications_preference pref ON pref.user_id = om.user_id
            WHERE om.id = source.member_id AND pref.channel = 'call' AND NOT pref.is_enabled)
"""


def due_time(*, rule: TaskRule, day: datetime.date) -> datetime.datetime:
    """The moment a rule's task of local date ``day`` is due: the rule's hour of that day, local time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour=rule.due_hour)))


def bulk_open_rule_tasks(
    *, rule: TaskRule, source_sql: str, source_params: list, subject_type: str, due_on: datetime.date
) -> int:
    """Open one task of ``rule`` per row of ``source_sql``, due on local date ``due_on``; returns how many were new.

    ``source_sql`` yields ``member_id``, ``store_id`` (may be NULL), ``subject_id`` and one column per placeholder
    of the rule's trigger (``{plate}`` in the script reads the column ``plate``).
    """
    columns = {name: f"source.{name}" for name in RULE_PLACEHOLDERS[rule.trigger]}
    title_sql, title_params = sql_text(rule.title, columns)
    script_sql, script_params = sql_text(rule.script, columns)
    opted_out = f" AND NOT {OPTED_OUT_OF_CALLS}" if respects_call_opt_out(rule=rule) else ""
    now = timezone.now()
    sql = f"""
        INSERT INTO staff_tasks_task (
            kind, title, status, store_id, member_id, subject_type, subject_id, contact_name, contact_phone,
            due_at, script, outcome, note, rule_id, dedupe_key, created_at, updated_at
        )
        SELECT %s, SUBSTR({title_sql}, 1, 200), %s, source.store_id, source.member_id, %s, source.subject_id,
               '', '', %s, {script_sql}, '', '', %s,
               %s || CAST(source.subject_id AS TEXT) || %s, %s, %s
        FROM ({source_sql}) AS source
        WHERE 1 = 1{opted_out}
        ON CONFLICT (dedupe_key) DO NOTHING
    """  # noqa: S608  (identifiers are ours; every value is a parameter)
    params = [
        rule.kind, *title_params, TaskStatus.OPEN, subject_type, due_time(rule=rule, day=due_on), *script_params,
        rule.pk, f"rule:{rule.code}:{subject_type}:", f":{due_on.isoformat()}", now, now, *source_params,
    ]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def bulk_open_tasks(
    *,
    kind: str,
    subject_type: str,
    source_sql: str,
    source_params: list,
    due_at: datetime.datetime,
    dedupe_prefix: str,
    created_by=None,
    respect_call_opt_out: bool = False,
) -> int:
    """Open one task per row of ``source_sql`` (not from a rule: an escalation, a recall a manager asks for);
    returns how many were new.

    ``source_sql`` yields ``member_id``, ``store_id`` (NULL: head office's queue), ``subject_id``, ``title`` and
    ``script``; the dedupe key is ``dedupe_prefix`` followed by the subject id, so running it again opens nothing.
    With ``respect_call_opt_out`` members who switched calls off get none (a care or marketing call; a complaint's
    follow-up is the member's own request and always opens).
    """
    now = timezone.now()
    opted_out = f" AND NOT {OPTED_OUT_OF_CALLS}" if respect_call_opt_out else ""
    sql = f"""
        INSERT INTO staff_tasks_task (
            kind, title, status, store_id, member_id, subject_type, subject_id, contact_name, contact_phone,
            due_at, script, outcome, note, created_by_id, dedupe_key, created_at, updated_at
        )
        SELECT %s, SUBSTR(source.title, 1, 200), %s, source.store_id, source.member_id, %s, source.subject_id,
               '', '', %s, source.script, '', '', %s, %s || CAST(source.subject_id AS TEXT), %s, %s
        FROM ({source_sql}) AS source
        WHERE 1 = 1{opted_out}  -- SQLite reads "FROM … ON CONFLICT" as a join's ON without a WHERE between them
        ON CONFLICT (dedupe_key) DO NOTHING
    """  # noqa: S608  (identifiers are ours; every value is a parameter)
    params = [
        kind, TaskStatus.OPEN, subject_type, due_at, created_by.pk if created_by else None, dedupe_prefix, now, now,
        *source_params,
    ]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def bulk_cancel_open_tasks(*, kind: str, subject_type: str, subject_ids_sql: str, params: list, note: str) -> int:
    """Cancel the open tasks of ``kind`` about the subjects ``subject_ids_sql`` selects (one statement, whatever
    their number), e.g. the collection calls of installments that were just paid. Returns how many were open."""
    sql = f"""
        UPDATE staff_tasks_task SET status = %s, note = %s, updated_at = %s
        WHERE status = %s AND kind = %s AND subject_type = %s AND subject_id IN ({subject_ids_sql})
    """  # noqa: S608  (the caller's SQL is its own; every value is a parameter)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [TaskStatus.CANCELLED, note, timezone.now(), TaskStatus.OPEN, kind, subject_type, *params])
        return max(cursor.rowcount, 0)


def sql_days_since(*, day_placeholder: str, column: str) -> str:
    """Whole days from a date column to a date parameter, in this database's dialect."""
    if connection.vendor == "postgresql":
        return f"(CAST({day_placeholder} AS DATE) - {column})"
    return f"CAST(julianday({day_placeholder}) - julianday({column}) AS INTEGER)"
