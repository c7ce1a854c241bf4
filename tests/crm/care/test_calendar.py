"""The working calendar: business hours on mainland working days, make-up days, admin dates, unknown years."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.care.complaints.calendar import DayOverride, WorkingCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKLY = dict.fromkeys(range(5), ("09:00", "18:00"))


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def calendar():
    return WorkingCalendar(weekly_hours=WEEKLY)


def test_deadline_within_the_same_day(calendar):
    assert calendar.add_business_hours(at(2026, 3, 2, 10), 4) == at(2026, 3, 2, 14)


def test_deadline_across_a_weekend(calendar):
    # Friday 2026-03-06 16:00 + 4 h: 2 h on Friday, 2 h on Monday.
    assert calendar.add_business_hours(at(2026, 3, 6, 16), 4) == at(2026, 3, 9, 11)


def test_start_at_a_non_working_hour_counts_from_the_next_opening(calendar):
    assert calendar.add_business_hours(at(2026, 3, 2, 20), 2) == at(2026, 3, 3, 11)
    assert calendar.add_business_hours(at(2026, 3, 7, 10), 1) == at(2026, 3, 9, 10)  # a Saturday


def test_deadline_across_spring_festival(calendar):
    # 2026 Spring Festival holiday: 15–23 February; the last working day before is Friday 13 February.
    assert calendar.add_business_hours(at(2026, 2, 13, 17), 2) == at(2026, 2, 14, 10)  # make-up Saturday
    assert calendar.add_business_hours(at(2026, 2, 14, 17), 2) == at(2026, 2, 24, 10)


def test_make_up_saturdays_are_working_days(calendar):
    assert calendar.window(datetime.date(2026, 2, 14)) == (datetime.time(9), datetime.time(18))
    assert calendar.window(datetime.date(2026, 2, 28)) == (datetime.time(9), datetime.time(18))
    assert calendar.window(datetime.date(2026, 2, 21)) is None  # a Saturday inside the holiday
    assert calendar.add_business_hours(at(2026, 2, 27, 17), 2) == at(2026, 2, 28, 10)


def test_unknown_year_falls_back_to_weekly_hours_and_admin_dates():
    override = DayOverride(day=datetime.date(2027, 1, 1), is_working=False)  # New Year's Day, entered by the admin
    calendar = WorkingCalendar(weekly_hours=WEEKLY, overrides=[override])
    assert not calendar.is_known_day(datetime.date(2027, 1, 4))
    assert calendar.is_known_day(datetime.date(2027, 1, 1))
    # Thursday 31 December 2026 17:00 + 2 h: 1 h that day, Friday 1 January closed (admin), Monday 4th.
    assert calendar.add_business_hours(at(2026, 12, 31, 17), 2) == at(2027, 1, 4, 10)
    # Without the admin's date the weekly hours alone count Friday 1 January 2027 as a working day.
    plain = WorkingCalendar(weekly_hours=WEEKLY)
    assert plain.add_business_hours(at(2026, 12, 31, 17), 2) == at(2027, 1, 1, 10)


def test_admin_override_opens_a_day_with_its_own_hours():
    override = DayOverride(day=datetime.date(2026, 3, 7), is_working=True, opens=datetime.time(10),
                           closes=datetime.time(12))  # fmt: skip
    calendar = WorkingCalendar(weekly_hours=WEEKLY, overrides=[override])
    assert calendar.add_business_hours(at(2026, 3, 6, 17), 2) == at(2026, 3, 7, 11)


def test_business_seconds_between_is_the_inverse_of_adding(calendar):
    start = at(2026, 2, 10, 15, 30)
    deadline = calendar.add_business_hours(start, 30)
    assert calendar.business_seconds_between(start, deadline) == 30 * 3600


def test_a_long_deadline_walks_years_not_minutes(calendar):
    start = at(2026, 1, 5, 9)
    deadline = calendar.add_business_hours(start, 5000)
    assert deadline.year >= 2028
    assert calendar.business_seconds_between(start, deadline) == 5000 * 3600


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(min_value=datetime.datetime(2025, 12, 1), max_value=datetime.datetime(2027, 2, 1)),  # noqa: DTZ001
    hours=st.floats(min_value=0, max_value=400, allow_nan=False),
)
def test_a_deadline_is_never_in_closed_time_nor_before_the_start(start, hours):
    calendar = WorkingCalendar(weekly_hours=WEEKLY)
    start = start.replace(tzinfo=SHANGHAI)
    deadline = calendar.add_business_hours(start, hours)
    assert deadline >= start
    window = calendar.window(deadline.date())
    assert window is not None
    assert window[0] <= deadline.timetz().replace(tzinfo=None) <= window[1]
    assert abs(calendar.business_seconds_between(start, deadline) - round(hours * 3600)) <= 1


def _walk_day_by_day(calendar: WorkingCalendar, start: datetime.datetime, seconds: int) -> datetime.datetime:
    """The plain rule, one day at a time: the reference the running sums must agree with."""
    day, moment = start.date(), start
    while True:
        window = calendar.window(day)
        if window is not None:
            opens, closes = (datetime.datetime.combine(day, time, tzinfo=SHANGHAI) for time in window)
            begin = max(moment, opens)
            if begin < closes:
                if seconds <= (closes - begin).total_seconds():
                    return begin + datetime.timedelta(seconds=seconds)
                seconds -= int((closes - begin).total_seconds())
        day += datetime.timedelta(days=1)
        moment = datetime.datetime.combine(day, datetime.time.min, tzinfo=SHANGHAI)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(min_value=datetime.datetime(2025, 11, 1), max_value=datetime.datetime(2027, 6, 1)),  # noqa: DTZ001
    hours=st.integers(min_value=1, max_value=3000),
)
def test_the_running_sums_agree_with_a_day_by_day_walk(start, hours):
    # Admin dates in a year the library knows and in one it does not: each calendar keys its shared years by them.
    overrides = [DayOverride(day=datetime.date(2026, 3, 7), is_working=True, opens=datetime.time(10),
                             closes=datetime.time(12)),
                 DayOverride(day=datetime.date(2027, 2, 8), is_working=False)]  # fmt: skip
    calendar = WorkingCalendar(weekly_hours=WEEKLY, overrides=overrides)
    start = start.replace(tzinfo=SHANGHAI)
    expected = _walk_day_by_day(calendar, start, hours * 3600)
    assert calendar.add_business_hours(start, hours) == expected
    assert calendar.business_seconds_between(start, expected) == hours * 3600
