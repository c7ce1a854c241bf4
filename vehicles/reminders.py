"""Care reminders for owned cars: maintenance, annual inspection, insurance renewal — a few days before (7 and 1 by
default, REMINDER_DAYS_BEFORE). One set-based statement per rule, day and channel."""

import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.bulk import bulk_queue_notifications, reminder_time, sql_month_day
from notifications.models import Category, Channel

# (event, date column, subject, body); placeholders: name, plate, due, km.
RULES = [
    ("vehicle.maintenance_due", "v.next_service_on",
     lambda: _("Maintenance reminder"),
     lambda: _("{name}, hello: your car {plate} is due for maintenance on {due} (or at {km} km). Book a visit with "
               "your store. Member Center customer service")),
    ("vehicle.inspection_due", "v.inspection_due_on",
     lambda: _("Annual inspection reminder"),
     lambda: _("{name}, hello: the annual inspection of your car {plate} is due on {due}. Member Center customer "
               "service")),
    ("vehicle.insurance_due", "v.insurance_due_on",
     lambda: _("Insurance renewal reminder"),
     lambda: _("{name}, hello: the insurance of your car {plate} ends on {due}. Renew in time to stay covered. "
               "Member Center customer service")),
]  # fmt: skip


def run_vehicle_reminders(*, day: datetime.date) -> dict[str, int]:
    created = {}
    with translation.override(settings.LANGUAGE_CODE):
        for event, column, subject, body in RULES:
            for days_before in settings.REMINDER_DAYS_BEFORE:
                due_on = day + datetime.timedelta(days=days_before)
                source = f"""
                    SELECT m.user_id AS recipient_id, v.id AS vehicle_id,
                           COALESCE(NULLIF(m.name, ''), %s) AS name, v.plate AS plate,
                           {sql_month_day(column)} AS due, COALESCE(v.next_service_km, 0) AS km
                    FROM vehicles_ownedvehicle v JOIN members_member m ON m.id = v.member_id
                    WHERE {column} = %s
                """  # noqa: S608  (column names are ours)
                created[f"{event}:{days_before}"] = bulk_queue_notifications(
                    source_sql=source, source_params=[_("Dear member"), due_on], event=event,
                    # Our own values only (event name, ISO date, an integer): safe inside the SQL text.
                    dedupe_key_sql=(
                        f"'{event}:' || CAST(source.vehicle_id AS TEXT) || ':{due_on.isoformat()}:{days_before}'"
                    ),
                    subject=str(subject()), body=str(body()), channels=(Channel.INBOX, Channel.SMS),
                    category=Category.SERVICE, send_after=reminder_time(day),
                    placeholders=("name", "plate", "due", "km"), link="/me/cars/",
                )  # fmt: skip
    return created
