"""Roadside rescue: a member asks for help with their own car only; each step is timed and told to the member once;
cancelling after help arrived is 409; another store's staff never reach a rescue; the response-time report."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from crm.care.rescue import services
from crm.care.rescue.models import RescueEvent, RescueRequest
from crm.care.rescue.selectors import rescue_response_report
from members.services import issue_access_token
from notifications.models import Notification
from orders.enums import OrderState
from tests.vehicles.factories import OwnedVehicleFactory
from vehicles.models import OwnedVehicle

pytestmark = pytest.mark.django_db

STEPS = [("dispatch", "dispatched"), ("depart", "on_the_way"), ("arrive", "arrived"), ("complete", "done")]


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=user)}")
    return client


@pytest.fixture
def car(cast):
    return OwnedVehicleFactory(member=cast.member, plate="粤B12345")


def _ask(cast, car, **extra):
    body = {"kind": "tow", "vehicle": car.pk, "location": "广深高速 K35 往深圳方向", **extra}
    return _client(cast.member_user).post("/api/v1/rescue/", body, format="json")


def test_a_member_asks_for_help_with_an_own_car(cast, car):
    response = _ask(cast, car, latitude="22.543096", longitude="114.057865", note="右前轮爆胎")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["kind"], body["vehicle"]["plate"], body["store"]) == (
        "requested", "tow", "粤B12345", "SZ01",
    )  # fmt: skip
    assert [step["status"] for step in body["timeline"]] == ["requested"]
    rescue = RescueRequest.objects.get()
    assert (rescue.latitude, rescue.longitude, rescue.channel) == (
        Decimal("22.543096"),
        Decimal("114.057865"),
        "member",
    )
    assert RescueEvent.objects.filter(request=rescue, status="requested").count() == 1


def test_someone_else_s_car_is_refused_and_nothing_is_written(cast, car):
    stranger_car = OwnedVehicleFactory()
    response = _ask(cast, stranger_car)
    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["fields"])) == ("invalid_vehicle", ["vehicle"])
    assert not RescueRequest.objects.exists()
    assert not Notification.objects.exists()


def test_without_a_place_or_coordinates_the_request_is_refused(cast, car):
    response = _ask(cast, car, location="")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_location")
    assert _ask(cast, car, location="", latitude="22.5", longitude="114.0").status_code == 201


def test_one_open_request_per_car(cast, car):
    assert _ask(cast, car).status_code == 201
    second = _ask(cast, car)
    assert (second.status_code, second.json()["code"]) == (409, "rescue_open")
    assert RescueRequest.objects.count() == 1


def test_help_comes_from_the_store_that_handed_the_car_over(cast):
    cast.advance(cast.new_order(), OrderState.DELIVERED)
    cast.member.preferred_store = cast.other_store  # the member's own store is another one now
    cast.member.save(update_fields=["preferred_store"])
    car = OwnedVehicle.objects.get(member=cast.member)
    rescue = services.request_rescue(member=cast.member, vehicle_id=car.pk, kind="fuel", actor=cast.member_user,
                                     location="滨海大道")  # fmt: skip
    assert rescue.store == cast.store
    # An agent may choose another store.
    rescue.status = "cancelled"
    rescue.save()
    chosen = services.request_rescue(member=cast.member, vehicle_id=car.pk, kind="fuel", actor=cast.call_center,
                                     location="滨海大道", store=cast.other_store)  # fmt: skip
    assert (chosen.store, chosen.channel) == (cast.other_store, "call_center")


def test_each_step_is_timed_and_told_to_the_member_once(cast, car):
    rescue_id = _ask(cast, car).json()["id"]
    staff = _client(cast.store_staff)
    start = timezone.now()
    for minutes, (name, status) in enumerate(STEPS, start=1):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes * 10), tick=False):
            response = staff.post(f"/api/v1/backoffice/rescue/{rescue_id}/transitions/{name}/", {}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == status
        # The same step again is refused, and nobody is told twice.
        again = staff.post(f"/api/v1/backoffice/rescue/{rescue_id}/transitions/{name}/", {}, format="json")
        assert again.status_code == 409
        told = Notification.objects.filter(recipient=cast.member_user, event=f"rescue.{status}")
        assert sorted(told.values_list("channel", flat=True)) == ["inbox", "sms"]
    rescue = RescueRequest.objects.get()
    assert rescue.arrived_at - rescue.requested_at >= datetime.timedelta(minutes=29)
    assert rescue.done_at > rescue.arrived_at > rescue.on_the_way_at > rescue.dispatched_at
    assert Notification.objects.filter(recipient=cast.member_user).count() == 2 * len(STEPS)
    sms = Notification.objects.get(event="rescue.dispatched", channel="sms")
    assert ("粤B12345" in sms.body, sms.category, sms.link) == (True, "transactional", f"/me/rescue/{rescue.pk}/")
    assert [step["status"] for step in response.json()["timeline"]] == ["requested", *[s for _n, s in STEPS]]


def test_the_member_cancels_while_help_is_coming_but_not_after_it_arrived(cast, car):
    member = _client(cast.member_user)
    staff = _client(cast.store_staff)
    first = _ask(cast, car).json()["id"]
    staff.post(f"/api/v1/backoffice/rescue/{first}/transitions/dispatch/", {}, format="json")
    response = member.post(f"/api/v1/rescue/{first}/cancel/")
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert Notification.objects.filter(event="rescue.cancelled").count() == 2

    second = _ask(cast, car).json()["id"]
    for name in ("dispatch", "arrive"):
        staff.post(f"/api/v1/backoffice/rescue/{second}/transitions/{name}/", {}, format="json")
    before = Notification.objects.count()
    refused = member.post(f"/api/v1/rescue/{second}/cancel/")
    assert (refused.status_code, refused.json()["code"]) == (409, "rescue_not_cancellable")
    staff_refused = staff.post(f"/api/v1/backoffice/rescue/{second}/transitions/cancel/", {}, format="json")
    assert (staff_refused.status_code, staff_refused.json()["code"]) == (409, "rescue_not_cancellable")
    assert RescueRequest.objects.get(pk=second).status == "arrived"
    assert Notification.objects.count() == before


def test_a_member_never_sees_or_cancels_someone_else_s_rescue(cast, car):
    rescue_id = _ask(cast, car).json()["id"]
    other = _client(cast.applicant().user)
    assert other.get(f"/api/v1/rescue/{rescue_id}/").status_code == 404
    assert other.post(f"/api/v1/rescue/{rescue_id}/cancel/").status_code == 404
    assert other.get("/api/v1/rescue/").json()["count"] == 0
    assert RescueRequest.objects.get().status == "requested"


def test_staff_of_another_store_never_reach_the_rescue(cast, car):
    rescue_id = _ask(cast, car).json()["id"]
    wrong_store = _client(cast.other_store_staff)
    assert wrong_store.get("/api/v1/backoffice/rescue/").json()["count"] == 0
    assert wrong_store.get(f"/api/v1/backoffice/rescue/{rescue_id}/").status_code == 404
    response = wrong_store.post(f"/api/v1/backoffice/rescue/{rescue_id}/transitions/dispatch/", {}, format="json")
    assert response.status_code == 404
    assert RescueRequest.objects.get().status == "requested"
    # A role that does not handle rescues sees it (every store) but may not move it.
    reviewer = _client(cast.reviewer).post(f"/api/v1/backoffice/rescue/{rescue_id}/transitions/dispatch/")
    assert (reviewer.status_code, reviewer.json()["code"]) == (403, "permission_denied")
    # The call center works for every store.
    agent = _client(cast.call_center).post(f"/api/v1/backoffice/rescue/{rescue_id}/transitions/dispatch/")
    assert agent.status_code == 200
    assert not Notification.objects.filter(recipient=cast.member_user).exclude(event="rescue.dispatched").exists()


def test_response_time_per_store(cast, car):
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=3)
    other_car = OwnedVehicleFactory(member=cast.member)
    for vehicle, minutes in ((car, 30), (other_car, 50)):
        with time_machine.travel(start, tick=False):
            rescue = services.request_rescue(member=cast.member, vehicle_id=vehicle.pk, kind="tow",
                                             actor=cast.member_user, location="x")  # fmt: skip
            services.apply_rescue_transition(rescue_id=rescue.pk, name="dispatch", actor=cast.store_staff)
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            services.apply_rescue_transition(rescue_id=rescue.pk, name="arrive", actor=cast.store_staff)
    today = timezone.localdate()
    report = rescue_response_report(user=cast.store_manager, date_from=today - datetime.timedelta(days=1),
                                    date_to=today)  # fmt: skip
    [row] = report.stores
    assert (row.store_code, row.requests, row.arrived, row.average_minutes, row.median_minutes) == (
        "SZ01", 2, 2, 40.0, 40.0,
    )  # fmt: skip
    assert rescue_response_report(user=cast.other_store_staff, date_from=today, date_to=today).stores == []
    body = _client(cast.head_office).get("/api/v1/backoffice/reports/rescue/").json()
    assert (body["total"]["requests"], body["total"]["average_minutes"], body["stores"][0]["store"]) == (
        2,
        40.0,
        "SZ01",
    )
    bad = _client(cast.head_office).get("/api/v1/backoffice/reports/rescue/?from=2026-13-01")
    assert bad.status_code == 400


def test_member_page_asks_in_two_taps(cast, car, client):
    client.force_login(cast.member_user)
    page = client.get("/me/rescue/")
    assert page.status_code == 200
    assert f'value="{car.pk}"' in page.content.decode()
    response = client.post("/me/rescue/", {"vehicle": car.pk, "kind": "jump_start", "location": "地下车库 B2"})
    rescue = RescueRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/me/rescue/{rescue.pk}/"
    assert (rescue.kind, rescue.location) == ("jump_start", "地下车库 B2")
    detail = client.get(response["Location"])
    assert 'id="rescue-cancel"' in detail.content.decode()
    refused = client.post("/me/rescue/", {"vehicle": OwnedVehicleFactory().pk, "kind": "tow", "location": "x"})
    assert refused.status_code == 400
    assert RescueRequest.objects.count() == 1
    assert client.get(f"/me/rescue/{rescue.pk + 1000}/").status_code == 404


def test_back_office_page_moves_a_rescue_and_the_task_queue_shows_it_on_top(cast, car, client):
    rescue_id = _ask(cast, car).json()["id"]
    client.force_login(cast.store_staff)
    queue = client.get("/backoffice/tasks/").content.decode()
    assert f'data-rescue="{rescue_id}"' in queue
    assert queue.index('id="open-rescues"') < queue.index('id="task-list"')
    page = client.get(f"/backoffice/rescue/{rescue_id}/").content.decode()
    assert 'data-step="dispatch"' in page
    assert 'data-step="complete"' not in page
    client.post(f"/backoffice/rescue/{rescue_id}/dispatch/")
    assert RescueRequest.objects.get().status == "dispatched"
    client.force_login(cast.other_store_staff)
    assert f'data-rescue="{rescue_id}"' not in client.get("/backoffice/tasks/").content.decode()
    assert client.get(f"/backoffice/rescue/{rescue_id}/").status_code == 404
    assert client.post(f"/backoffice/rescue/{rescue_id}/arrive/").status_code == 404
    assert RescueRequest.objects.get().status == "dispatched"


def test_the_call_center_logs_a_rescue_for_a_caller_in_the_admin(cast, car, client):
    client.force_login(cast.call_center)
    from django.contrib.auth.models import Permission

    cast.call_center.user_permissions.set(Permission.objects.filter(codename__in=["add_rescuerequest",
                                                                                  "view_rescuerequest"]))  # fmt: skip
    form = {"member": cast.member.pk, "vehicle": car.pk, "kind": "flat_tyre", "location": "机场路", "note": "",
            "store": ""}  # fmt: skip
    response = client.post("/admin/rescue/rescuerequest/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    rescue = RescueRequest.objects.get()
    assert (rescue.channel, rescue.created_by, rescue.store) == ("call_center", cast.call_center, cast.store)
    refused = client.post("/admin/rescue/rescuerequest/add/", {**form, "vehicle": OwnedVehicleFactory().pk})
    assert refused.status_code == 200
    assert RescueRequest.objects.count() == 1
