"""The orders API as members and staff use it: scoping, refusals as 4xx, documents."""

import pytest
from rest_framework.test import APIClient

from members.services import issue_access_token
from notifications.models import Notification
from orders.models import Order, OrderDocument, OrderEvent
from tests.helpers import row_counts
from tests.members.factories import MemberFactory
from tests.orders.cast import PDF, PNG, png_upload

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=user)}")
    return client


def test_catalog_lists_models_with_trims_and_plans_with_payments(cast, django_assert_max_num_queries):
    client = APIClient()
    with django_assert_max_num_queries(4):
        models = client.get("/api/v1/catalog/models/").json()
    assert models["count"] == 1
    assert models["results"][0]["trims"][0] == {"id": cast.trim.pk, "name": cast.trim.name, "guide_price": "129800.00"}
    plans = client.get(f"/api/v1/catalog/plans/?trim={cast.trim.pk}").json()["results"]
    assert plans[0]["monthly_payment"] == "2764.14"
    assert plans[0]["down_payment"] == "38940.00"
    assert client.get("/api/v1/catalog/plans/?trim=abc").status_code == 400


def test_switched_off_plan_is_not_offered(cast):
    cast.plan.is_active = False
    cast.plan.save()
    assert APIClient().get(f"/api/v1/catalog/plans/?trim={cast.trim.pk}").json()["count"] == 0
    response = client_for(cast.member_user).post(
        "/api/v1/orders/", {"trim": cast.trim.pk, "plan": cast.plan.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_choice"
    assert not Order.objects.exists()


def test_member_creates_and_follows_an_order(cast):
    client = client_for(cast.member_user)
    created = client.post("/api/v1/orders/", {"trim": cast.trim.pk, "plan": cast.plan.pk}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["state"] == "draft"
    assert body["monthly_payment"] == "2764.14"
    assert [item["name"] for item in body["available_transitions"]] == ["submit", "cancel"]
    assert body["missing_documents"] == ["id_front", "id_back", "driving_licence", "income_proof"]

    submitted = client.post(f"/api/v1/orders/{body['id']}/transitions/submit/", {}, format="json")
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "submitted"
    assert submitted.json()["store"] == "SZ01"
    assert submitted.json()["timeline"][-1]["state"] == "submitted"
    assert client.get("/api/v1/orders/").json()["count"] == 1


def test_wrong_state_is_409_with_code(cast):
    order = cast.new_order()
    response = client_for(cast.member_user).post(f"/api/v1/orders/{order.pk}/transitions/resubmit/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    order.refresh_from_db()
    assert order.state == "draft"


def test_staff_step_through_member_api_is_403(cast):
    order = cast.advance(cast.new_order(), "under_review")
    before = row_counts(OrderEvent, Notification)
    response = client_for(cast.member_user).post(f"/api/v1/orders/{order.pk}/transitions/approve/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    order.refresh_from_db()
    assert order.state == "under_review"
    assert row_counts(OrderEvent, Notification) == before


def test_other_members_order_is_404(cast):
    order = cast.new_order()
    stranger = client_for(MemberFactory().user)
    assert stranger.get(f"/api/v1/orders/{order.pk}/").status_code == 404
    response = stranger.post(f"/api/v1/orders/{order.pk}/transitions/cancel/", {"reason": "x"}, format="json")
    assert response.status_code == 404
    assert stranger.get(f"/api/v1/orders/{order.pk}/documents/").status_code == 404
    order.refresh_from_db()
    assert order.state == "draft"


def test_store_staff_see_only_their_store(cast):
    order = cast.advance(cast.new_order(), "submitted")
    own = client_for(cast.store_staff)
    other = client_for(cast.other_store_staff)
    assert own.get("/api/v1/backoffice/orders/").json()["count"] == 1
    assert other.get("/api/v1/backoffice/orders/").json()["count"] == 0
    assert other.get(f"/api/v1/backoffice/orders/{order.pk}/").status_code == 404
    before = row_counts(OrderEvent, Notification)
    response = other.post(f"/api/v1/backoffice/orders/{order.pk}/transitions/start_collecting/", {}, format="json")
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.state == "submitted"
    assert row_counts(OrderEvent, Notification) == before
    assert client_for(cast.reviewer).get("/api/v1/backoffice/orders/").json()["count"] == 1


def test_backoffice_detail_has_member_contact_masked_id_and_events(cast):
    order = cast.advance(cast.new_order(), "submitted")
    body = client_for(cast.store_staff).get(f"/api/v1/backoffice/orders/{order.pk}/").json()
    assert body["member"]["id_number"].startswith("4401**********")
    assert body["member"]["phone"] == str(cast.member_user.phone)
    assert [event["to_state"] for event in body["events"]] == ["submitted"]
    assert [item["name"] for item in body["available_transitions"]] == ["start_collecting"]


def test_backoffice_filters_by_state_and_searches(cast, django_assert_max_num_queries):
    earlier = cast.advance(cast.new_order(), "under_review")
    cast.step(earlier, "reject", cast.reviewer, reason="收入不足")
    first = cast.advance(cast.new_order(), "submitted")
    cast.advance(cast.new_order(cast.applicant()), "collecting_materials")
    client = client_for(cast.store_staff)
    assert client.get("/api/v1/backoffice/orders/?state=submitted").json()["count"] == 1
    assert client.get(f"/api/v1/backoffice/orders/?q={first.number}").json()["results"][0]["id"] == first.pk
    phone_tail = str(cast.member_user.phone)[-8:]
    assert client.get(f"/api/v1/backoffice/orders/?q={phone_tail}").json()["count"] == 2
    assert client.get("/api/v1/backoffice/orders/?state=flying").status_code == 400
    with django_assert_max_num_queries(6):
        client.get("/api/v1/backoffice/orders/")


def test_staff_transitions_with_data(cast):
    order = cast.advance(cast.new_order(), "approved")
    client = client_for(cast.store_staff)
    confirmed = client.post(
        f"/api/v1/backoffice/orders/{order.pk}/transitions/confirm_vehicle/", {"vin": cast.unit.vin}, format="json"
    )
    assert confirmed.status_code == 200
    before = row_counts(OrderEvent, Notification)
    past = client.post(
        f"/api/v1/backoffice/orders/{order.pk}/transitions/schedule_signing/",
        {"signing_at": "2020-01-01T10:00:00+08:00"},
        format="json",
    )
    assert past.status_code == 400
    assert past.json()["fields"] == {"signing_at": [past.json()["detail"]]}
    order.refresh_from_db()
    assert (order.state, order.signing_at) == ("vehicle_confirmed", None)
    assert row_counts(OrderEvent, Notification) == before
    booked = client.post(
        f"/api/v1/backoffice/orders/{order.pk}/transitions/schedule_signing/",
        {"signing_at": "2099-01-01T10:00:00+08:00"},
        format="json",
    )
    assert booked.json()["state"] == "contract_scheduled"


def test_reason_required_is_400(cast):
    order = cast.advance(cast.new_order(), "under_review")
    before = row_counts(OrderEvent, Notification)
    response = client_for(cast.reviewer).post(
        f"/api/v1/backoffice/orders/{order.pk}/transitions/reject/", {}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    order.refresh_from_db()
    assert order.state == "under_review"
    assert row_counts(OrderEvent, Notification) == before


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("id.png", PNG, 201),
        ("scan.pdf", PDF, 201),
        ("evil.png", b"MZ\x90\x00 not an image", 400),
        ("empty.png", b"", 400),
    ],
)
def test_documents_are_checked_by_content(cast, name, content, code):
    order = cast.new_order()
    response = client_for(cast.member_user).post(
        f"/api/v1/orders/{order.pk}/documents/",
        {"kind": "id_front", "file": png_upload(name, content)},
        format="multipart",
    )
    assert response.status_code == code
    assert OrderDocument.objects.count() == (1 if code == 201 else 0)


def test_oversized_document_is_400(cast, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    order = cast.new_order()
    response = client_for(cast.member_user).post(
        f"/api/v1/orders/{order.pk}/documents/", {"kind": "id_front", "file": png_upload(content=PNG + b"\0" * 2000)},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_document"
    assert not OrderDocument.objects.exists()


def test_unknown_document_kind_is_400(cast):
    order = cast.new_order()
    response = client_for(cast.member_user).post(
        f"/api/v1/orders/{order.pk}/documents/", {"kind": "selfie", "file": png_upload()}, format="multipart"
    )
    assert response.status_code == 400
    assert "kind" in response.json()["fields"]
    assert not OrderDocument.objects.exists()


def test_documents_download_only_for_owner_and_store(cast):
    order = cast.advance(cast.new_order(), "submitted")
    document = cast.upload(order, "id_front")
    url = f"/api/v1/orders/{order.pk}/documents/{document.pk}/file/"
    owner = client_for(cast.member_user).get(url)
    assert owner.status_code == 200
    assert b"".join(owner.streaming_content) == PNG
    assert client_for(cast.store_staff).get(url).status_code == 200
    assert client_for(cast.other_store_staff).get(url).status_code == 404
    assert client_for(MemberFactory().user).get(url).status_code == 404
    assert APIClient().get(url).status_code == 401
    assert str(document.file.path).startswith(str(document.file.storage.location))


def test_submit_before_verification_is_409_and_changes_nothing(cast):
    from members.models import Member
    from notifications.models import Notification
    from orders.exceptions import VerificationRequired
    from orders.models import OrderEvent
    from tests.members.factories import MemberFactory

    Member.objects.filter(pk=cast.member.pk).update(verification_status="failed", id_number_hash=None)
    order = cast.new_order()
    response = client_for(cast.member_user).post(
        f"/api/v1/orders/{order.pk}/transitions/submit/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert response.json() == {
        "code": "verification_required",
        "detail": "An application can be submitted once the member's identity is verified. "
        "Please verify your real name first.",
    }
    # The call center submitting on the member's behalf (the admin's button) meets the same guard.
    with pytest.raises(VerificationRequired):
        cast.step(order, "submit", cast.call_center)
    order.refresh_from_db()
    assert (order.state, order.store_id) == ("draft", None)
    assert not OrderEvent.objects.filter(order=order).exists()
    assert not Notification.objects.exists()

    verified = MemberFactory(verified=True, preferred_store=cast.store)
    from orders.services import create_order

    other = create_order(member=verified, trim_id=cast.trim.pk, plan_id=cast.plan.pk, actor=verified.user)
    response = client_for(verified.user).post(f"/api/v1/orders/{other.pk}/transitions/submit/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"
