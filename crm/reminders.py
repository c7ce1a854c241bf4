"""Member care (the call center's side of the relationship): welcome, follow-ups while a new member has not applied,
birthday, membership anniversary, holiday greetings. (The calls staff make, such as the 3-day call after a
handover, are task rules: ``orders.task_rules``.)
These live in crm because they read members, orders and cars together; members itself may not import the outbox."""

import datetime

from django.db import connection
from django.utils.translation import gettext_lazy as _

from crm.holidays import holidays_on
from notifications.bulk import bulk_queue_notifications, local_day_bounds, reminder_time, sql_month_and_day
from notifications.catalog import EventSpec, register_event
from notifications.models import Category, Channel
from staff_tasks.selectors import sql_local_date

FOLLOW_UP_DAYS = (3, 7, 15, 30)
HOLIDAYS = ("spring_festival", "mid_autumn", "national_day", "new_year")
SAMPLE = {"name": "王经理", "plate": "粤B·16888", "holiday": "中秋节"}


def _event(code, category, subject, body, placeholders=("name",)):
    register_event(
        EventSpec(
            code=code, category=category, placeholders=placeholders, sample=SAMPLE,
            subject=lambda: subject, body=lambda: body,
        )
    )  # fmt: skip


def register_care_events() -> None:
    _event("member.welcome", Category.SERVICE, _("Welcome to Member Center"),
           _("{name}, welcome! Complete your profile and verify your identity to earn your first points, then choose "
             "a car that suits you."))  # fmt: skip
    for days in FOLLOW_UP_DAYS:
        _event(f"member.follow_up_{days}", Category.MARKETING, _("Found a car you like?"),
               _("{name}, hello: our advisers can help you compare models and monthly payments. Apply online in a few "
                 "minutes, or reply to this message and we will call you."))  # fmt: skip
    _event(
        "member.birthday",
        Category.SERVICE,
        _("Happy birthday!"),
        _("{name}, happy birthday! All of us at Member Center wish you a wonderful year and safe travels."),
    )
    _event(
        "member.anniversary",
        Category.SERVICE,
        _("Happy membership anniversary"),
        _("{name}, thank you for another year with us. We look forward to serving you and your car."),
    )
    for code in HOLIDAYS:
        _event(
            f"member.holiday.{code}",
            Category.MARKETING,
            _("Happy {holiday}"),
            _("{name}, Member Center wishes you and your family a happy {holiday}!"),
            ("name", "holiday"),
        )


def _active_members(*, where: str = "", columns: str = "") -> str:
    return f"""
        SELECT m.user_id AS recipient_id, m.id AS member_id, COALESCE(NULLIF(m.name, ''), %s) AS name {columns}
        FROM members_member m JOIN members_user u ON u.id = m.user_id
        WHERE u.is_active {where}
    """  # noqa: S608  (our own SQL)


def run_member_care(*, day: datetime.date) -> dict[str, int]:
    created = {}
    send_at = reminder_time(day)
    dear = str(_("Dear member"))

    def queue(key, event, source, params, channels, dedupe, link=""):  # noqa: PLR0917  (a local shorthand)
        created[key] = bulk_queue_notifications(
            source_sql=source, source_params=params, event=event, dedupe_key_sql=dedupe, channels=channels,
            send_after=send_at, link=link,
        )  # fmt: skip

    # Welcome: sent at sign-up (crm.handlers.send_welcome); this catches anyone whose event was not handled yet,
    # with the same key, so nobody is welcomed twice.
    start, end = local_day_bounds(day - datetime.timedelta(days=1))
    queue("welcome", "member.welcome", _active_members(where="AND m.created_at >= %s AND m.created_at < %s"),
          [dear, start, end], (Channel.INBOX, Channel.SMS), "'member.welcome:' || CAST(source.member_id AS TEXT)",
          "/me/")  # fmt: skip
    # Follow-ups while the member has not applied.
    for days in FOLLOW_UP_DAYS:
        start, end = local_day_bounds(day - datetime.timedelta(days=days))
        not_applied = (
            "AND m.created_at >= %s AND m.created_at < %s AND NOT EXISTS "
            "(SELECT 1 FROM orders_order o WHERE o.member_id = m.id AND o.state <> 'draft')"
        )
        queue(f"follow_up_{days}", f"member.follow_up_{days}", _active_members(where=not_applied),
              [dear, start, end], (Channel.INBOX, Channel.SMS),
              f"'member.follow_up_{days}:' || CAST(source.member_id AS TEXT)", "/cars/")  # fmt: skip
    # Birthdays (29 February is greeted on 28 February in other years).
    month_days = [day.strftime("%m-%d")]
    if month_days[0] == "02-28" and (day + datetime.timedelta(days=1)).month == 3:
        month_days.append("02-29")
    marks = ", ".join(["%s"] * len(month_days))
    queue("birthday", "member.birthday", _active_members(where=f"AND {sql_month_and_day('m.birthday')} IN ({marks})"),
          [dear, *month_days], (Channel.INBOX, Channel.SMS),
          f"'member.birthday:' || CAST(source.member_id AS TEXT) || ':{day.year}'")  # fmt: skip
    # Membership anniversary: the day of joining (its local date: a member who joined before 08:00 joined on the
    # previous day in UTC), a year or more ago.
    joined_on = sql_local_date("m.created_at", vendor=connection.vendor)
    year_start, _end = local_day_bounds(day.replace(month=1, day=1))
    queue("anniversary", "member.anniversary",
          _active_members(where=f"AND m.created_at < %s AND {sql_month_and_day(joined_on)} = %s"),
          [dear, year_start, day.strftime("%m-%d")], (Channel.INBOX,),
          f"'member.anniversary:' || CAST(source.member_id AS TEXT) || ':{day.year}'")  # fmt: skip
    for code, holiday in holidays_on(day):
        queue(f"holiday_{code}", f"member.holiday.{code}", _active_members(columns=", %s AS holiday"),
              [dear, holiday], (Channel.INBOX, Channel.SMS),
              f"'member.holiday.{code}:' || CAST(source.member_id AS TEXT) || ':{day.year}'")  # fmt: skip
    return created
