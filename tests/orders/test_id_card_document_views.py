"""A picture of the ID card shows the full ID number: staff opening one leave a row in the full-ID-number log (who,
when, whose, why); the member opening their own, and staff opening other documents, leave none."""

from members.models import IdNumberView


def test_staff_opening_an_id_card_picture_is_logged_with_the_application_as_the_reason(cast, client):
    order = cast.new_order()
    id_front = cast.upload(order, "id_front")
    order = cast.advance(order, "submitted")  # at the store now: its staff may open its documents
    client.force_login(cast.store_staff)

    response = client.get(f"/backoffice/orders/{order.pk}/documents/{id_front.pk}/")

    assert response.status_code == 200
    [view] = IdNumberView.objects.all()
    assert (view.staff, view.member, view.ip_address) == (cast.store_staff, cast.member, "127.0.0.1")
    assert order.number in view.reason


def test_other_documents_and_the_member_s_own_id_card_leave_no_log_row(cast, client):
    order = cast.new_order()
    id_front = cast.upload(order, "id_front")
    order = cast.advance(order, "submitted")  # at the store now: its staff may open its documents
    licence = cast.upload(order, "driving_licence")
    order = cast.advance(order, "submitted")

    client.force_login(cast.store_staff)
    assert client.get(f"/backoffice/orders/{order.pk}/documents/{licence.pk}/").status_code == 200
    client.force_login(cast.member_user)
    assert client.get(f"/me/orders/{order.pk}/documents/{id_front.pk}/").status_code == 200

    assert not IdNumberView.objects.exists()


def test_another_store_s_clerk_gets_404_and_nothing_is_logged(cast, client):
    order = cast.new_order()
    id_front = cast.upload(order, "id_front")
    order = cast.advance(order, "submitted")  # at the store now: its staff may open its documents
    client.force_login(cast.other_store_staff)

    assert client.get(f"/backoffice/orders/{order.pk}/documents/{id_front.pk}/").status_code == 404
    assert not IdNumberView.objects.exists()
