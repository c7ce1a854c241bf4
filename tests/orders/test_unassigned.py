"""Applications from members with no preferred store and no store in their city: accepted, waiting unassigned until
the call center (or head office) assigns a store; store roles never see them until then."""

import pytest
from rest_framework.test import APIClient

from members.services import issue_access_token
from notifications.models import Notification
from orders import services
from orders.exceptions import InvalidStore, StoreNotAssigned
from orders.models import Order, OrderEvent
from tests.members.factories import StaffFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=user)}")
    return client


@pytest.fixture
def storeless(cast):
    """A member in a city without a store, who chose no store."""
    return cast.applicant(preferred_store=None, city="拉萨")


@pytest.fixture
def waiting(cast, storeless):
    return cast.advance(cast.new_order(storeless), "submitted")


def assign(client, order, store):
    return client.post(f"/api/v1/backoffice/orders/{order.pk}/assign-store/", {"store": store}, format="json")


def test_submit_without_any_store_is_accepted_and_waits_unassigned(cast, storeless):
    client = client_for(storeless.user)
    created = client.post("/api/v1/orders/", {"trim": cast.trim.pk, "plan": cast.plan.pk}, format="json").json()
    response = client.post(
        f"/api/v1/orders/{created['id']}/transitions/submit/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["store"]) == ("submitted", None)
    assert body["next_step"] == "We are choosing the store nearest to you; the call center will contact you soon."
    assert body["available_transitions"] == [
        {"name": "cancel", "target": "terminated", "label": "Cancel application", "needs_reason": True}
    ]
    assert list(OrderEvent.objects.values_list("transition", "to_state")) == [("submit", "submitted")]


def test_the_member_page_submits_without_a_store(client, cast, storeless):
    client.force_login(storeless.user)
    response = client.post(f"/cars/trims/{cast.trim.pk}/apply/", {"plan": cast.plan.pk})
    order = Order.objects.get()
    assert response["Location"] == f"/me/orders/{order.pk}/"
    assert (order.state, order.store) == ("submitted", None)


def test_store_roles_never_see_it_and_call_center_finds_it_in_the_queue(cast, waiting, django_assert_num_queries):
    for store_user in (cast.store_staff, cast.store_manager, cast.other_store_staff):
        staff = client_for(store_user)
        assert staff.get("/api/v1/backoffice/orders/").json()["count"] == 0
        assert staff.get("/api/v1/backoffice/orders/?unassigned=true").json()["count"] == 0
        assert staff.get(f"/api/v1/backoffice/orders/{waiting.pk}/").status_code == 404
    assigned = cast.advance(cast.new_order(), "submitted")
    agent = client_for(cast.call_center)
    agent.get("/api/v1/backoffice/orders/")  # authenticate once outside the pin
    with django_assert_num_queries(3):  # the token with its user, the count, the page
        queue = agent.get("/api/v1/backoffice/orders/?unassigned=true").json()
    assert [row["id"] for row in queue["results"]] == [waiting.pk]
    assert queue["results"][0]["store"] is None
    everything = agent.get("/api/v1/backoffice/orders/?unassigned=false").json()
    assert {row["id"] for row in everything["results"]} == {waiting.pk, assigned.pk}
    assert agent.get("/api/v1/backoffice/orders/?unassigned=maybe").status_code == 400


def test_start_collecting_waits_for_a_store_even_for_an_administrator(cast, waiting):
    admin = StaffFactory(username="root", role="admin", is_superuser=True)
    with pytest.raises(StoreNotAssigned):
        cast.step(waiting, "start_collecting", admin)
    response = client_for(admin).post(
        f"/api/v1/backoffice/orders/{waiting.pk}/transitions/start_collecting/", {}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "store_not_assigned")
    waiting.refresh_from_db()
    assert (waiting.state, waiting.store) == ("submitted", None)
    assert OrderEvent.objects.filter(order=waiting).count() == 1


def test_call_center_assigns_a_store_by_code_and_the_store_and_member_see_it(cast, waiting, storeless):
    response = assign(client_for(cast.call_center), waiting, "GZ01")
    assert response.status_code == 200
    assert response.json()["store"] == "GZ01"
    waiting.refresh_from_db()
    assert (waiting.state, waiting.store) == ("submitted", cast.other_store)
    event = OrderEvent.objects.get(order=waiting, transition="assign_store")
    assert (event.from_state, event.to_state, event.actor) == ("submitted", "submitted", cast.call_center)
    message = Notification.objects.get(event="order.store_assigned")
    assert (message.recipient, message.channel, message.link) == (storeless.user, "inbox", f"/me/orders/{waiting.pk}/")
    store = cast.other_store
    assert message.subject == "已为您的申请安排门店"
    assert message.body == (
        f"您的申请 {waiting.number} 已交由{store.name}（电话 {store.phone}）受理，门店将尽快与您联系。"
    )
    store_b = client_for(cast.other_store_staff)
    assert [row["id"] for row in store_b.get("/api/v1/backoffice/orders/").json()["results"]] == [waiting.pk]
    started = store_b.post(f"/api/v1/backoffice/orders/{waiting.pk}/transitions/start_collecting/", {}, format="json")
    assert started.json()["state"] == "collecting_materials"
    assert client_for(cast.store_staff).get(f"/api/v1/backoffice/orders/{waiting.pk}/").status_code == 404
    assert client_for(cast.call_center).get("/api/v1/backoffice/orders/?unassigned=true").json()["count"] == 0


def test_head_office_assigns_by_id_too(cast, waiting):
    response = assign(client_for(cast.head_office), waiting, cast.store.pk)
    assert (response.status_code, response.json()["store"]) == (200, "SZ01")


@pytest.mark.parametrize(
    "case",
    [
        ("reviewer", "GZ01", 403, "permission_denied"),
        ("finance", "GZ01", 403, "permission_denied"),
        ("store_staff", "SZ01", 404, "not_found"),
        ("call_center", "NOPE", 400, "invalid"),
        ("call_center", "", 400, "invalid"),
        ("member", "GZ01", 403, "permission_denied"),
    ],
)
def test_assigning_is_refused_and_changes_nothing(cast, waiting, case):
    who, store, status, code = case
    user = cast.member_user if who == "member" else getattr(cast, who)
    response = assign(client_for(user), waiting, store)
    assert (response.status_code, response.json()["code"]) == (status, code)
    waiting.refresh_from_db()
    assert waiting.store is None
    assert not OrderEvent.objects.filter(transition="assign_store").exists()
    assert not Notification.objects.filter(event="order.store_assigned").exists()


def test_only_an_application_that_waits_for_a_store_can_be_assigned(cast, storeless):
    agent = client_for(cast.call_center)
    assigned = cast.advance(cast.new_order(), "submitted")
    response = assign(agent, assigned, "GZ01")
    assert (response.status_code, response.json()["code"]) == (409, "store_already_assigned")
    draft = cast.new_order(storeless)
    response = assign(agent, draft, "GZ01")
    assert (response.status_code, response.json()["code"]) == (409, "transition_not_allowed")
    ended = cast.step(draft, "cancel", storeless.user, reason="不买了")
    response = assign(agent, ended, "GZ01")
    assert (response.status_code, response.json()["code"]) == (409, "transition_not_allowed")
    assigned.refresh_from_db()
    ended.refresh_from_db()
    assert (assigned.store, ended.store) == (cast.store, None)
    assert not OrderEvent.objects.filter(transition="assign_store").exists()


def test_a_closed_store_cannot_be_assigned(cast, waiting):
    cast.other_store.is_active = False
    cast.other_store.save()
    with pytest.raises(InvalidStore):
        services.assign_order_store(order_id=waiting.pk, store_id=cast.other_store.pk, actor=cast.call_center)
    waiting.refresh_from_db()
    assert waiting.store is None


def test_the_admin_queue_lists_waiting_applications_and_assigns(client, cast, waiting, storeless):
    assigned = cast.advance(cast.new_order(), "submitted")
    client.force_login(cast.call_center)
    assert "/admin/orders/unassignedorder/" in client.get("/admin/").content.decode()
    page = client.get("/admin/orders/unassignedorder/").content.decode()
    assert waiting.number in page
    assert assigned.number not in page
    response = client.post(f"/admin/orders/unassignedorder/{waiting.pk}/change/", {"store": cast.other_store.pk})
    assert response["Location"] == "/admin/orders/unassignedorder/"
    waiting.refresh_from_db()
    assert waiting.store == cast.other_store
    assert OrderEvent.objects.get(transition="assign_store").actor == cast.call_center
    assert waiting.number not in client.get("/admin/orders/unassignedorder/").content.decode()


def test_the_admin_queue_is_read_only_for_roles_that_may_not_assign(client, cast, waiting):
    client.force_login(cast.reviewer)
    assert waiting.number in client.get("/admin/orders/unassignedorder/").content.decode()
    response = client.post(f"/admin/orders/unassignedorder/{waiting.pk}/change/", {"store": cast.other_store.pk})
    assert response.status_code == 403
    waiting.refresh_from_db()
    assert waiting.store is None


def test_the_back_office_has_a_waiting_tab_for_head_office_and_an_assign_form(client, cast, waiting):
    client.force_login(cast.store_staff)
    assert 'id="unassigned-tab"' not in client.get("/backoffice/").content.decode()
    assert waiting.number not in client.get("/backoffice/?unassigned=1").content.decode()
    client.force_login(cast.head_office)
    queue = client.get("/backoffice/?unassigned=1").content.decode()
    assert 'id="unassigned-tab"' in queue
    assert waiting.number in queue
    page = client.get(f"/backoffice/orders/{waiting.pk}/").content.decode()
    assert 'id="assign-store"' in page
    assert 'id="reassign-store"' not in page
    client.post(f"/backoffice/orders/{waiting.pk}/assign-store/", {"store": "NOPE"})
    waiting.refresh_from_db()
    assert waiting.store is None
    client.post(f"/backoffice/orders/{waiting.pk}/assign-store/", {"store": "GZ01"})
    waiting.refresh_from_db()
    assert waiting.store == cast.other_store
    assert 'id="assign-store"' not in client.get(f"/backoffice/orders/{waiting.pk}/").content.decode()


def test_cancelling_or_ending_a_storeless_application_keeps_it_storeless(cast, storeless, waiting):
    draft_owner = cast.applicant(preferred_store=None, city="")
    draft = cast.new_order(draft_owner)
    cancelled = cast.step(draft, "cancel", draft_owner.user, reason="再看看")
    terminated = cast.step(waiting, "terminate", cast.call_center, reason="联系不上")
    assert (cancelled.state, cancelled.store) == ("terminated", None)
    assert (terminated.state, terminated.store) == ("terminated", None)


@pytest.mark.django_db(transaction=True)
def test_two_agents_assigning_at_once_give_one_store(cast, storeless):
    import threading

    from django.db import connection

    from common.exceptions import DomainError

    order = cast.advance(cast.new_order(storeless), "submitted")
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def run(index, agent, store):
        try:
            barrier.wait()
            outcomes[index] = ("ok", services.assign_order_store(order_id=order.pk, store_id=store.pk, actor=agent).pk)
        except DomainError as error:
            outcomes[index] = ("refused", error.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(0, cast.call_center, cast.store)),
        threading.Thread(target=run, args=(1, cast.head_office, cast.other_store)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == [("ok", order.pk), ("refused", "store_already_assigned")]
    assert OrderEvent.objects.filter(order=order, transition="assign_store").count() == 1
    assert Notification.objects.filter(event="order.store_assigned").count() == 1


def test_the_database_refuses_work_past_submitted_without_a_store(waiting):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError, match="order_past_submitted_has_store"), transaction.atomic():
        Order.objects.filter(pk=waiting.pk).update(state="collecting_materials")
    waiting.refresh_from_db()
    assert waiting.state == "submitted"
