"""When a car next needs service: pure date-and-kilometre arithmetic, no I/O."""

import datetime
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
