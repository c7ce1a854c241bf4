"""Escalating missed deadlines, set-based: per level one INSERT … SELECT of tasks, one of messages, one UPDATE.

Level 1 (store manager): a breached open complaint not escalated yet gets a complaint follow-up task in its store's
queue and an in-app message to each active manager of that store. Level 2 (head office): still breached
``COMPLAINT_HEAD_OFFICE_AFTER_HOURS`` after level 1, a task in head office's queue and a message to each active
head-office account. Task and message keys are unique per complaint and level, so each happens once.
"""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.care.complaints.enums import OPEN_STATUSES, ComplaintCategory, EscalationLevel, SlaStatus
from crm.care.complaints.messages import ESCALATED_TO_HEAD_OFFICE_EVENT, ESCALATED_TO_STORE_EVENT
from crm.care.complaints.models import Complaint
from members.enums import StaffRole
from notifications.bulk import bulk_queue_notifications
from notifications.models import Channel
from staff_tasks.bulk import bulk_open_tasks
from staff_tasks.enums import SubjectType, TaskKind


def sql_local_minute(column: str) -> str:
    """A timestamp column as local 'MM-DD HH:MI' in this database's dialect."""
    if connection.vendor == "postgresql":
        return f"to_char({column} AT TIME ZONE '{settings.TIME_ZONE}', 'MM-DD HH24:MI')"
    # SQLite keeps UTC text; the business time zone has no daylight saving (Asia/Shanghai).
    offset = timezone.localtime(timezone.now()).utcoffset()
    hours = int(offset.total_seconds() // 3600)
    return f"strftime('%%m-%%d %%H:%%M', {column}, '{hours:+d} hours')"


def _category_label_sql() -> tuple[str, list]:
    whens, params = [], []
    for value, label in ComplaintCategory.choices:
        whens.append("WHEN %s THEN %s")
        params += [value, str(label)]
    return f"CASE c.category {' '.join(whens)} ELSE c.category END", params


def _escalate(*, level: int, now: datetime.datetime, due_filter: dict, recipients_sql: str, recipient_params: list,
              event: str, task_store_sql: str, title: str, script: str) -> dict[str, int]:  # fmt: skip
    # First the level moves up, marked with this run's time: the task and the messages then go to exactly the rows
    # this run escalated (a row breached by a sweep running alongside waits for the next run, never goes unmarked).
    escalated = (
        Complaint.objects.filter(status__in=OPEN_STATUSES, sla_status=SlaStatus.BREACHED, escalation_level=level - 1)
        .filter(**due_filter)
        .update(escalation_level=level, escalated_at=now)
    )
    if not escalated:
        return {"complaints": 0, "tasks": 0, "messages": 0}
    where = "c.escalation_level = %s AND c.escalated_at = %s"
    where_params = [level, connection.ops.adapt_datetimefield_value(now)]
    category_sql, category_params = _category_label_sql()
    tasks = bulk_open_tasks(
        kind=TaskKind.COMPLAINT_FOLLOW_UP, subject_type=SubjectType.COMPLAINT, due_at=now,
        dedupe_prefix=f"complaint-escalation:{level}:",
        source_sql=f"""
            SELECT c.member_id AS member_id, {task_store_sql} AS store_id, c.id AS subject_id,
                   %s || c.number AS title, %s || c.description AS script
            FROM complaints_complaint c WHERE {where}
        """,  # noqa: S608  (our own SQL; values are parameters)
        source_params=[title, script, *where_params],
    )  # fmt: skip
    messages = bulk_queue_notifications(
        event=event, channels=(Channel.INBOX,), send_after=now, link="/backoffice/complaints/",
        dedupe_key_sql=f"'complaint-escalation:{level}:' || CAST(source.complaint_id AS TEXT) || ':' "
                       "|| CAST(source.recipient_id AS TEXT)",
        source_sql=f"""
            SELECT u.id AS recipient_id, c.id AS complaint_id, c.number AS number,
                   COALESCE(s.name, '') AS store, {category_sql} AS category,
                   {sql_local_minute("c.resolution_due")} AS due
            FROM complaints_complaint c
            LEFT JOIN members_store s ON s.id = c.store_id
            JOIN members_user u ON u.is_active AND u.is_staff AND {recipients_sql}
            WHERE {where}
        """,  # noqa: S608
        source_params=[*category_params, *recipient_params, *where_params],
    )  # fmt: skip
    return {"complaints": escalated, "tasks": tasks, "messages": messages}


def escalate_breaches(*, now: datetime.datetime) -> dict[str, int]:
    counts = {}
    with transaction.atomic():
        store = _escalate(
            level=EscalationLevel.STORE_MANAGER, now=now, due_filter={},
            recipients_sql="u.role = %s AND u.store_id = c.store_id", recipient_params=[StaffRole.STORE_MANAGER],
            event=ESCALATED_TO_STORE_EVENT, task_store_sql="c.store_id",
            title=_("Overdue complaint: "), script=_("The complaint missed its deadline. Contact the member today. "),
        )  # fmt: skip
        counts.update({f"escalated_store_{key}": value for key, value in store.items()})
    cutoff = now - datetime.timedelta(hours=settings.COMPLAINT_HEAD_OFFICE_AFTER_HOURS)
    with transaction.atomic():
        head = _escalate(
            level=EscalationLevel.HEAD_OFFICE, now=now, due_filter={"escalated_at__lte": cutoff},
            recipients_sql="u.role = %s", recipient_params=[StaffRole.HEAD_OFFICE],
            event=ESCALATED_TO_HEAD_OFFICE_EVENT, task_store_sql="CAST(NULL AS BIGINT)",
            title=_("Still overdue after the store was told: "),
            script=_("The store manager was told and the complaint is still overdue. Step in. "),
        )  # fmt: skip
        counts.update({f"escalated_head_office_{key}": value for key, value in head.items()})
    return counts
