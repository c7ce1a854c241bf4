"""Opening an application: the store named by its code (or id), and one open application per member."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from members.services import issue_access_token
from orders import services
from orders.exceptions import ActiveApplicationExists
from orders.models import Order, OrderEvent
from tests.members.factories import StoreFactory


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=user)}")
    return client


@pytest.mark.django_db
class TestStoreByCode:
    def create(self, cast, **body):
        return client_for(cast.member_user).post(
            "/api/v1/orders/", {"trim": cast.trim.pk, "plan": cast.plan.pk, **body}, format="json"
        )

    def test_the_code_the_answer_shows_is_accepted(self, cast):
        response = self.create(cast, store="GZ01")
        assert response.status_code == 201
        assert response.json()["store"] == "GZ01"
        assert Order.objects.get().store == cast.other_store

    def test_the_numeric_id_is_still_accepted(self, cast):
        for store in (cast.other_store.pk, str(cast.other_store.pk)):
            response = self.create(cast, store=store)
            assert response.status_code == 201
            assert response.json()["store"] == "GZ01"
            services.apply_transition(order_id=response.json()["id"], name="cancel", actor=cast.member_user, reason="x")

    def test_a_code_made_of_digits_means_that_code_first(self, cast):
        numeric = StoreFactory(code=str(cast.store.pk), city="深圳")
        response = self.create(cast, store=str(cast.store.pk))
        assert response.status_code == 201
        assert response.json()["store"] == numeric.code
        assert Order.objects.get().store == numeric

    def test_without_a_store_the_draft_has_none_and_submit_picks_the_preferred_one(self, cast):
        body = self.create(cast).json()
        assert body["store"] is None
        submitted = client_for(cast.member_user).post(f"/api/v1/orders/{body['id']}/transitions/submit/", {})
        assert submitted.json()["store"] == "SZ01"

    @pytest.mark.parametrize("store", ["NOPE", "999999", 999999, "", "x" * 30, True, ["SZ01"], {"code": "SZ01"}, "²"])
    def test_an_unknown_or_malformed_store_is_400_on_the_field(self, cast, store):
        response = client_for(cast.member_user).post(
            "/api/v1/orders/", {"trim": cast.trim.pk, "plan": cast.plan.pk, "store": store}, format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )  # fmt: skip
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert response.json()["fields"] == {"store": ["There is no open store with this code."]}
        assert not Order.objects.exists()

    def test_a_closed_store_is_refused(self, cast):
        cast.other_store.is_active = False
        cast.other_store.save()
        response = self.create(cast, store="GZ01")
        assert response.status_code == 400
        assert response.json()["fields"] == {"store": ["此代码没有对应的营业门店。"]}
        assert not Order.objects.exists()


@pytest.mark.django_db
class TestOneOpenApplication:
    def test_a_second_application_is_409_naming_the_open_one_and_creates_nothing(self, cast):
        client = client_for(cast.member_user)
        first = client.post("/api/v1/orders/", {"trim": cast.trim.pk, "plan": cast.plan.pk}, format="json").json()
        response = client.post(
            "/api/v1/orders/", {"trim": cast.trim.pk, "plan": cast.plan.pk}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 409
        assert response.json() == {
            "code": "active_application_exists",
            "detail": "You already have an application in progress. Please continue with it, or cancel it before "
            "starting a new one.",
            "active_order": first["id"],
        }
        assert list(Order.objects.values_list("pk", flat=True)) == [first["id"]]

    @pytest.mark.parametrize("state", ["submitted", "collecting_materials", "approved", "funded", "ready_for_pickup"])
    def test_any_state_that_is_not_final_counts(self, cast, state):
        order = cast.advance(cast.new_order(), state)
        with pytest.raises(ActiveApplicationExists) as refusal:
            cast.new_order()
        assert refusal.value.active_order_id == order.pk
        assert Order.objects.count() == 1

    @pytest.mark.parametrize("end", ["cancel", "reject", "deliver"])
    def test_after_the_application_ends_a_new_one_may_start(self, cast, end):
        if end == "cancel":
            ended = cast.step(cast.new_order(), "cancel", cast.member_user, reason="换个时间")
        elif end == "reject":
            in_review = cast.advance(cast.new_order(), "under_review")
            ended = cast.step(in_review, "reject", cast.reviewer, reason="收入不足")
        else:
            ended = cast.advance(cast.new_order(), "delivered")
        assert ended.is_terminal
        assert cast.new_order().state == "draft"
        assert Order.objects.count() == 2

    def test_the_member_page_sends_a_second_application_to_the_open_one(self, client, cast):
        order = cast.advance(cast.new_order(), "submitted")
        client.force_login(cast.member_user)
        response = client.post(f"/cars/trims/{cast.trim.pk}/apply/", {"plan": cast.plan.pk}, HTTP_ACCEPT_LANGUAGE="en")
        assert response["Location"] == f"/me/orders/{order.pk}/"
        page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "You already have an application in progress." in page
        assert Order.objects.count() == 1

    def test_a_model_change_ends_the_old_one_before_opening_the_new_one(self, cast):
        from tests.vehicles.factories import FinancePlanFactory

        other_plan = FinancePlanFactory()
        old = cast.advance(cast.new_order(), "approved")
        old = cast.step(old, "change_model", cast.member_user, trim_id=other_plan.trim.pk, plan_id=other_plan.pk)
        new = old.replaced_by
        assert (old.state, new.state, new.store, new.trim) == ("replaced", "submitted", cast.store, other_plan.trim)
        assert Order.objects.exclude(state__in=["replaced"]).get() == new

    def test_the_database_refuses_a_second_open_application(self, cast):
        order = cast.new_order()
        duplicate = Order(
            number="MC-DUPLICATE", member=cast.member, trim=cast.trim, plan=cast.plan, created_by=cast.member_user,
            price=order.price, down_payment=order.down_payment, monthly_payment=order.monthly_payment,
        )  # fmt: skip
        with pytest.raises(IntegrityError, match="one_active_order_per_member"), transaction.atomic():
            duplicate.save()
        assert Order.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_applications_at_once_give_one_201_and_one_409(cast):
    token = issue_access_token(user=cast.member_user)
    barrier = threading.Barrier(2)
    answers = [None, None]

    def apply(index):
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
            barrier.wait()
            response = client.post("/api/v1/orders/", {"trim": cast.trim.pk, "plan": cast.plan.pk}, format="json")
            answers[index] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(status for status, _body in answers) == [201, 409]
    created = next(body for status, body in answers if status == 201)
    refused = next(body for status, body in answers if status == 409)
    assert refused["code"] == "active_application_exists"
    assert refused["active_order"] == created["id"]
    assert list(Order.objects.values_list("pk", flat=True)) == [created["id"]]
    assert not OrderEvent.objects.exists()


@pytest.mark.django_db
def test_the_migration_names_members_with_two_open_applications_instead_of_guessing(cast):
    """Before the unique index exists, a member could hold two open applications; the migration stops and names
    them rather than ending one of them by itself."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("orders.migrations.0004_unassigned_applications_and_one_active_per_member")
    index = next(item for item in Order._meta.constraints if item.name == "one_active_order_per_member")
    with connection.schema_editor() as editor:  # rolled back with the test's transaction
        editor.remove_constraint(Order, index)
    first = cast.new_order()
    Order.objects.create(
        number="MC-SECOND", member=cast.member, trim=cast.trim, plan=cast.plan, created_by=cast.member_user,
        price=first.price, down_payment=first.down_payment, monthly_payment=first.monthly_payment,
    )  # fmt: skip
    cast.advance(cast.new_order(cast.applicant()), "submitted")
    with pytest.raises(RuntimeError, match=rf"member ids, at most 50 shown\): {cast.member.pk}\. End all but one"):
        migration.refuse_members_with_two_open_applications(apps, None)
