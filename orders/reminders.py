"""Repayment reminders: 3 days before and on the due day; overdue soft collection — a gentle SMS on day 1, a firmer
one on day 3, a call task for staff on day 7 — stopping the moment the installment is paid (only unpaid
installments are selected). One set-based statement per rule and channel."""

import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.bulk import bulk_queue_notifications, reminder_time, sql_money, sql_month_day
from notifications.models import Category, Channel

# (key, days from the due date, channels, subject, body); placeholders: name, amount, due, number.
RULES = [
    ("due_in_3", -3, (Channel.INBOX, Channel.SMS), lambda: _("Repayment reminder"),
     lambda: _("{name}, hello: your repayment of ¥{amount} for application {number} is due on {due}. Please make sure "
               "your account has enough money.")),
    ("due_today", 0, (Channel.INBOX, Channel.SMS), lambda: _("Repayment due today"),
     lambda: _("{name}, hello: your repayment of ¥{amount} for application {number} is due today ({due}).")),
    ("overdue_1", 1, (Channel.INBOX, Channel.SMS), lambda: _("Repayment not yet received"),
     lambda: _("{name}, hello: we have not yet received your repayment of ¥{amount} due on {due}. If you have already "
               "paid, please ignore this message.")),
    ("overdue_3", 3, (Channel.INBOX, Channel.SMS), lambda: _("Repayment overdue"),
     lambda: _("{name}, your repayment of ¥{amount} due on {due} is 3 days overdue. Please pay as soon as possible to "
               "avoid late fees and an effect on your credit record.")),
    ("overdue_7", 7, (Channel.CALL,), lambda: _("Call: repayment 7 days overdue"),
     lambda: _("Call {name} about application {number}: ¥{amount} due on {due} is 7 days overdue. Ask when they will "
               "pay and note the answer.")),
]  # fmt: skip


def run_repayment_reminders(*, day: datetime.date) -> dict[str, int]:
    created = {}
    with translation.override(settings.LANGUAGE_CODE):
        for key, days_after_due, channels, subject, body in RULES:
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
                source_sql=source, source_params=[_("Dear member"), due_on], event=f"repayment.{key}",
                dedupe_key_sql=f"'repayment.{key}:' || CAST(source.installment_id AS TEXT)",
                subject=str(subject()), body=str(body()), channels=channels, category=Category.TRANSACTIONAL,
                send_after=reminder_time(day), placeholders=("name", "amount", "due", "number"), link="/me/loans/",
            )  # fmt: skip
    return created
