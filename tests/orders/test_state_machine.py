"""Every step allowed and refused, by state and by role, through the services."""

import pytest

from notifications.models import Notification
from orders.enums import OrderState
from orders.exceptions import (
    MissingDocuments,
    ReasonRequired,
    TransitionForbidden,
    TransitionNotAllowed,
    UnknownTransition,
)
from orders.models import CreditCheck, Order, OrderEvent
from orders.state_machine import TRANSITION_ACTORS
from tests.helpers import row_counts

pytestmark = pytest.mark.django_db

# For each step: the states it starts from and who takes it in the happy case.
SOURCES = {
    "submit": {"draft"},
    "start_collecting": {"submitted"},
    "send_to_review": {"collecting_materials"},
    "approve": {"under_review"},
    "request_materials": {"under_review"},
    "resubmit": {"needs_materials"},
    "reject": {"under_review"},
    "confirm_vehicle": {"approved"},
    "wait_for_vehicle": {"approved"},
    "vehicle_arrived": {"awaiting_vehicle"},
    "change_model": {"approved", "awaiting_vehicle"},
    "schedule_signing": {"vehicle_confirmed"},
    "sign_contract": {"contract_scheduled"},
    "record_down_payment": {"signed"},
    "fund": {"down_payment_paid"},
    "notify_pickup": {"funded"},
    "hand_over": {"ready_for_pickup"},
    "cancel": {
        "draft",
        "submitted",
        "collecting_materials",
        "under_review",
        "needs_materials",
        "approved",
        "awaiting_vehicle",
        "vehicle_confirmed",
        "contract_scheduled",
    },  # fmt: skip
    "terminate": {state.value for state in OrderState} - {"rejected", "delivered", "terminated", "replaced"},
}


def test_the_table_covers_every_transition_of_the_model():
    names = {transition.name for transition in Order._meta.get_field("state").get_all_transitions(Order)}
    assert names == set(SOURCES) == set(TRANSITION_ACTORS)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_each_step_starts_only_from_its_source_states(name):
    sources = {
        transition.source
        for transition in Order._meta.get_field("state").get_all_transitions(Order)
        if transition.name == name
    }
    assert sources == SOURCES[name]


def test_a_step_from_the_wrong_state_is_409_and_changes_nothing(cast):
    order = cast.new_order()
    with pytest.raises(TransitionNotAllowed):
        cast.step(order, "approve", cast.reviewer)
    order.refresh_from_db()
    assert order.state == "draft"
    assert not OrderEvent.objects.filter(order=order).exists()


def test_an_unknown_step_is_refused(cast):
    order = cast.new_order()
    before = row_counts(OrderEvent, Notification)
    with pytest.raises(UnknownTransition):
        cast.step(order, "teleport", cast.member_user)
    order.refresh_from_db()
    assert order.state == "draft"
    assert row_counts(OrderEvent, Notification) == before


@pytest.mark.parametrize(
    ("name", "state", "allowed", "refused"),
    [
        ("submit", "draft", ["member_user", "call_center"], ["store_staff", "reviewer", "finance"]),
        ("start_collecting", "submitted", ["store_staff", "store_manager"],
         ["other_store_staff", "reviewer", "member_user", "call_center"]),
        ("approve", "under_review", ["reviewer"], ["store_staff", "finance", "member_user", "head_office"]),
        ("fund", "down_payment_paid", ["finance"], ["store_staff", "reviewer", "member_user"]),
        ("hand_over", "ready_for_pickup", ["store_staff"], ["other_store_staff", "finance", "member_user"]),
    ],
)  # fmt: skip
def test_only_the_right_roles_may_take_a_step(cast, name, state, allowed, refused):
    order = cast.advance(cast.new_order(), state)
    for actor_name in refused:
        with pytest.raises(TransitionForbidden):
            cast.step(order, name, getattr(cast, actor_name))
        order.refresh_from_db()
        assert order.state == state, actor_name
    assert OrderEvent.objects.filter(order=order, from_state=state).count() == 0
    extra = {"plate": "粤B16888"} if name == "hand_over" else {}
    if name == "hand_over":
        cast.upload(order, "delivery_photo", actor=cast.store_staff)
    moved = cast.step(order, name, getattr(cast, allowed[0]), **extra)
    assert moved.state != state


def test_another_members_order_is_forbidden(cast):
    from tests.members.factories import MemberFactory

    stranger = MemberFactory()
    order = cast.new_order()
    before = row_counts(OrderEvent, Notification)
    with pytest.raises(TransitionForbidden):
        cast.step(order, "submit", stranger.user)
    order.refresh_from_db()
    assert (order.state, order.store_id) == ("draft", None)
    assert row_counts(OrderEvent, Notification) == before


def test_review_needs_the_required_documents(cast):
    order = cast.advance(cast.new_order(), "collecting_materials")
    cast.upload(order, "id_front")
    before = row_counts(OrderEvent, Notification, CreditCheck)
    with pytest.raises(MissingDocuments) as error:
        cast.step(order, "send_to_review", cast.store_staff)
    assert error.value.code == "missing_documents"
    order.refresh_from_db()
    assert order.state == "collecting_materials"
    assert row_counts(OrderEvent, Notification, CreditCheck) == before
    assert order.missing_documents() == ["id_back", "driving_licence", "income_proof"]


@pytest.mark.parametrize(("name", "actor"), [("reject", "reviewer"), ("request_materials", "reviewer")])
def test_reject_and_ask_for_materials_need_a_reason(cast, name, actor):
    order = cast.advance(cast.new_order(), "under_review")
    before = row_counts(OrderEvent, Notification)
    with pytest.raises(ReasonRequired):
        cast.step(order, name, getattr(cast, actor), reason="   ")
    order.refresh_from_db()
    assert order.state == "under_review"
    assert row_counts(OrderEvent, Notification) == before
    moved = cast.step(order, name, getattr(cast, actor), reason="收入证明不清晰")
    assert OrderEvent.objects.get(order=moved, to_state=moved.state).reason == "收入证明不清晰"


def test_terminate_needs_a_reason_and_releases_the_car(cast):
    order = cast.advance(cast.new_order(), "vehicle_confirmed")
    cast.unit.refresh_from_db()
    assert cast.unit.status == "reserved"
    before = row_counts(OrderEvent, Notification)
    with pytest.raises(ReasonRequired):
        cast.step(order, "terminate", cast.store_manager)
    order.refresh_from_db()
    cast.unit.refresh_from_db()
    assert (order.state, order.vehicle_unit_id, cast.unit.status) == ("vehicle_confirmed", cast.unit.pk, "reserved")
    assert row_counts(OrderEvent, Notification) == before
    order = cast.step(order, "terminate", cast.store_manager, reason="客户放弃")
    assert order.state == "terminated"
    cast.unit.refresh_from_db()
    assert cast.unit.status == "in_stock"


def test_member_can_cancel_before_signing_but_not_after(cast):
    early = cast.advance(cast.new_order(), "approved")
    assert cast.step(early, "cancel", cast.member_user, reason="不想买了").state == "terminated"
    late = cast.advance(cast.new_order(), "signed")
    before = row_counts(OrderEvent, Notification)
    with pytest.raises(TransitionNotAllowed):
        cast.step(late, "cancel", cast.member_user, reason="后悔了")
    late.refresh_from_db()
    assert late.state == "signed"
    assert row_counts(OrderEvent, Notification) == before


def test_needs_materials_round_trip(cast):
    order = cast.advance(cast.new_order(), "under_review")
    order = cast.step(order, "request_materials", cast.reviewer, reason="请补充银行流水")
    order = cast.step(order, "resubmit", cast.member_user)
    assert order.state == "under_review"
    assert order.credit_checks.count() == 2


def test_wait_for_vehicle_then_arrival_reserves_a_car(cast):
    order = cast.advance(cast.new_order(), "approved")
    order = cast.step(order, "wait_for_vehicle", cast.member_user)
    order = cast.step(order, "vehicle_arrived", cast.store_staff)
    assert order.state == "vehicle_confirmed"
    assert order.vehicle_unit == cast.unit


def test_no_car_in_stock_is_a_clear_409(cast):
    from vehicles.exceptions import NoVehicleInStock

    first = cast.advance(cast.new_order(), "vehicle_confirmed")
    second = cast.advance(cast.new_order(cast.applicant()), "approved")
    with pytest.raises(NoVehicleInStock):
        cast.step(second, "confirm_vehicle", cast.store_staff)
    second.refresh_from_db()
    assert second.state == "approved"
    assert first.vehicle_unit == cast.unit


def test_submit_assigns_the_preferred_store_else_one_in_the_city(cast):
    assert cast.advance(cast.new_order(), "submitted").store == cast.store
    in_guangzhou = cast.applicant(preferred_store=None, city="广州")
    assert cast.advance(cast.new_order(in_guangzhou), "submitted").store == cast.other_store


def test_every_step_writes_one_event_with_actor(cast):
    order = cast.advance(cast.new_order(), "approved")
    events = list(OrderEvent.objects.filter(order=order).values_list("transition", "from_state", "to_state"))
    assert events == [
        ("submit", "draft", "submitted"),
        ("start_collecting", "submitted", "collecting_materials"),
        ("send_to_review", "collecting_materials", "under_review"),
        ("approve", "under_review", "approved"),
    ]
    assert OrderEvent.objects.get(order=order, transition="approve").actor == cast.reviewer


def test_state_field_cannot_be_set_directly(cast):
    order = cast.new_order()
    with pytest.raises(AttributeError):
        order.state = "delivered"
