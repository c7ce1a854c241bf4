"""The store checks each document: accepted, or rejected with a reason the member reads, and asked for again."""

import pytest

from notifications.models import Notification
from orders import services
from orders.exceptions import ReasonRequired, TransitionForbidden

pytestmark = pytest.mark.django_db


@pytest.fixture
def collecting(cast):
    order = cast.advance(cast.new_order(), "collecting_materials")
    for kind in ("id_front", "id_back", "driving_licence", "income_proof"):
        cast.upload(order, kind)
    return order


def test_a_rejected_document_is_missing_again_and_the_member_is_told_why(cast, collecting, client):
    licence = collecting.documents.get(kind="driving_licence")
    assert collecting.missing_documents() == []
    services.review_document(document_id=licence.pk, accept=False, note="照片模糊", actor=cast.store_staff)
    collecting.refresh_from_db()
    assert collecting.missing_documents() == ["driving_licence"]
    message = Notification.objects.get(recipient=cast.member_user, event="order.document_rejected")
    assert "照片模糊" in message.body

    client.force_login(cast.member_user)
    page = client.get(f"/me/orders/{collecting.pk}/").content.decode()
    assert 'data-kind="driving_licence"' in page
    assert "照片模糊" in page


def test_rejecting_needs_a_reason_and_the_right_person(cast, collecting):
    document = collecting.documents.first()
    with pytest.raises(ReasonRequired):
        services.review_document(document_id=document.pk, accept=False, note=" ", actor=cast.store_staff)
    for outsider in (cast.other_store_staff, cast.finance, cast.member_user):
        with pytest.raises(TransitionForbidden):
            services.review_document(document_id=document.pk, accept=True, note="", actor=outsider)
    services.review_document(document_id=document.pk, accept=True, note="", actor=cast.store_staff)
    document.refresh_from_db()
    assert (document.review_status, document.reviewed_by) == ("accepted", cast.store_staff)


def test_the_clerk_accepts_and_rejects_from_the_back_office(cast, collecting, client):
    client.force_login(cast.store_staff)
    document = collecting.documents.get(kind="id_front")
    url = f"/backoffice/orders/{collecting.pk}/documents/{document.pk}/review/"
    assert client.post(url, {"decision": "reject", "note": "反光看不清"}).status_code == 302
    document.refresh_from_db()
    assert (document.review_status, document.review_note) == ("rejected", "反光看不清")
    page = client.get(f"/backoffice/orders/{collecting.pk}/").content.decode()
    assert 'id="blocked-step"' in page  # the id card is missing again: the clerk sees what to do
    client.force_login(cast.other_store_staff)
    assert client.post(url, {"decision": "accept"}).status_code == 404
