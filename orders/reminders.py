"""Repayment reminders: 3 days before and on the due day; overdue soft collection — a gentle SMS on day 1, a firmer
one on day 3 (the call on day 7 is a staff task rule, ``orders.task_rules``) — stopping the moment the installment is
paid (only unpaid installments are selected). One set-based statement per rule and channel."""

import datetime

from django.utils.translation import gettext_lazy as _

from notifications.bulk import bulk_queue_notifications, reminder_time, sql_money, sql_month_day
from notifications.catalog import EventSpec, register_event
from notifications.models import Category, Channel
from orders.repayments import mark_overdue_installments

PLACEHOLDERS = ("name", "amount", "due", "number")
SAMPLE = {"name": "王经理", "amount": "2764.14", "due": "11月28日", "number": "MC20261123000001"}

# (key, days from the due date, channels, subject, body)
RULES = [
    ("due_in_3", -3, (Channel.INBOX, Channel.SMS), _("Repayment reminder"),
     _("{name}, hello: your repayment of ¥{amount} for application {number} is due on {due}. Please make sure your "
       "account has enough money.")),
    ("due_today", 0, (Channel.INBOX, Channel.SMS), _("Repayment due today"),
     _("{name}, hello: your repayment of ¥{amount} for application {number} is due today ({due}).")),
    ("overdue_1", 1, (Channel.INBOX, Channel.SMS), _("Repayment not yet received"),
     _("{name}, hello: we have not yet received your repayment of ¥{amount} due on {due}. If you have already paid, "
       "please ignore this message.")),
    ("overdue_3", 3, (Channel.INBOX, Channel.SMS), _("Repayment overdue"),
     _("{name}, your repayment of ¥{amount} due on {due} is 3 days overdue. Please pay as soon as possible to avoid "
       "late fees and an effect on your credit record.")),
]  # fmt: skip


def register_reminder_events() -> None:
    for key, _days, _channels, subject, body in RULES:
        register_event(
            EventSpec(
                code=f"repayment.{key}", category=Category.TRANSACTIONAL, placeholders=PLACEHOLDERS, sample=SAMPLE,
                subject=lambda subject=subject: subject, body=lambda body=body: body,
            )
        )  # fmt: skip


def run_repayment_reminders(*, day: datetime.date) -> dict[str, int]:
    # Not a reminder, but the morning's first step: what was not paid by yesterday's due date is overdue now.
    mark_overdue_installments(day=day)
    created = {}
    for key, days_after_due, channels, _subject, _body in RULES:
        due_on = day - datetime.timedelta(days=days_after_due)
        source = f"""
            SELECT m.user_id AS recipient_id, i.id AS installment_id,
                   COALESCE(NULLIF(m.name, ''), %s) AS name, {sql_money("i.amount - i.deduction")} AS amount,
                   {sql_month_day("i.due_on")} AS due, o.number AS number
            FROM orders_installment i
            JOIN orders_loan l ON l.id = i.loan_id
            JOIN orders_order o ON o.id = l.order_id
            JOIN members_member m ON m.id = o.member_id
            WHERE i.due_on = %s AND i.status <> 'paid'
        """  # noqa: S608  (our own SQL)
        created[key] = bulk_queue_notifications(
            source_sql=source, source_params=[str(_("Dear member")), due_on], event=f"repayment.{key}",
            dedupe_key_sql=f"'repayment.{key}:' || CAST(source.installment_id AS TEXT)", channels=channels,
            send_after=reminder_time(day), link="/me/loans/",
        )  # fmt: skip
    return created
