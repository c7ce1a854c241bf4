"""Member care (the call center's side of the relationship): welcome, follow-ups while a new member has not applied,
birthday, membership anniversary, holiday greetings, and the call three days after a car is handed over (3DC).
These live in crm because they read members, orders and cars together; members itself may not import the outbox."""

import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from crm.holidays import holidays_on
from notifications.bulk import bulk_queue_notifications, local_day_bounds, reminder_time, sql_month_and_day
from notifications.models import Category, Channel

FOLLOW_UP_DAYS = (3, 7, 15, 30)


def _members_created_on(day: datetime.date, *, extra_where: str = "") -> tuple[str, list]:
    start, end = local_day_bounds(day)
    source = f"""
        SELECT m.user_id AS recipient_id, m.id AS member_id, COALESCE(NULLIF(m.name, ''), %s) AS name
        FROM members_member m JOIN members_user u ON u.id = m.user_id
        WHERE u.is_active AND m.created_at >= %s AND m.created_at < %s {extra_where}
    """  # noqa: S608  (our own SQL)
    return source, [_("Dear member"), start, end]


def run_member_care(*, day: datetime.date) -> dict[str, int]:
    created = {}
    send_at = reminder_time(day)
    with translation.override(settings.LANGUAGE_CODE):
        # Welcome: everyone who joined yesterday (the morning run reaches them within 24 hours).
        source, params = _members_created_on(day - datetime.timedelta(days=1))
        created["welcome"] = bulk_queue_notifications(
            source_sql=source, source_params=params, event="member.welcome",
            dedupe_key_sql="'member.welcome:' || CAST(source.member_id AS TEXT)",
            subject=_("Welcome to Member Center"),
            body=_("{name}, welcome! Complete your profile and verify your identity to earn your first points, "
                   "then choose a car that suits you."),
            channels=(Channel.INBOX, Channel.SMS), category=Category.SERVICE, send_after=send_at,
            placeholders=("name",), link="/me/",
        )  # fmt: skip
        # Follow-ups while the member has not applied.
        for days in FOLLOW_UP_DAYS:
            source, params = _members_created_on(
                day - datetime.timedelta(days=days),
                extra_where="AND NOT EXISTS (SELECT 1 FROM orders_order o "
                "WHERE o.member_id = m.id AND o.state <> 'draft')",
            )
            created[f"follow_up_{days}"] = bulk_queue_notifications(
                source_sql=source, source_params=params, event=f"member.follow_up_{days}",
                dedupe_key_sql=f"'member.follow_up_{days}:' || CAST(source.member_id AS TEXT)",
                subject=_("Found a car you like?"),
                body=_("{name}, hello: our advisers can help you compare models and monthly payments. Apply online in "
                       "a few minutes, or reply to this message and we will call you."),
                channels=(Channel.INBOX, Channel.SMS), category=Category.MARKETING, send_after=send_at,
                placeholders=("name",), link="/cars/",
            )  # fmt: skip
        # Birthdays (29 February is greeted on 28 February in other years).
        month_days = [day.strftime("%m-%d")]
        if day.strftime("%m-%d") == "02-28" and (day + datetime.timedelta(days=1)).month == 3:
            month_days.append("02-29")
        marks = ", ".join(["%s"] * len(month_days))
        created["birthday"] = bulk_queue_notifications(
            source_sql=f"""
                SELECT m.user_id AS recipient_id, m.id AS member_id, COALESCE(NULLIF(m.name, ''), %s) AS name
                FROM members_member m JOIN members_user u ON u.id = m.user_id
                WHERE u.is_active AND {sql_month_and_day("m.birthday")} IN ({marks})
            """,  # noqa: S608
            source_params=[_("Dear member"), *month_days], event="member.birthday",
            dedupe_key_sql=f"'member.birthday:' || CAST(source.member_id AS TEXT) || ':{day.year}'",
            subject=_("Happy birthday!"), body=_("{name}, happy birthday! All of us at Member Center wish you a "
                                                 "wonderful year and safe travels."),
            channels=(Channel.INBOX, Channel.SMS), category=Category.SERVICE, send_after=send_at,
            placeholders=("name",),
        )  # fmt: skip
        # Membership anniversary: same day as joining, a year or more ago.
        start, _end = local_day_bounds(day.replace(month=1, day=1))
        created["anniversary"] = bulk_queue_notifications(
            source_sql=f"""
                SELECT m.user_id AS recipient_id, m.id AS member_id, COALESCE(NULLIF(m.name, ''), %s) AS name
                FROM members_member m JOIN members_user u ON u.id = m.user_id
                WHERE u.is_active AND m.created_at < %s AND {sql_month_and_day("m.created_at")} = %s
            """,  # noqa: S608
            source_params=[_("Dear member"), start, day.strftime("%m-%d")], event="member.anniversary",
            dedupe_key_sql=f"'member.anniversary:' || CAST(source.member_id AS TEXT) || ':{day.year}'",
            subject=_("Happy membership anniversary"),
            body=_("{name}, thank you for another year with us. We look forward to serving you and your car."),
            channels=(Channel.INBOX,), category=Category.SERVICE, send_after=send_at, placeholders=("name",),
        )  # fmt: skip
        for code, holiday in holidays_on(day):
            created[f"holiday_{code}"] = bulk_queue_notifications(
                source_sql="""
                    SELECT m.user_id AS recipient_id, m.id AS member_id, COALESCE(NULLIF(m.name, ''), %s) AS name
                    FROM members_member m JOIN members_user u ON u.id = m.user_id WHERE u.is_active
                """,
                source_params=[_("Dear member")], event=f"member.holiday.{code}",
                dedupe_key_sql=f"'member.holiday.{code}:' || CAST(source.member_id AS TEXT) || ':{day.year}'",
                subject=_("Happy %(holiday)s") % {"holiday": holiday},
                body=_("{name}, Member Center wishes you and your family a happy %(holiday)s!") % {"holiday": holiday},
                channels=(Channel.INBOX, Channel.SMS), category=Category.MARKETING, send_after=send_at,
                placeholders=("name",),
            )  # fmt: skip
        # The 3-day call after handover (3DC): a task for staff, not a message.
        created["three_day_call"] = bulk_queue_notifications(
            source_sql="""
                SELECT m.user_id AS recipient_id, v.id AS vehicle_id, COALESCE(NULLIF(m.name, ''), %s) AS name,
                       v.plate AS plate
                FROM vehicles_ownedvehicle v JOIN members_member m ON m.id = v.member_id
                WHERE v.delivered_on = %s
            """,
            source_params=[_("Dear member"), day - datetime.timedelta(days=3)], event="vehicle.three_day_call",
            dedupe_key_sql="'vehicle.three_day_call:' || CAST(source.vehicle_id AS TEXT)",
            subject=_("3-day call after handover"),
            body=_("Call {name} about their new car {plate}: is everything working, any questions about the car, "
                   "the loan or the app? Note what they say."),
            channels=(Channel.CALL,), category=Category.SERVICE, send_after=send_at, placeholders=("name", "plate"),
        )  # fmt: skip
    return created
