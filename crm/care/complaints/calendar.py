"""The working calendar that complaint deadlines are counted on: business hours on working days.

Which days are working days comes, in this order, from
1. the admin's dates (``WorkingDayOverride``): a day the operator marks working or closed, with its hours;
2. the ``chinese-calendar`` library: mainland public holidays and the make-up working days (调休) — a make-up
   Saturday is a working day with the standard hours;
3. for a year the library does not know yet (it refuses it), the weekly hours alone (``COMPLAINT_WEEKLY_HOURS``):
   until the library is updated, the admin enters that year's holidays and make-up days as overrides.

Deadlines are found by walking whole days (a day's open seconds at once), so a deadline weeks away costs a few
hundred additions, never a step per minute. A ``WorkingCalendar`` holds its overrides; each year's days are computed
once per process (for the same weekly hours and admin dates), so deadlines cost microseconds without touching the
database.
"""

import bisect
import datetime
import functools
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import chinese_calendar
from django.conf import settings
from django.utils import timezone

ONE_DAY = datetime.timedelta(days=1)
# Each year's open seconds per day, shared by every calendar of this process with the same weekly hours and the same
# admin dates in that year (the library's answers do not change while it runs). A complaint's deadlines then cost a
# few additions even with a fresh calendar per complaint, as the services build one.
_SHARED_YEARS: dict[tuple, tuple[list[int], list[int]]] = {}
_SHARED_YEARS_LIMIT = 256


@dataclass(frozen=True)
class DayOverride:
    day: datetime.date
    is_working: bool
    opens: datetime.time | None = None
    closes: datetime.time | None = None


def _parse_window(window) -> tuple[datetime.time, datetime.time]:
    opens, closes = window
    return datetime.time.fromisoformat(opens), datetime.time.fromisoformat(closes)


@functools.cache
def library_workday(day: datetime.date) -> bool | None:
    """The library's answer for ``day``: working or not, or None when it does not know the year."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def library_knows_year(year: int) -> bool:
    return library_workday(datetime.date(year, 1, 1)) is not None


class WorkingCalendar:
    """Business hours per local date, and deadlines counted in business seconds on them."""

    def __init__(self, *, weekly_hours: dict | None = None, overrides: Iterable[DayOverride] = ()) -> None:
        weekly = weekly_hours if weekly_hours is not None else settings.COMPLAINT_WEEKLY_HOURS
        self.weekly = {int(weekday): _parse_window(window) for weekday, window in weekly.items()}
        # A make-up working day (a Saturday or Sunday the library says is worked) keeps the first weekday's hours.
        self.standard = self.weekly[min(self.weekly)] if self.weekly else None
        self.overrides = {override.day: override for override in overrides}
        self._weekly_key = tuple(sorted(self.weekly.items()))
        self._overrides_by_year: dict[int, list[DayOverride]] = {}
        for override in sorted(self.overrides.values(), key=lambda override: override.day):
            self._overrides_by_year.setdefault(override.day.year, []).append(override)
        self._years: dict[int, tuple[list[int], list[int]]] = {}
        self.tz = timezone.get_default_timezone()

    # Days ---------------------------------------------------------------------------------------------------------

    def window(self, day: datetime.date) -> tuple[datetime.time, datetime.time] | None:
        """The day's open hours (local), or None when nobody works that day."""
        override = self.overrides.get(day)
        if override is not None:
            if not override.is_working:
                return None
            default = self.weekly.get(day.weekday(), self.standard)
            opens = override.opens or (default[0] if default else datetime.time(9))
            closes = override.closes or (default[1] if default else datetime.time(18))
            return (opens, closes) if opens < closes else None
        is_workday = library_workday(day)
        if is_workday is None:  # a year the library does not know: the weekly hours
            return self.weekly.get(day.weekday())
        if not is_workday:
            return None
        return self.weekly.get(day.weekday(), self.standard)

    def is_known_day(self, day: datetime.date) -> bool:
        """True when the library or the admin says what ``day`` is; False when only the weekly hours do."""
        return day in self.overrides or library_workday(day) is not None

    def _day_seconds(self, day: datetime.date) -> int:
        window = self.window(day)
        if window is None:
            return 0
        return (window[1].hour * 3600 + window[1].minute * 60) - (window[0].hour * 3600 + window[0].minute * 60)

    def _year(self, year: int) -> tuple[list[int], list[int]]:
        """``year``'s open seconds per day (index: day of the year − 1) and their running sums (``sums[i]``: the
        open seconds before day ``i``; ``sums[-1]``: the whole year), computed once."""
        if year not in self._years:
            key = (self._weekly_key, year, tuple(self._overrides_by_year.get(year, ())))
            shared = _SHARED_YEARS.get(key)
            if shared is None:
                first = datetime.date(year, 1, 1)
                days = (datetime.date(year + 1, 1, 1) - first).days
                seconds = [self._day_seconds(first + datetime.timedelta(days=index)) for index in range(days)]
                shared = (seconds, [0, *itertools.accumulate(seconds)])
                if len(_SHARED_YEARS) >= _SHARED_YEARS_LIMIT:
                    _SHARED_YEARS.clear()
                _SHARED_YEARS[key] = shared
            self._years[year] = shared
        return self._years[year]

    def _open_seconds_from(self, first: datetime.date, until: datetime.date) -> int:
        """Open seconds on the days from ``first`` up to, not including, ``until``: a subtraction per year."""
        total, day = 0, first
        while day < until:
            sums = self._year(day.year)[1]
            start = day.timetuple().tm_yday - 1
            if until.year == day.year:
                return total + sums[until.timetuple().tm_yday - 1] - sums[start]
            total += sums[-1] - sums[start]
            day = datetime.date(day.year + 1, 1, 1)
        return total

    # Moments ------------------------------------------------------------------------------------------------------

    def _at(self, day: datetime.date, time: datetime.time) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, time), self.tz)

    def _open_seconds_left_on_day(self, moment: datetime.datetime) -> tuple[int, datetime.datetime | None]:
        """From ``moment`` (local) to the end of its day's hours: the open seconds left, and where they start."""
        window = self.window(moment.date())
        if window is None:
            return 0, None
        opens, closes = self._at(moment.date(), window[0]), self._at(moment.date(), window[1])
        start = max(moment, opens)
        if start >= closes:
            return 0, None
        return int((closes - start).total_seconds()), start

    def add_business_seconds(self, start: datetime.datetime, seconds: float) -> datetime.datetime:
        """The moment ``seconds`` of business time after ``start``. Never inside closed time, never before ``start``:
        a deadline falling exactly at a day's close is that close."""
        moment = timezone.localtime(start, self.tz)
        remaining = max(int(round(seconds)), 0)
        left_today, from_ = self._open_seconds_left_on_day(moment)
        if remaining == 0:
            # Nothing to count: the start itself, moved out of closed time to the next opening.
            return from_ if from_ is not None else self._next_opening(moment.date() + ONE_DAY)
        if remaining <= left_today:
            return from_ + datetime.timedelta(seconds=remaining)
        remaining -= left_today
        day = moment.date() + ONE_DAY
        while True:
            # Within a year, the day that holds what remains is found in the running sums (a bisection); a year
            # that cannot hold it is skipped whole.
            sums = self._year(day.year)[1]
            before = sums[day.timetuple().tm_yday - 1]
            if sums[-1] - before < remaining:
                remaining -= sums[-1] - before
                day = datetime.date(day.year + 1, 1, 1)
                if day.year > moment.year + 50:
                    raise ValueError("no working time in fifty years: check the calendar's weekly hours")
                continue
            index = bisect.bisect_left(sums, before + remaining) - 1
            day = datetime.date(day.year, 1, 1) + datetime.timedelta(days=index)
            return self._at(day, self.window(day)[0]) + datetime.timedelta(seconds=before + remaining - sums[index])

    def add_business_hours(self, start: datetime.datetime, hours: float) -> datetime.datetime:
        return self.add_business_seconds(start, hours * 3600)

    def _next_opening(self, day: datetime.date) -> datetime.datetime:
        for _offset in range(3660):
            window = self.window(day)
            if window is not None and window[0] < window[1]:
                return self._at(day, window[0])
            day += ONE_DAY
        raise ValueError("no working time in ten years: check the calendar's weekly hours")

    def business_seconds_between(self, start: datetime.datetime, end: datetime.datetime) -> int:
        """Business seconds from ``start`` to ``end`` (0 when ``end`` is not after ``start``)."""
        if end <= start:
            return 0
        start, end = timezone.localtime(start, self.tz), timezone.localtime(end, self.tz)
        if start.date() == end.date():
            return self._within_day(start, end)
        total = self._open_seconds_left_on_day(start)[0]
        total += self._open_seconds_from(start.date() + ONE_DAY, end.date())
        return total + self._within_day(self._at(end.date(), datetime.time.min), end)

    def _within_day(self, start: datetime.datetime, end: datetime.datetime) -> int:
        window = self.window(start.date())
        if window is None:
            return 0
        opens, closes = self._at(start.date(), window[0]), self._at(start.date(), window[1])
        return max(int((min(end, closes) - max(start, opens)).total_seconds()), 0)

    def is_business_time(self, moment: datetime.datetime) -> bool:
        moment = timezone.localtime(moment, self.tz)
        window = self.window(moment.date())
        return window is not None and window[0] <= moment.time() < window[1]


def load_calendar() -> WorkingCalendar:
    """The calendar with the admin's dates (one query)."""
    from crm.care.complaints.models import WorkingDayOverride

    overrides = [
        DayOverride(day=row.day, is_working=row.is_working, opens=row.opens, closes=row.closes)
        for row in WorkingDayOverride.objects.all()
    ]
    return WorkingCalendar(overrides=overrides)
