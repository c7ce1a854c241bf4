"""Member-center and back-office pages for applications, through Django's test client."""

import pytest

from notifications.models import Notification
from orders.models import Order, OrderEvent
from tests.helpers import row_counts
from tests.orders.cast import PNG, png_upload

pytestmark = pytest.mark.django_db


def test_catalog_and_plan_pages_show_prices_and_monthly_payments(client, cast, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        catalog = client.get("/cars/").content.decode()
    assert cast.trim.name in catalog
    page = client.get(f"/cars/trims/{cast.trim.pk}/").content.decode()
    assert "¥2,764.14" in page  # one money format, thousands grouped, in both languages
    assert 'id="monthly-payment"' in page
    assert client.get("/cars/trims/999999/").status_code == 404


def test_member_applies_from_the_plan_page(client, cast):
    client.force_login(cast.member_user)
    response = client.post(f"/cars/trims/{cast.trim.pk}/apply/", {"plan": cast.plan.pk})
    order = Order.objects.get()
    assert response["Location"] == f"/me/orders/{order.pk}/"
    assert order.state == "submitted"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Application received" in page
    assert 'id="missing-documents"' in page


def test_applying_needs_a_member(client, cast):
    response = client.post(f"/cars/trims/{cast.trim.pk}/apply/", {"plan": cast.plan.pk})
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
    assert not Order.objects.exists()


def test_member_uploads_a_document_and_bad_files_are_refused_next_to_the_field(client, cast):
    client.force_login(cast.member_user)
    order = cast.advance(cast.new_order(), "submitted")
    bad = client.post(
        f"/me/orders/{order.pk}/", {"kind": "id_front", "file": png_upload("x.png", b"GIF89a...")},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert bad.status_code == 200
    assert "Only JPEG, PNG or PDF files can be uploaded." in bad.content.decode()
    big = png_upload("big.png", PNG + b"\0" * (10 * 1024 * 1024))
    too_large = client.post(f"/me/orders/{order.pk}/", {"kind": "id_front", "file": big}, HTTP_ACCEPT_LANGUAGE="en")
    assert "This file is larger than 10 MB." in too_large.content.decode()
    staff_only = client.post(
        f"/me/orders/{order.pk}/", {"kind": "contract", "file": png_upload()}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert 'name="kind"' in staff_only.content.decode()
    assert not order.documents.exists()
    good = client.post(f"/me/orders/{order.pk}/", {"kind": "id_front", "file": png_upload()})
    assert good.status_code == 302
    assert order.documents.count() == 1
    document = order.documents.get()
    assert client.get(f"/me/orders/{order.pk}/documents/{document.pk}/").status_code == 200


def test_member_takes_own_steps_and_sees_errors_as_messages(client, cast):
    client.force_login(cast.member_user)
    order = cast.advance(cast.new_order(), "approved")
    page = client.get(f"/me/orders/{order.pk}/").content.decode()
    assert 'data-step="wait_for_vehicle"' in page
    assert 'data-step="approve"' not in page
    client.post(f"/me/orders/{order.pk}/steps/wait_for_vehicle/")
    order.refresh_from_db()
    assert order.state == "awaiting_vehicle"
    response = client.post(f"/me/orders/{order.pk}/steps/vehicle_arrived/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "You may not take this step" in response.content.decode()
    order.refresh_from_db()
    assert order.state == "awaiting_vehicle"


def test_member_cancel_needs_a_reason(client, cast):
    client.force_login(cast.member_user)
    order = cast.advance(cast.new_order(), "submitted")
    response = client.post(
        f"/me/orders/{order.pk}/steps/cancel/", {"reason": ""}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Please give a reason" in response.content.decode()
    client.post(f"/me/orders/{order.pk}/steps/cancel/", {"reason": "买了别的车"})
    order.refresh_from_db()
    assert order.state == "terminated"


def test_member_changes_model_through_the_catalog(client, cast):
    from tests.vehicles.factories import FinancePlanFactory

    new_plan = FinancePlanFactory(term_months=24)
    client.force_login(cast.member_user)
    order = cast.advance(cast.new_order(), "approved")
    assert f"?replace={order.pk}" in client.get(f"/cars/?replace={order.pk}").content.decode()
    plan_page = client.get(f"/cars/trims/{new_plan.trim_id}/?replace={order.pk}").content.decode()
    assert f"/me/orders/{order.pk}/steps/change_model/" in plan_page
    response = client.post(
        f"/me/orders/{order.pk}/steps/change_model/", {"trim": new_plan.trim_id, "plan": new_plan.pk}
    )
    order.refresh_from_db()
    assert order.state == "replaced"
    assert response["Location"] == f"/me/orders/{order.replaced_by.pk}/"


def test_other_members_order_page_is_404(client, cast):
    from tests.members.factories import MemberFactory

    order = cast.new_order()
    client.force_login(MemberFactory().user)
    assert client.get(f"/me/orders/{order.pk}/").status_code == 404
    before = row_counts(OrderEvent, Notification)
    assert client.post(f"/me/orders/{order.pk}/steps/cancel/", {"reason": "x"}).status_code == 404
    order.refresh_from_db()
    assert order.state == "draft"
    assert row_counts(OrderEvent, Notification) == before


def test_delivered_order_shows_the_schedule_and_the_car_on_the_dashboard(client, cast):
    order = cast.advance(cast.new_order(), "delivered")
    client.force_login(cast.member_user)
    page = client.get(f"/me/orders/{order.pk}/").content.decode()
    assert 'id="repayment-schedule"' in page
    assert page.count("<tr><td>") == 36
    dashboard = client.get("/me/").content.decode()
    assert "粤B·16888" in dashboard
    # An owner's dashboard is about the car and the next bill, no longer about applying.
    assert 'id="next-bill"' in dashboard
    assert 'id="panel-application"' not in dashboard
    assert 'id="checklist"' not in dashboard


def test_dashboard_with_orders_and_messages_stays_within_eleven_queries(client, cast, django_assert_max_num_queries):
    cast.advance(cast.new_order(), "delivered")
    client.force_login(cast.member_user)
    # Session, user, member, invitees, the member's stage, cars, next bill, points (2), messages (2).
    with django_assert_max_num_queries(11):
        assert client.get("/me/").status_code == 200


def test_backoffice_needs_staff(client, cast):
    assert client.get("/backoffice/")["Location"].startswith("/backoffice/sign-in/")
    client.force_login(cast.member_user)
    assert client.get("/backoffice/")["Location"].startswith("/backoffice/sign-in/")


def test_backoffice_queue_is_scoped_and_counts_per_state(client, cast, django_assert_max_num_queries):
    first = cast.advance(cast.new_order(), "submitted")
    cast.advance(cast.new_order(cast.applicant()), "under_review")
    client.force_login(cast.store_staff)
    with django_assert_max_num_queries(10):
        page = client.get("/backoffice/").content.decode()
    assert first.number in page
    assert 'data-state="submitted"' in page
    assert first.number in client.get("/backoffice/", {"state": "submitted"}).content.decode()
    assert first.number not in client.get("/backoffice/", {"state": "under_review"}).content.decode()
    client.force_login(cast.other_store_staff)
    assert first.number not in client.get("/backoffice/").content.decode()
    assert client.get(f"/backoffice/orders/{first.pk}/").status_code == 404


def test_backoffice_order_page_shows_only_this_persons_steps(client, cast):
    order = cast.advance(cast.new_order(), "under_review")
    client.force_login(cast.store_staff)
    assert 'data-step="approve"' not in client.get(f"/backoffice/orders/{order.pk}/").content.decode()
    client.force_login(cast.reviewer)
    page = client.get(f"/backoffice/orders/{order.pk}/").content.decode()
    assert 'data-step="approve"' in page
    assert 'data-step="reject"' in page
    assert 'id="credit-check"' in page


def test_backoffice_steps_with_data_and_refusals(client, cast):
    order = cast.advance(cast.new_order(), "vehicle_confirmed")
    client.force_login(cast.store_staff)
    response = client.post(
        f"/backoffice/orders/{order.pk}/steps/schedule_signing/", {"signing_at": "2001-01-01T10:00"}, follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert "Please choose a signing time in the future." in response.content.decode()
    client.post(f"/backoffice/orders/{order.pk}/steps/schedule_signing/", {"signing_at": "2099-06-01T10:00"})
    order.refresh_from_db()
    assert order.state == "contract_scheduled"
    response = client.post(f"/backoffice/orders/{order.pk}/steps/fund/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "not possible" in response.content.decode()


def test_admin_transition_buttons_go_through_the_services(client, cast):
    from orders.models import OrderEvent

    order = cast.advance(cast.new_order(), "under_review")
    client.force_login(cast.reviewer)
    page = client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert "approve" in page
    response = client.post(f"/admin/orders/order/{order.pk}/transition/reject/", {"reason": "收入不足"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "rejected"
    event = OrderEvent.objects.get(order=order, transition="reject")
    assert (event.actor, event.reason) == (cast.reviewer, "收入不足")


def test_admin_refuses_a_step_the_role_may_not_take(client, cast):
    order = cast.advance(cast.new_order(), "under_review")
    client.force_login(cast.call_center)
    client.post(f"/admin/orders/order/{order.pk}/change/", {"_fsm_transition_to": "approve"})
    order.refresh_from_db()
    assert order.state == "under_review"


def test_admin_order_search_by_number_phone_and_plate(client, cast):
    delivered = cast.advance(cast.new_order(), "delivered")
    other = cast.new_order()
    client.force_login(cast.call_center)
    for query in (delivered.number, "16888"):
        page = client.get("/admin/orders/order/", {"q": query}).content.decode()
        assert delivered.number in page
        assert other.number not in page
    assert client.get("/admin/orders/order/", {"state__exact": "delivered"}).status_code == 200


def test_head_office_moves_an_order_to_another_store(client, cast):
    from orders.models import OrderEvent

    order = cast.advance(cast.new_order(), "submitted")
    client.force_login(cast.store_staff)
    assert 'id="reassign-store"' not in client.get(f"/backoffice/orders/{order.pk}/").content.decode()
    client.post(f"/backoffice/orders/{order.pk}/store/", {"store": cast.other_store.pk})
    order.refresh_from_db()
    assert order.store == cast.store

    client.force_login(cast.head_office)
    assert 'id="reassign-store"' in client.get(f"/backoffice/orders/{order.pk}/").content.decode()
    client.post(f"/backoffice/orders/{order.pk}/store/", {"store": cast.other_store.pk})
    order.refresh_from_db()
    assert order.store == cast.other_store
    assert OrderEvent.objects.filter(order=order, transition="reassign_store", actor=cast.head_office).exists()
    client.force_login(cast.store_staff)
    assert client.get(f"/backoffice/orders/{order.pk}/").status_code == 404


def test_an_unverified_member_is_told_why_and_where_to_verify_and_the_draft_is_kept(client, cast):
    from members.models import Member

    Member.objects.filter(pk=cast.member.pk).update(verification_status="unverified", id_number_hash=None)
    client.force_login(cast.member_user)
    dashboard = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="verification-required"' in dashboard
    assert "An application can be submitted only after your identity is verified" in dashboard
    assert 'href="/me/verification/">Verify my identity</a>' in dashboard

    response = client.post(f"/cars/trims/{cast.trim.pk}/apply/", {"plan": cast.plan.pk}, HTTP_ACCEPT_LANGUAGE="en")
    order = Order.objects.get()
    assert (order.state, order.store_id) == ("draft", None)
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Please verify your real name first." in page

    Member.objects.filter(pk=cast.member.pk).update(verification_status="verified", id_number_hash="x" * 64)
    assert 'id="verification-required"' not in client.get("/me/").content.decode()
