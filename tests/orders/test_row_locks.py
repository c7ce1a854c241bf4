"""Steps lock the rows they change (the order, a car in stock) before writing them, seen in the SQL they send;
and the helper that checks it fails when a write comes without its lock."""

import pytest

from orders.models import Order
from orders.services import apply_transition
from tests.helpers import assert_locks_rows_before_write
from vehicles.models import VehicleUnit

pytestmark = pytest.mark.django_db


def _write(order):
    Order.objects.filter(pk=order.pk).update(plate="粤B00001")


def _lock(order):
    list(Order.objects.select_for_update(of=("self",)).filter(pk=order.pk))


def _lock_then_write(order):
    _lock(order)
    _write(order)


def _write_then_lock(order):
    _write(order)
    _lock(order)


def test_the_helper_passes_a_write_after_a_lock(cast):
    order = cast.new_order()
    with assert_locks_rows_before_write("orders_order"):
        _lock_then_write(order)


def test_the_helper_fails_on_a_write_without_a_lock(cast):
    order = cast.new_order()
    with pytest.raises(AssertionError, match="written without locking"), assert_locks_rows_before_write():
        _write(order)


def test_the_helper_fails_when_the_lock_comes_after_the_write(cast):
    order = cast.new_order()
    with pytest.raises(AssertionError, match="written without locking"), assert_locks_rows_before_write():
        _write_then_lock(order)


def test_the_helper_fails_when_a_named_table_is_not_written(cast):
    order = cast.new_order()
    expected = r"the block wrote no row of \['vehicles_vehicleunit'\]"
    with (
        pytest.raises(AssertionError, match=expected),
        assert_locks_rows_before_write("orders_order", "vehicles_vehicleunit"),
    ):
        _lock_then_write(order)


def test_a_step_locks_the_order_before_writing_it(cast):
    order = cast.advance(cast.new_order(), "submitted")
    with assert_locks_rows_before_write("orders_order"):
        apply_transition(order_id=order.pk, name="start_collecting", actor=cast.store_staff)


def test_confirming_a_car_locks_the_order_and_the_unit_before_writing_them(cast):
    order = cast.advance(cast.new_order(), "approved")
    with assert_locks_rows_before_write("orders_order", "vehicles_vehicleunit"):
        apply_transition(order_id=order.pk, name="confirm_vehicle", actor=cast.store_staff)
    assert VehicleUnit.objects.get(pk=cast.unit.pk).status == "reserved"


def test_confirming_a_named_car_locks_the_unit_before_writing_it(cast):
    order = cast.advance(cast.new_order(), "approved")
    with assert_locks_rows_before_write("orders_order", "vehicles_vehicleunit"):
        apply_transition(order_id=order.pk, name="confirm_vehicle", actor=cast.store_staff, vin=cast.unit.vin)


def test_terminating_releases_the_unit_after_locking_it(cast):
    order = cast.advance(cast.new_order(), "vehicle_confirmed")
    with assert_locks_rows_before_write("orders_order", "vehicles_vehicleunit"):
        apply_transition(order_id=order.pk, name="terminate", actor=cast.store_manager, reason="客户放弃")
    assert VehicleUnit.objects.get(pk=cast.unit.pk).status == "in_stock"


def test_handing_over_locks_the_unit_before_delivering_it(cast):
    order = cast.advance(cast.new_order(), "ready_for_pickup")
    cast.upload(order, "delivery_photo", actor=cast.store_staff)
    with assert_locks_rows_before_write("orders_order", "vehicles_vehicleunit"):
        apply_transition(order_id=order.pk, name="hand_over", actor=cast.store_staff, plate="粤B16888")
    assert VehicleUnit.objects.get(pk=cast.unit.pk).status == "delivered"
