"""Set-based outbox writes for reminders: one INSERT … SELECT … ON CONFLICT (dedupe_key) DO NOTHING per rule and
channel, whatever the number of members, so a million cars is one statement and Python never holds the rows.

The domain app writes the SELECT (who, and the values its text needs); this module turns a message template into a
SQL expression, adds the outbox columns, leaves out members who switched the category off on that channel, and
skips rows whose dedupe key exists (a second run, or two runs at once, create nothing new).
"""

import datetime
import string

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from notifications.catalog import get_event, resolve_text
from notifications.models import Category, Channel, Status


def template_placeholders(template: str) -> set[str]:
    return {name for _text, name, _spec, _conversion in string.Formatter().parse(template) if name}


def sql_text(template: str, placeholders: dict[str, str]) -> tuple[str, list]:
    """``"{name}，您好"`` with ``{"name": "m.name"}`` → (``%s || COALESCE(CAST(m.name AS TEXT), '') || %s``, params).
    Literal text travels as parameters, never inside the SQL."""
    unknown = template_placeholders(template) - set(placeholders)
    if unknown:
        raise ValueError(f"Unknown placeholders {sorted(unknown)}")
    parts, params = [], []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            parts.append("%s")
            params.append(literal)
        if name:
            parts.append(f"COALESCE(CAST({placeholders[name]} AS TEXT), '')")
    return (" || ".join(parts) or "''"), params


def sql_month_day(column: str) -> str:
    """A date column as 11月28日 (no leading zeros), in this database's dialect."""
    if connection.vendor == "postgresql":
        return f"""to_char({column}, 'FMMM"月"FMDD"日"')"""
    # %% because the statement goes through the driver's %s parameter formatting.
    return f"(CAST(strftime('%%m', {column}) AS INTEGER) || '月' || CAST(strftime('%%d', {column}) AS INTEGER) || '日')"


def _sql_text_in_language(texts: dict[str, tuple[str, str]], *, part: int, columns: dict[str, str]) -> tuple[str, list]:
    """The subject (``part`` 0) or body (1) as SQL in each recipient's language (``members_user.language``, joined as
    ``recipient``; an empty or unknown one reads the site's default): one CASE, so the statement still makes one
    pass over the rows whatever the number of languages."""
    default = settings.LANGUAGE_CODE
    default_sql, default_params = sql_text(texts[default][part], columns)
    others = [language for language in texts if language != default and texts[language][part] != texts[default][part]]
    if not others:
        return default_sql, default_params
    branches, params = [], []
    for language in others:
        branch_sql, branch_params = sql_text(texts[language][part], columns)
        branches.append(f"WHEN %s THEN {branch_sql}")
        params += [language, *branch_params]
    return f"(CASE recipient.language {' '.join(branches)} ELSE {default_sql} END)", [*params, *default_params]


def bulk_queue_notifications(
    *,
    source_sql: str,
    source_params: list,
    event: str,
    dedupe_key_sql: str,
    channels: tuple[str, ...],
    send_after: datetime.datetime,
    link: str = "",
) -> int:
    """Insert one outbox row per row of ``source_sql`` and channel; returns how many rows were created.

    ``source_sql`` is a whole SELECT yielding ``recipient_id`` and one column per placeholder of the event (the
    text's ``{plate}`` reads the column ``plate``); the text is the event's, from the catalog or an operator's
    template; ``dedupe_key_sql`` is an expression over those columns, unique per reminder (the channel is
    appended). SMS and e-mail rows are left pending for the dispatcher; in-app rows are delivered as written. Calls
    are not messages: they are staff tasks (``staff_tasks.bulk``).
    """
    if Channel.CALL in channels:
        raise ValueError("A call is a staff task, not a message: see staff_tasks.bulk.")
    spec = get_event(event)
    category = spec.category
    columns = {name: f"source.{name}" for name in spec.placeholders}
    now = timezone.now()
    created = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for channel in channels:
            texts = {
                language: resolve_text(event=event, channel=channel, language=language)
                for language, _name in settings.LANGUAGES
            }
            subject_sql, subject_params = _sql_text_in_language(texts, part=0, columns=columns)
            body_sql, body_params = _sql_text_in_language(texts, part=1, columns=columns)
            delivered = channel not in (Channel.SMS, Channel.EMAIL)
            switchable = category != Category.TRANSACTIONAL and channel in (Channel.SMS, Channel.EMAIL)
            opted_out = (
                " AND NOT EXISTS (SELECT 1 FROM notifications_preference pref WHERE pref.user_id = source.recipient_id"
                " AND pref.category = %s AND pref.channel = %s AND NOT pref.is_enabled)"
                if switchable
                else ""
            )
            sql = f"""
                INSERT INTO notifications_notification (
                    recipient_id, category, event, channel, subject, body, link, dedupe_key, status, send_after,
                    attempts, last_error, provider_message_id, provider_status, created_at, sent_at
                )
                SELECT source.recipient_id, %s, %s, %s, SUBSTR({subject_sql}, 1, 200), {body_sql}, %s,
                       ({dedupe_key_sql}) || ':' || %s, %s, %s, 0, '', '', '', %s, %s
                FROM ({source_sql}) AS source JOIN members_user recipient ON recipient.id = source.recipient_id
                WHERE 1 = 1{opted_out}
                ON CONFLICT (dedupe_key) DO NOTHING
            """  # noqa: S608  (identifiers are ours; every value is a parameter)
            params = [
                category, event, channel, *subject_params, *body_params, link, channel,
                Status.SENT if delivered else Status.PENDING, send_after, now, now if delivered else None,
                *source_params,
            ]  # fmt: skip
            if switchable:
                params += [category, channel]
            cursor.execute(sql, params)
            created += max(cursor.rowcount, 0)
    return created


def sql_money(expression: str) -> str:
    """A decimal as 1234.50 in this database's dialect."""
    if connection.vendor == "postgresql":
        return f"to_char({expression}, 'FM999999990.00')"
    return f"printf('%%.2f', {expression})"


def sql_month_and_day(column: str) -> str:
    """'MM-DD' of a date column, for birthdays and anniversaries."""
    if connection.vendor == "postgresql":
        return f"to_char({column}, 'MM-DD')"
    return f"strftime('%%m-%%d', {column})"


def local_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The start and end of a local calendar day as aware datetimes, to compare timestamp columns portably."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def reminder_time(day: datetime.date) -> datetime.datetime:
    """When a day's reminders go out (ReminderPolicy.send_hour, 09:00 local by default), after the morning run."""
    from notifications.models import ReminderPolicy

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour=ReminderPolicy.current().send_hour)))
