"""Waiting for a car (等车): the store records when it should arrive, the member sees it and is told of changes."""

import datetime

import pytest
from django.utils import timezone

from notifications.models import Notification
from orders import services
from orders.exceptions import InvalidTransitionData, TransitionForbidden, TransitionNotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(cast):
    order = cast.advance(cast.new_order(), "approved")
    return cast.step(order, "wait_for_vehicle", cast.store_staff)


def _arrival_messages(order):
    return Notification.objects.filter(recipient=order.member.user, event="order.expected_arrival")


def test_the_store_records_the_date_and_the_member_is_told_once_per_date(cast, waiting, client):
    in_two_weeks = timezone.localdate() + datetime.timedelta(days=14)
    services.record_expected_arrival(order_id=waiting.pk, expected_arrival_on=in_two_weeks, actor=cast.store_staff)
    services.record_expected_arrival(order_id=waiting.pk, expected_arrival_on=in_two_weeks, actor=cast.store_staff)
    assert _arrival_messages(waiting).count() == 2  # in-app and SMS, once
    assert "14" in _arrival_messages(waiting).filter(channel="inbox").get().body

    later = in_two_weeks + datetime.timedelta(days=7)
    services.record_expected_arrival(order_id=waiting.pk, expected_arrival_on=later, actor=cast.store_staff)
    assert _arrival_messages(waiting).count() == 4
    assert waiting.events.filter(transition="expected_arrival").count() == 2

    client.force_login(cast.member_user)
    page = client.get(f"/me/orders/{waiting.pk}/").content.decode()
    assert 'id="expected-arrival"' in page
    assert later.strftime("%Y-%m-%d") in page


def test_only_the_orders_store_records_it_and_never_in_the_past(cast, waiting):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for outsider in (cast.other_store_staff, cast.reviewer, cast.member_user):
        with pytest.raises(TransitionForbidden):
            services.record_expected_arrival(order_id=waiting.pk, expected_arrival_on=tomorrow, actor=outsider)
    with pytest.raises(InvalidTransitionData):
        services.record_expected_arrival(
            order_id=waiting.pk, expected_arrival_on=tomorrow - datetime.timedelta(days=2), actor=cast.store_staff
        )


def test_only_an_application_waiting_for_its_car_has_one(cast):
    order = cast.advance(cast.new_order(), "approved")
    with pytest.raises(TransitionNotAllowed):
        services.record_expected_arrival(
            order_id=order.pk, expected_arrival_on=timezone.localdate(), actor=cast.store_staff
        )


def test_the_back_office_form_records_it(cast, waiting, client):
    client.force_login(cast.store_staff)
    page = client.get(f"/backoffice/orders/{waiting.pk}/").content.decode()
    assert 'id="expected-arrival-form"' in page
    date = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    response = client.post(f"/backoffice/orders/{waiting.pk}/expected-arrival/", {"expected_arrival_on": date})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.expected_arrival_on.isoformat() == date
    assert (
        client.post(f"/backoffice/orders/{waiting.pk}/expected-arrival/", {"expected_arrival_on": "x"}).status_code
        == 302
    )
