"""Care reminders for owned cars: maintenance, tyres, annual inspection, insurance renewal — a few days before (7
and 1 by default, set in the admin: ReminderPolicy). One set-based statement per rule, day and channel."""

import datetime

from django.utils.translation import gettext_lazy as _

from notifications.bulk import bulk_queue_notifications, reminder_time, sql_month_day
from notifications.catalog import EventSpec, register_event
from notifications.models import Category, Channel, ReminderPolicy
from vehicles.services import BOOKING_LINKS

PLACEHOLDERS = ("name", "plate", "due", "km")
SAMPLE = {"name": "王经理", "plate": "粤B·16888", "due": "11月28日", "km": "20000"}

# (event, date column, kilometre column, subject, body). The due date is part of each dedupe key, so a record that
# moves the date (a renewal, a passed inspection, a service, new tyres) brings the next cycle's reminders.
RULES = [
    ("vehicle.maintenance_due", "v.next_service_on", "v.next_service_km", _("Maintenance reminder"),
     _("{name}, hello: your car {plate} is due for maintenance on {due} (or at {km} km). Book a visit with your "
       "store. Member Center customer service")),
    ("vehicle.tyres_due", "v.tyres_due_on", "v.tyres_due_km", _("Tyre replacement reminder"),
     _("{name}, hello: the tyres of your car {plate} are due for replacement on {due} (or at {km} km). Book a tyre "
       "check with your store. Member Center customer service")),
    ("vehicle.inspection_due", "v.inspection_due_on", "0", _("Annual inspection reminder"),
     _("{name}, hello: the annual inspection of your car {plate} is due on {due}. Member Center customer service")),
    ("vehicle.insurance_due", "v.insurance_due_on", "0", _("Insurance renewal reminder"),
     _("{name}, hello: the insurance of your car {plate} ends on {due}. Renew in time to stay covered. Member Center "
       "customer service")),
]  # fmt: skip

MILESTONE_EVENT = register_event(
    EventSpec(
        code="vehicle.mileage_milestone", category=Category.SERVICE, placeholders=("plate", "km"),
        sample={"plate": "粤B·16888", "km": "10,000"},
        subject=lambda: _("{km} km together!"),
        body=lambda: _("Your car {plate} has passed {km} km. Check its service book: a milestone service may be due."),
    )
)  # fmt: skip


def register_reminder_events() -> None:
    for event, _column, _km_column, subject, body in RULES:
        register_event(
            EventSpec(
                code=event, category=Category.SERVICE, placeholders=PLACEHOLDERS, sample=SAMPLE,
                subject=lambda subject=subject: subject, body=lambda body=body: body,
            )
        )  # fmt: skip


def run_vehicle_reminders(*, day: datetime.date) -> dict[str, int]:
    created = {}
    for event, column, km_column, _subject, _body in RULES:
        for days_before in ReminderPolicy.current().day_offsets:
            due_on = day + datetime.timedelta(days=days_before)
            source = f"""
                SELECT m.user_id AS recipient_id, v.id AS vehicle_id, COALESCE(NULLIF(m.name, ''), %s) AS name,
                       v.plate AS plate, {sql_month_day(column)} AS due, COALESCE({km_column}, 0) AS km
                FROM vehicles_ownedvehicle v JOIN members_member m ON m.id = v.member_id
                WHERE {column} = %s
            """  # noqa: S608  (column names are ours)
            # Our own values only (event name, ISO date, an integer) go into the key's SQL text.
            dedupe_key_sql = f"'{event}:' || CAST(source.vehicle_id AS TEXT) || ':{due_on.isoformat()}:{days_before}'"
            created[f"{event}:{days_before}"] = bulk_queue_notifications(
                source_sql=source, source_params=[str(_("Dear member")), due_on], event=event,
                dedupe_key_sql=dedupe_key_sql, channels=(Channel.INBOX, Channel.SMS), send_after=reminder_time(day),
                link=BOOKING_LINKS[event],
            )  # fmt: skip
    return created
