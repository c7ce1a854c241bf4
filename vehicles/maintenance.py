"""When a car next needs service: pure date-and-kilometre arithmetic, no I/O."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class ServiceDue:
    on: datetime.date
    at_km: int


def next_service_due(
    *, delivered_on: datetime.date, last_service_on: datetime.date | None, last_service_km: int | None, car_model
) -> ServiceDue:
    """The first service at N months or N km after delivery, then every M months or M km after the last one —
    whichever comes first (the caller compares the km with the current mileage)."""
    if last_service_on is None:
        return ServiceDue(
            on=delivered_on + relativedelta(months=car_model.first_service_months), at_km=car_model.first_service_km
        )
    return ServiceDue(
        on=last_service_on + relativedelta(months=car_model.service_interval_months),
        at_km=(last_service_km or 0) + car_model.service_interval_km,
    )


def next_tyres_due(*, fitted_on: datetime.date, fitted_at_km: int, car_model) -> ServiceDue:
    """Tyres fitted at delivery or replaced at a visit last N months or N km, whichever comes first."""
    return ServiceDue(
        on=fitted_on + relativedelta(months=car_model.tyre_interval_months),
        at_km=fitted_at_km + car_model.tyre_interval_km,
    )


# (from the car's age in years, next inspection after N months): the mainland rules for non-operating small and
# mini passenger cars since October 2022, used when the InspectionRule table is empty.
DEFAULT_INSPECTION_RULES = ((0, 72), (6, 48), (10, 12))
# An inspection may be taken up to three months before it is due; it then counts for that due date.
INSPECTION_WINDOW_MONTHS = 3


def inspection_due_dates(*, registered_on: datetime.date, rules: Sequence[tuple[int, int]]):
    """Every due date of a car's inspections, in order: each rule applies from the car's age at the previous due."""
    rules = sorted(rules or DEFAULT_INSPECTION_RULES)
    months = 0
    while True:
        age_years = months // 12
        interval = next((interval for from_age, interval in reversed(rules) if from_age <= age_years), rules[0][1])
        months += max(interval, 1)
        yield registered_on + relativedelta(months=months)


def next_inspection_due(
    *, registered_on: datetime.date, last_passed_on: datetime.date | None, rules: Sequence[tuple[int, int]]
) -> datetime.date:
    """The next inspection due date: the first one after registration, or the first whose window opens after the
    last passed inspection (a car inspected early, within the window, is done for that due date)."""
    for due in inspection_due_dates(registered_on=registered_on, rules=rules):
        if last_passed_on is None or due - relativedelta(months=INSPECTION_WINDOW_MONTHS) > last_passed_on:
            return due
    raise AssertionError("unreachable: the schedule never ends")
