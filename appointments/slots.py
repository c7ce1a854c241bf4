"""Slots of a store's workshop: every full hour within its opening hours ("09:00-18:00" → 09:00 … 17:00). No I/O."""

import datetime
import re

_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~至]\s*(\d{1,2}):(\d{2})\s*$")
# Opening hours that cannot be read: the usual day of a store.
DEFAULT_HOURS = (datetime.time(9), datetime.time(18))
# Members book from tomorrow up to this many days ahead.
BOOKING_DAYS_AHEAD = 60


def opening_hours(text: str) -> tuple[datetime.time, datetime.time]:
    match = _HOURS.match(text or "")
    if not match:
        return DEFAULT_HOURS
    open_h, open_m, close_h, close_m = (int(part) for part in match.groups())
    if not (0 <= open_h < 24 and 0 <= close_h <= 24 and open_m < 60 and close_m < 60):
        return DEFAULT_HOURS
    closes = datetime.time(23, 59) if close_h == 24 else datetime.time(close_h, close_m)
    return datetime.time(open_h, open_m), closes


def slot_starts(opening_hours_text: str) -> list[datetime.time]:
    """Each full hour at or after opening whose hour ends by closing time."""
    opens, closes = opening_hours(opening_hours_text)
    first = opens.hour + (1 if opens.minute else 0)
    return [datetime.time(hour) for hour in range(first, 24) if datetime.time(hour) < closes and (
        hour + 1 < 24 and datetime.time(hour + 1) <= closes or hour + 1 == 24 and closes == datetime.time(23, 59)
    )]  # fmt: skip


def bookable_dates(*, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return today + datetime.timedelta(days=1), today + datetime.timedelta(days=BOOKING_DAYS_AHEAD)
