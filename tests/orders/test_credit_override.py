"""A declined credit check blocks approval until head office agrees, on the record (who, when, why)."""

import pytest

from notifications.models import Notification
from orders import services
from orders.credit import CreditProvider, CreditReport
from orders.models import CreditCheck, CreditOverride, OrderEvent
from tests.orders.test_orders_api import client_for


class DecliningCreditProvider(CreditProvider):
    name = "declining"

    def check(self, *, order_number, monthly_income_band, principal):
        return CreditReport(provider=self.name, score=420, decision="decline", summary="score 420")


class ReferringCreditProvider(CreditProvider):
    name = "referring"

    def check(self, *, order_number, monthly_income_band, principal):
        return CreditReport(provider=self.name, score=550, decision="refer", summary="score 550")


def in_review_with_decision(cast, settings, provider, *, member=None):
    settings.CREDIT_CHECK_PROVIDER = f"{__name__}.{provider.__name__}"
    order = cast.advance(cast.new_order(member), "under_review")
    services.run_credit_check(credit_check_id=CreditCheck.objects.get(order=order).pk)
    return order


def post(user, path, body):
    return client_for(user).post(path, body, format="json", HTTP_ACCEPT_LANGUAGE="en")


def test_a_reviewer_cannot_approve_a_declined_application_alone(cast, settings):
    order = in_review_with_decision(cast, settings, DecliningCreditProvider)
    events_before = OrderEvent.objects.filter(order=order).count()
    notifications_before = Notification.objects.count()

    response = post(cast.reviewer, f"/api/v1/backoffice/orders/{order.pk}/transitions/approve/", {})
    assert response.status_code == 409
    assert response.json() == {
        "code": "credit_declined_needs_head_office",
        "detail": "The credit check declined this application. It can be approved only after head office agrees "
        "and records why.",
    }
    order.refresh_from_db()
    assert order.state == "under_review"
    assert OrderEvent.objects.filter(order=order).count() == events_before
    assert Notification.objects.count() == notifications_before
    assert not CreditOverride.objects.exists()
    # Rejecting stays the reviewer's own decision.
    assert (
        post(cast.reviewer, f"/api/v1/backoffice/orders/{order.pk}/transitions/reject/", {"reason": "征信未过"}).json()[
            "state"
        ]
        == "rejected"
    )


def test_head_office_agrees_on_the_record_and_then_the_reviewer_approves(cast, settings):
    order = in_review_with_decision(cast, settings, DecliningCreditProvider)
    check = CreditCheck.objects.get(order=order)

    response = post(
        cast.head_office, f"/api/v1/backoffice/orders/{order.pk}/credit-override/", {"note": "担保人资质良好"}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["credit_check"], body["agreed_by"], body["note"]) == (check.pk, "hq", "担保人资质良好")
    override = CreditOverride.objects.get()
    assert (override.order_id, override.credit_check_id, override.agreed_by_id) == (
        order.pk,
        check.pk,
        cast.head_office.pk,
    )
    event = OrderEvent.objects.get(order=order, transition="agree_despite_credit_decline")
    assert (event.actor_id, event.reason, event.from_state, event.to_state) == (
        cast.head_office.pk, "担保人资质良好", "under_review", "under_review"
    )  # fmt: skip
    order.refresh_from_db()
    assert order.state == "under_review"  # agreeing is not approving

    detail = client_for(cast.reviewer).get(f"/api/v1/backoffice/orders/{order.pk}/").json()
    assert detail["credit_check"]["decision"] == "decline"
    assert detail["credit_check"]["head_office_override"]["note"] == "担保人资质良好"
    assert detail["credit_check"]["head_office_override"]["agreed_by"] == "hq"

    response = post(cast.reviewer, f"/api/v1/backoffice/orders/{order.pk}/transitions/approve/", {})
    assert response.status_code == 200
    assert response.json()["state"] == "approved"


@pytest.mark.parametrize(
    ("who", "body", "answer"),
    [
        ("reviewer", {"note": "我来批"}, (403, "permission_denied")),
        ("store_manager", {"note": "我来批"}, (403, "permission_denied")),
        ("head_office", {"note": "   "}, (400, "invalid")),
        ("head_office", {}, (400, "invalid")),
    ],
)
def test_only_head_office_with_a_note_can_agree(cast, settings, who, body, answer):
    order = in_review_with_decision(cast, settings, DecliningCreditProvider)
    events_before = OrderEvent.objects.filter(order=order).count()
    response = post(getattr(cast, who), f"/api/v1/backoffice/orders/{order.pk}/credit-override/", body)
    assert (response.status_code, response.json()["code"]) == answer
    assert not CreditOverride.objects.exists()
    assert OrderEvent.objects.filter(order=order).count() == events_before


def test_agreeing_twice_or_without_a_decline_is_409(cast, settings):
    referred = in_review_with_decision(cast, settings, ReferringCreditProvider)
    response = post(cast.head_office, f"/api/v1/backoffice/orders/{referred.pk}/credit-override/", {"note": "同意"})
    assert (response.status_code, response.json()["code"]) == (409, "credit_override_not_needed")
    # A "refer" is the reviewer's to decide alone.
    assert post(cast.reviewer, f"/api/v1/backoffice/orders/{referred.pk}/transitions/approve/", {}).status_code == 200

    declined = in_review_with_decision(cast, settings, DecliningCreditProvider, member=cast.applicant())
    path = f"/api/v1/backoffice/orders/{declined.pk}/credit-override/"
    assert post(cast.head_office, path, {"note": "同意"}).status_code == 201
    response = post(cast.head_office, path, {"note": "再次同意"})
    assert (response.status_code, response.json()["code"]) == (409, "credit_override_exists")
    assert list(CreditOverride.objects.values_list("note", flat=True)) == ["同意"]


def test_an_agreement_covers_one_credit_check_only(cast, settings):
    order = in_review_with_decision(cast, settings, DecliningCreditProvider)
    services.agree_to_approve_declined(order_id=order.pk, actor=cast.head_office, note="同意")
    cast.step(order, "request_materials", cast.reviewer, reason="补充收入证明")
    cast.step(order, "resubmit", cast.member_user)
    new_check = CreditCheck.objects.filter(order=order).order_by("-created_at", "-pk").first()
    services.run_credit_check(credit_check_id=new_check.pk)

    response = post(cast.reviewer, f"/api/v1/backoffice/orders/{order.pk}/transitions/approve/", {})
    assert (response.status_code, response.json()["code"]) == (409, "credit_declined_needs_head_office")
    order.refresh_from_db()
    assert order.state == "under_review"


def test_the_back_office_page_explains_and_head_office_agrees_there(client, cast, settings):
    order = in_review_with_decision(cast, settings, DecliningCreditProvider)
    client.force_login(cast.reviewer)
    page = client.get(f"/backoffice/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "approving needs head office's agreement first." in page
    assert 'id="credit-override-form"' not in page

    client.force_login(cast.head_office)
    page = client.get(f"/backoffice/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="credit-override-form"' in page
    response = client.post(f"/backoffice/orders/{order.pk}/credit-override/", {"note": "总部特批"})
    assert response.status_code == 302
    assert CreditOverride.objects.get().note == "总部特批"
    page = client.get(f"/backoffice/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="credit-override"' in page
    assert "总部特批" in page
