"""Set-based task rules: one INSERT … SELECT … ON CONFLICT (dedupe_key) DO NOTHING for a rule (or for several rules
over the same source), whatever the number of members, so running the rules twice (or twice at once) opens nothing
new.

The app that owns a rule's data writes the SELECT (who, for which store, and the values the title and script need);
this module renders the rule's title and script as SQL, leaves out members who opted out of calls, and adds the task
columns. The dedupe key is the rule, the subject and the due date.
"""

import datetime
from collections import Counter

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
    created = bulk_open_picked_rule_tasks(
        picks=[(rule, None)], source_sql=source_sql, source_params=source_params, pick_column=None,
        subject_type=subject_type, due_on=due_on,
    )  # fmt: skip
    return created[rule.code]


def _per_rule_text(rules: list[TaskRule], field_name: str) -> tuple[str, list]:
    """A rule's title or script as SQL (literal text as parameters); a CASE on the pick's rule when several rules
    share the statement. Each rule's text is rendered once, the row's values are joined in by the database."""
    rendered = []
    for rule in rules:
        columns = {name: f"source.{name}" for name in RULE_PLACEHOLDERS[rule.trigger]}
        rendered.append(sql_text(getattr(rule, field_name), columns))
    if len(rendered) == 1:
        return rendered[0]
    branches, params = [], []
    for rule, (text_sql, text_params) in zip(rules, rendered, strict=True):
        branches.append(f"WHEN %s THEN {text_sql}")
        params += [rule.pk, *text_params]
    return f"(CASE picks.rule_id {' '.join(branches)} END)", params


def _leave_out_opted_out_sql(rules: list[TaskRule]) -> tuple[str, list]:
    """The condition that leaves out members who switched calls off, for the rules that respect it (all care calls;
    a collection call does not): plain when every rule agrees, so the planner can make it an anti-join."""
    respecting = [rule.pk for rule in rules if respects_call_opt_out(rule=rule)]
    if not respecting:
        return "", []
    if len(respecting) == len(rules):
        return f" AND NOT {OPTED_OUT_OF_CALLS}", []
    return f" AND NOT (picks.rule_id IN ({', '.join(['%s'] * len(respecting))}) AND {OPTED_OUT_OF_CALLS})", respecting


def bulk_open_picked_rule_tasks(
    *,
    picks: list[tuple[TaskRule, object]],
    source_sql: str,
    source_params: list,
    pick_column: str | None,
    subject_type: str,
    due_on: datetime.date,
) -> dict[str, int]:
    """Open the tasks of several rules over one source in one statement: for each pick ``(rule, value)`` one task of
    the rule per row of ``source_sql`` whose ``pick_column`` equals ``value`` (``pick_column`` None: every row), due
    on local date ``due_on``. Returns how many were new per rule code.

    The source is read once, through its index on ``pick_column``, instead of once per rule. ``source_sql`` yields
    ``member_id``, ``store_id`` (may be NULL), ``subject_id``, ``pick_column`` and one column per placeholder of the
    rules' triggers.
    """
    rules = list({rule.pk: rule for rule, _value in picks}.values())
    title_sql, title_params = _per_rule_text(rules, "title")
    script_sql, script_params = _per_rule_text(rules, "script")
    # Per pick: the rule, the value it picks, and the columns that only depend on the rule.
    picks_sql = ", ".join(["(%s, %s, %s, %s, %s)"] * len(picks))
    picks_params = [
        param
        for rule, value in picks
        for param in (rule.pk, value, rule.kind, due_time(rule=rule, day=due_on), f"rule:{rule.code}:{subject_type}:")
    ]
    picked, picked_params = "1 = 1", []
    if pick_column:
        # The values again as a list on the source itself: the planner reads just their rows through the index.
        picked_params = list(dict.fromkeys(value for _rule, value in picks))
        placeholders = ", ".join(["%s"] * len(picked_params))
        picked = f"source.{pick_column} = picks.value AND source.{pick_column} IN ({placeholders})"
    opted_out_sql, opted_out_params = _leave_out_opted_out_sql(rules)
    now = timezone.now()
    insert = f"""
        INSERT INTO staff_tasks_task (
            kind, title, status, store_id, member_id, subject_type, subject_id, contact_name, contact_phone,
            due_at, script, outcome, note, rule_id, dedupe_key, created_at, updated_at
        )
        SELECT picks.kind, SUBSTR({title_sql}, 1, 200), %s, source.store_id, source.member_id, %s, source.subject_id,
               '', '', picks.due_at, {script_sql}, '', '', picks.rule_id,
               picks.key_prefix || CAST(source.subject_id AS TEXT) || %s, %s, %s
        FROM picks JOIN ({source_sql}) AS source ON {picked}
        WHERE 1 = 1{opted_out_sql}  -- SQLite reads "JOIN … ON … ON CONFLICT" as the join's ON without a WHERE between
        ON CONFLICT (dedupe_key) DO NOTHING
    """  # noqa: S608  (identifiers are ours; every value is a parameter)
    params = [
        *picks_params, *title_params, TaskStatus.OPEN, subject_type, *script_params, f":{due_on.isoformat()}", now,
        now, *source_params, *picked_params, *opted_out_params,
    ]  # fmt: skip
    picks_cte = f"picks (rule_id, value, kind, due_at, key_prefix) AS (VALUES {picks_sql})"
    with transaction.atomic(), connection.cursor() as cursor:
        if len(rules) == 1:
            cursor.execute(f"WITH {picks_cte} {insert}", params)
            return {rules[0].code: max(cursor.rowcount, 0)}
        if connection.vendor == "postgresql":
            counted = f"WITH {picks_cte}, inserted AS ({insert} RETURNING rule_id) SELECT rule_id, COUNT(*) FROM inserted GROUP BY rule_id"  # noqa: E501, S608  (ours)
            cursor.execute(counted, params)
            counts = dict(cursor.fetchall())
        else:  # SQLite has no INSERT inside WITH: the demo counts the returned rows
            cursor.execute(f"WITH {picks_cte} {insert} RETURNING rule_id", params)
            counts = Counter(rule_id for (rule_id,) in cursor.fetchall())
    return {rule.code: counts.get(rule.pk, 0) for rule in rules}


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
