"""Two staff moving the same order at once, on PostgreSQL with real connections: one wins, the other gets a 409."""

import threading

import pytest
from django.db import connection, transaction

from common.exceptions import DomainError
from orders.models import Order, OrderEvent
from orders.services import apply_transition
from tests.vehicles.factories import VehicleUnitFactory

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = ("ok", call().state)
        except DomainError as error:
            outcomes[index] = ("refused", error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_staff_taking_the_same_step_one_succeeds(cast):
    order = cast.advance(cast.new_order(), "submitted")
    outcomes = race(
        lambda: apply_transition(order_id=order.pk, name="start_collecting", actor=cast.store_staff),
        lambda: apply_transition(order_id=order.pk, name="start_collecting", actor=cast.store_manager),
    )
    assert sorted(outcomes) == [("ok", "collecting_materials"), ("refused", "transition_not_allowed")]
    assert OrderEvent.objects.filter(order=order, transition="start_collecting").count() == 1


def test_approve_and_reject_at_once_leave_one_decision(cast):
    order = cast.advance(cast.new_order(), "under_review")
    outcomes = race(
        lambda: apply_transition(order_id=order.pk, name="approve", actor=cast.reviewer),
        lambda: apply_transition(order_id=order.pk, name="reject", actor=cast.reviewer, reason="资料不符"),
    )
    kinds = sorted(kind for kind, _value in outcomes)
    assert kinds == ["ok", "refused"]
    order.refresh_from_db()
    decisions = OrderEvent.objects.filter(order=order, from_state="under_review")
    assert decisions.count() == 1
    assert decisions.get().to_state == order.state


def test_one_car_is_never_reserved_for_two_orders(cast):
    first = cast.advance(cast.new_order(), "approved")
    second = cast.advance(cast.new_order(cast.applicant()), "approved")
    outcomes = race(
        lambda: apply_transition(order_id=first.pk, name="confirm_vehicle", actor=cast.store_staff),
        lambda: apply_transition(order_id=second.pk, name="confirm_vehicle", actor=cast.store_manager),
    )
    assert sorted(kind for kind, _value in outcomes) == ["ok", "refused"]
    assert ("refused", "no_vehicle_in_stock") in outcomes
    assert Order.objects.filter(vehicle_unit=cast.unit).count() == 1


def test_two_cars_two_orders_both_get_one(cast):
    VehicleUnitFactory(trim=cast.trim, store=cast.store)
    first = cast.advance(cast.new_order(), "approved")
    second = cast.advance(cast.new_order(cast.applicant()), "approved")
    outcomes = race(
        lambda: apply_transition(order_id=first.pk, name="confirm_vehicle", actor=cast.store_staff),
        lambda: apply_transition(order_id=second.pk, name="confirm_vehicle", actor=cast.store_manager),
    )
    assert outcomes == [("ok", "vehicle_confirmed"), ("ok", "vehicle_confirmed")]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.vehicle_unit_id != second.vehicle_unit_id


def test_a_step_waits_for_the_order_a_concurrent_step_holds_and_then_sees_its_result(cast):
    """The first service call has taken its step and still holds the order (its transaction is open). The second
    call of the real service must wait for the row, then read the new state and refuse with a 409, instead of
    reading the old state and failing when it writes."""
    order = cast.advance(cast.new_order(), "submitted")
    first_took_the_step = threading.Event()
    release_first = threading.Event()
    second_finished = threading.Event()
    outcomes = {}

    def first():
        try:
            with transaction.atomic():
                step = apply_transition(order_id=order.pk, name="start_collecting", actor=cast.store_staff)
                outcomes["first"] = step.state
                first_took_the_step.set()
                release_first.wait(10)
        finally:
            connection.close()

    def second():
        first_took_the_step.wait(10)
        try:
            outcomes["second"] = apply_transition(
                order_id=order.pk, name="start_collecting", actor=cast.store_manager
            ).state
        except DomainError as error:
            outcomes["second"] = error.code
        except Exception as error:  # noqa: BLE001 - any other failure is what the test must show
            outcomes["second"] = type(error).__name__
        finally:
            second_finished.set()
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert first_took_the_step.wait(10)
    # While the first transaction holds the row, the second call cannot get past its lock.
    assert not second_finished.wait(1.0)
    release_first.set()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == {"first": "collecting_materials", "second": "transition_not_allowed"}
    order.refresh_from_db()
    assert order.state == "collecting_materials"
    events = OrderEvent.objects.filter(order=order, transition="start_collecting")
    assert list(events.values_list("actor", flat=True)) == [cast.store_staff.pk]
