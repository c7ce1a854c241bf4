"""Two members booking the last place of a slot at once, on PostgreSQL with real connections: one gets it."""

import datetime
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments.models import Appointment, ServiceCapacity
from appointments.services import book_appointment
from common.exceptions import DomainError
from tests.members.factories import StoreFactory
from tests.vehicles.factories import OwnedVehicleFactory

pytestmark = pytest.mark.django_db(transaction=True)

TEN = datetime.time(10)


def _tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


def test_two_bookings_racing_for_the_last_place_give_one():
    store = StoreFactory()
    ServiceCapacity.objects.create(store=store, cars_per_slot=2)
    first, second, third = OwnedVehicleFactory(), OwnedVehicleFactory(), OwnedVehicleFactory()
    book_appointment(member_id=first.member_id, vehicle_id=first.pk, store_id=store.pk, kind="maintenance",
                     date=_tomorrow(), slot=TEN)  # fmt: skip
    barrier = threading.Barrier(2)
    outcomes = []

    def book(car):
        try:
            barrier.wait()
            book_appointment(member_id=car.member_id, vehicle_id=car.pk, store_id=store.pk, kind="maintenance",
                             date=_tomorrow(), slot=TEN)  # fmt: skip
            outcomes.append("booked")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(car,)) for car in (second, third)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["booked", "slot_full"]
    assert Appointment.objects.filter(store=store, date=_tomorrow(), slot=TEN).count() == 2


def test_the_capacity_row_is_locked_before_the_slot_is_counted():
    store = StoreFactory()
    car = OwnedVehicleFactory()
    with CaptureQueriesContext(connection) as queries:
        book_appointment(member_id=car.member_id, vehicle_id=car.pk, store_id=store.pk, kind="repair",
                         date=_tomorrow(), slot=TEN)  # fmt: skip
    sqls = [query["sql"] for query in queries.captured_queries]
    lock = next(i for i, sql in enumerate(sqls) if "FOR UPDATE" in sql and "appointments_servicecapacity" in sql)
    count = next(i for i, sql in enumerate(sqls) if "COUNT(" in sql and "appointments_appointment" in sql)
    insert = next(i for i, sql in enumerate(sqls) if sql.startswith('INSERT INTO "appointments_appointment"'))
    assert lock < count < insert
