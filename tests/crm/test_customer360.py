"""The member 360 view and member search for staff: exact contents on a known fixture, the store rule on the API,
the back office and the admin, every search key, junk input, and query counts that do not grow with history."""

import datetime
import itertools
import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from crm.customer360 import selectors
from crm.customer360.api import Customer360Serializer
from crm.customer360.exceptions import MemberNotFound
from crm.leads import services as lead_services
from members.selectors import member_visible_to
from members.services import issue_access_token, verify_member_identity
from notifications.models import Notification
from notifications.services import queue_notification
from points import services as points_services
from staff_tasks import services as task_services
from tests.members.factories import MemberFactory, StaffFactory, unverified
from tests.orders.factories import LoanFactory, OrderEventFactory, OrderFactory
from tests.points.factories import RewardFactory
from tests.vehicles.factories import OwnedVehicleFactory
from vehicles.models import ServiceRecord
from vehicles.selectors import owned_vehicles_visible_to

pytestmark = pytest.mark.django_db

UNIQUE = itertools.count(1)
ID_NUMBER = "44030519900101123X"
DUE = datetime.datetime(2026, 12, 3, 2, 0, tzinfo=datetime.UTC)


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=user)}")
    return client


def add_order(cast, *, store=None, number=None, plate="", state="delivered"):
    number = number or f"SZ{next(UNIQUE):08d}"
    order = OrderFactory(member=cast.member, store=store or cast.store, state=state, plate=plate, number=number)
    OrderEventFactory(
        order=order, actor=cast.member_user, transition="submit", from_state="draft", to_state="submitted"
    )
    OrderEventFactory(
        order=order, actor=cast.store_staff, transition="hand_over", from_state="ready_for_pickup", to_state=state
    )
    LoanFactory(order=order)
    return order


def add_car(cast, *, plate=None):
    car = OwnedVehicleFactory(
        member=cast.member,
        plate=plate or f"粤B·{next(UNIQUE):05d}",
        delivered_on=datetime.date(2026, 6, 1),
        mileage_km=8200,
        next_service_on=datetime.date(2027, 6, 1),
        next_service_km=15000,
        inspection_due_on=datetime.date(2032, 6, 1),
        insurance_due_on=datetime.date(2027, 5, 31),
    )
    ServiceRecord.objects.create(
        vehicle=car,
        dealer_reference=f"DMS-{next(UNIQUE)}",
        serviced_on=datetime.date(2026, 11, 20),
        mileage_km=8000,
        description="首保：更换机油机滤",
    )
    return car


def add_message(cast, *, channel="sms"):
    number = next(UNIQUE)
    [row] = queue_notification(
        recipient_id=cast.member_user.pk,
        event=f"test.{number}",
        subject=f"消息 {number}",
        body="正文",
        dedupe_key=f"c360:{number}",
        channels=[channel],
    )
    return row


def add_coupon(cast):
    points_services.adjust_points(member_id=cast.member.pk, points=1000, reason="兑换用", actor=cast.head_office)
    return points_services.redeem_reward(
        member_id=cast.member.pk, reward_id=RewardFactory().pk, idempotency_key=f"c360-{next(UNIQUE)}"
    ).coupon


def add_tasks(cast):
    task_services.open_task(
        kind="return_visit",
        title=f"交车 7 天回访 {next(UNIQUE)}",
        store=cast.store,
        member=cast.member,
        due_at=DUE,
        assignee=cast.store_staff,
        dedupe_key=f"c360-open-{next(UNIQUE)}",
    )
    done = task_services.open_task(
        kind="three_day_call",
        title=f"交车 3 天回访 {next(UNIQUE)}",
        store=cast.store,
        member=cast.member,
        due_at=DUE,
        dedupe_key=f"c360-done-{next(UNIQUE)}",
    )
    return task_services.complete_task(task_id=done.pk, actor=cast.store_staff, outcome="reached", note="客户满意")


def add_enquiry(cast, *, note="想周末试驾"):
    """A walk-in enquiry at store A from the member's phone (the first opens the lead, the next are second
    enquiries) and the clerk's call."""
    lead = lead_services.enter_lead(
        actor=cast.store_staff, name="王先生", phone=str(cast.member_user.phone), model="秦PLUS DM-i", channel="store"
    ).lead
    lead_services.record_contact(lead_id=lead.pk, actor=cast.store_staff, outcome="reached_interested", note=note)
    return lead


def add_history(cast, times: int) -> None:
    for _ in range(times):
        add_enquiry(cast)
        add_order(cast)
        add_car(cast)
        add_message(cast)
        add_coupon(cast)
        add_tasks(cast)


@pytest.fixture
def known(cast):
    """One member with one of everything at store A, and one application at store B."""
    # The cast's member comes verified; verify for real here, so the ID number is one that decrypts and masks.
    member = unverified(cast.member)
    member.name = "小王"
    member.channel = "call_center"
    member.save()
    verify_member_identity(member=member, real_name="王晓明", id_number=ID_NUMBER)
    cast.member_user.phone = "+8613812345678"
    cast.member_user.save()
    order = add_order(cast, number="SZ2026000001", plate="粤B·12345")
    other_store_order = add_order(cast, store=cast.other_store, number="GZ2026000009", state="submitted")
    car = add_car(cast, plate="粤B·12345")
    sms = add_message(cast, channel="sms")
    Notification.objects.filter(pk=sms.pk).update(status="sent", provider_status="delivered")
    add_message(cast, channel="email")
    coupon = add_coupon(cast)
    done = add_tasks(cast)
    add_enquiry(cast, note="想周末试驾")
    lead = add_enquiry(cast, note="已约周六到店")
    return {
        "lead": lead,
        "order": order,
        "other_store_order": other_store_order,
        "car": car,
        "coupon": coupon,
        "done": done,
    }


# The 360 view ---------------------------------------------------------------------------------------------------


def test_the_360_shows_every_section_with_the_id_masked(cast, known):
    body = api_as(cast.store_staff).get(f"/api/v1/backoffice/members/{cast.member.pk}/").json()

    assert body["profile"] == {
        "id": cast.member.pk,
        "name": "小王",
        "real_name": "王晓明",
        "phone": "+8613812345678",
        "gender": "",
        "birthday": "1990-01-01",  # from the ID number
        "email": "buyer@example.com",
        "city": "深圳",
        "id_number": "4403**********123X",
        "verification_status": "verified",
        "tier": "normal",
        "channel": "call_center",
        "channel_label": "客服中心",
        "channel_partner": "",
        "referred_by": None,
        "store": {"id": cast.store.pk, "code": "SZ01", "name": cast.store.name},
        "registered_at": body["profile"]["registered_at"],
    }
    # Store A's clerk sees store A's application only; head office sees both (below).
    [order] = body["orders"]
    assert order["number"] == "SZ2026000001"
    assert (order["state"], order["plate"], order["store"]["code"]) == ("delivered", "粤B·12345", "SZ01")
    assert [(event["transition"], event["to_state"], event["actor"]) for event in order["timeline"]] == [
        ("submit", "submitted", str(cast.member_user)),
        ("hand_over", "delivered", str(cast.store_staff)),
    ]
    assert order["loan"]["principal"] == "90860.00"
    assert [(item["number"], item["amount"], item["status"]) for item in order["loan"]["installments"]] == [
        (1, "2764.14", "due"),
        (2, "2764.14", "due"),
    ]
    [car] = body["cars"]
    assert {key: value for key, value in car.items() if key != "service_history"} == {
        "id": known["car"].pk,
        "car": str(known["car"].trim),
        "plate": "粤B·12345",
        "vin": known["car"].vin,
        "delivered_on": "2026-06-01",
        "mileage_km": 8200,
        "next_service_on": "2027-06-01",
        "next_service_km": 15000,
        "inspection_due_on": "2032-06-01",
        "insurance_due_on": "2027-05-31",
    }
    assert car["service_history"] == [
        {"serviced_on": "2026-11-20", "mileage_km": 8000, "description": "首保：更换机油机滤", "is_maintenance": True}
    ]
    assert body["points"]["balance"] == 0  # 1000 adjusted, 1000 spent on the coupon
    assert [(entry["kind"], entry["points"], entry["balance_after"]) for entry in body["points"]["recent_entries"]] == [
        ("redeem", -1000, 0),
        ("adjust", 1000, 1000),
    ]
    assert body["coupons"] == [
        {
            "code": known["coupon"].code,
            "reward": known["coupon"].reward.name,
            "face_value": "100.00",
            "status": "active",
            "valid_until": known["coupon"].valid_until.isoformat(),
            "used_at": None,
        }
    ]
    assert [(task["kind"], task["assignee"], task["store"]) for task in body["open_tasks"]] == [
        ("return_visit", str(cast.store_staff), "SZ01")
    ]
    assert [(task["id"], task["outcome"], task["note"], task["completed_by"]) for task in body["contact_history"]] == [
        (known["done"].pk, "reached", "客户满意", str(cast.store_staff))
    ]
    assert [(message["channel"], message["status"], message["provider_status"]) for message in body["messages"]] == [
        ("inbox", "sent", ""),  # the coupon's message
        ("email", "pending", ""),
        ("sms", "sent", "delivered"),
    ]
    [lead] = body["leads"]  # one lead, asked twice
    assert {key: lead[key] for key in ("id", "status", "channel", "partner", "model_text", "enquiries_count")} == {
        "id": known["lead"].pk,
        "status": "interested",
        "channel": "store",
        "partner": None,
        "model_text": "秦PLUS DM-i",
        "enquiries_count": 2,
    }
    assert [enquiry["channel"] for enquiry in lead["enquiries"]] == ["store", "store"]
    assert [(contact["outcome"], contact["note"], contact["by"]) for contact in lead["contacts"]] == [
        ("reached_interested", "已约周六到店", str(cast.store_staff)),
        ("reached_interested", "想周末试驾", str(cast.store_staff)),
    ]
    assert set(body) == {
        "profile", "orders", "cars", "points", "coupons", "open_tasks", "contact_history", "messages", "leads",
        "complaints", "tier", "tier_label", "loyalty", "lifecycle", "churn_risk", "tags", "segments_as_of",
    }  # fmt: skip


@pytest.mark.parametrize("who", ["store_staff", "call_center"])
def test_the_360_answer_is_what_its_serializer_writes(cast, known, who):
    """The API writes the 360 without DRF's per-row machinery; the serializer stays the contract."""
    user = getattr(cast, who)
    body = api_as(user).get(f"/api/v1/backoffice/members/{cast.member.pk}/").json()

    expected = Customer360Serializer(selectors.get_customer_360(user=user, member_id=cast.member.pk)).data
    assert body == json.loads(json.dumps(expected))
    assert [len(order["loan"]["installments"]) for order in body["orders"]] == [2] * len(body["orders"])


def test_head_office_sees_the_applications_of_every_store(cast, known):
    body = api_as(cast.call_center).get(f"/api/v1/backoffice/members/{cast.member.pk}/").json()

    assert [order["number"] for order in body["orders"]] == ["GZ2026000009", "SZ2026000001"]


def test_the_full_id_number_is_never_shown(cast, known, client):
    client.force_login(cast.call_center)

    page = client.get(f"/admin/members/member/{cast.member.pk}/360/").content.decode()

    assert "4403**********123X" in page
    assert ID_NUMBER not in page
    assert "王晓明" in page
    assert "SZ2026000001" in page
    assert "粤B·12345" in page
    assert "首保：更换机油机滤" in page
    assert "已约周六到店" in page  # the lead's latest contact


def test_a_clerk_of_another_store_gets_404_everywhere(cast, client):
    stranger = MemberFactory(name="陈先生", preferred_store=cast.store)
    OrderFactory(member=stranger, store=cast.store, number="SZ2026000077")

    response = api_as(cast.other_store_staff).get(f"/api/v1/backoffice/members/{stranger.pk}/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "未找到相关内容。"}
    client.force_login(cast.other_store_staff)
    assert client.get(f"/backoffice/members/{stranger.pk}/").status_code == 404
    assert client.get(f"/admin/members/member/{stranger.pk}/360/").status_code == 404
    assert api_as(cast.other_store_staff).get("/api/v1/backoffice/members/", {"q": "SZ2026000077"}).json()["count"] == 0


def test_a_member_s_rows_skip_the_member_rule_only_once_member_visible_to_decided_it(cast):
    stranger = MemberFactory(name="陈先生", preferred_store=cast.store)
    OwnedVehicleFactory(member=stranger)
    outsider = cast.other_store_staff

    # Not visible: no member, and a member object got elsewhere still meets the rule for this user.
    assert member_visible_to(user=outsider, member_id=stranger.pk) is None
    assert list(owned_vehicles_visible_to(user=outsider, member=stranger)) == []
    # Decided for one user only: the mark does not carry to another.
    decided = member_visible_to(user=cast.store_staff, member_id=stranger.pk)
    assert decided == stranger
    assert list(owned_vehicles_visible_to(user=outsider, member=decided)) == []
    assert owned_vehicles_visible_to(user=cast.store_staff, member=decided).count() == 1
    assert "members_member" not in str(owned_vehicles_visible_to(user=cast.store_staff, member=decided).query)


def test_a_member_of_two_stores_shows_each_store_only_its_own_applications(cast, known):
    body = api_as(cast.other_store_staff).get(f"/api/v1/backoffice/members/{cast.member.pk}/").json()

    assert [order["number"] for order in body["orders"]] == ["GZ2026000009"]
    assert body["leads"] == []  # store A's walk-in lead
    assert body["open_tasks"] == []  # store A's tasks


def test_a_clerk_of_the_member_store_opens_the_page(cast, known, client):
    client.force_login(cast.store_staff)

    page = client.get(f"/backoffice/members/{cast.member.pk}/").content.decode()

    assert "4403**********123X" in page
    assert "SZ2026000001" in page
    assert "GZ2026000009" not in page  # store B's application of the same member


def test_members_and_signed_out_visitors_are_refused(cast, known, client):
    assert api_as(cast.member_user).get(f"/api/v1/backoffice/members/{cast.member.pk}/").status_code == 403
    assert APIClient().get("/api/v1/backoffice/members/").status_code == 401
    assert client.get(f"/backoffice/members/{cast.member.pk}/").status_code == 302
    assert client.get(f"/admin/members/member/{cast.member.pk}/360/").status_code == 302


def test_an_unknown_member_is_404(cast):
    with pytest.raises(MemberNotFound):
        selectors.get_customer_360(user=cast.call_center, member_id=999_999)


def test_the_back_office_order_page_links_the_member_to_their_360(cast, known, client):
    client.force_login(cast.store_staff)

    page = client.get(f"/backoffice/orders/{known['order'].pk}/").content.decode()

    assert f'href="/backoffice/members/{cast.member.pk}/"' in page


def test_the_admin_member_pages_link_to_the_360(cast, known, client):
    client.force_login(cast.call_center)

    change_page = client.get(f"/admin/members/member/{cast.member.pk}/change/").content.decode()
    changelist = client.get("/admin/members/member/").content.decode()

    assert f'href="/admin/members/member/{cast.member.pk}/360/"' in change_page
    assert f'href="/admin/members/member/{cast.member.pk}/360/"' in changelist


def test_the_admin_pages_need_the_permission_to_view_members(cast, known, client):
    client.force_login(StaffFactory(username="no.role", role="head_office"))  # a head-office account outside the group

    assert client.get(f"/admin/members/member/{cast.member.pk}/360/").status_code == 403
    assert client.get("/admin/customer360/", {"q": "5678"}).status_code == 403


# Search ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "+8613812345678",
        "8613812345678",
        "13812345678",
        "138 1234 5678",
        "5678",
        "王晓明",
        "小王",
        "粤B·12345",
        "粤b12345",
        "B 12345",
        "SZ2026000001",
        "sz2026000001",
    ],
)
def test_search_finds_the_member_by_each_key(cast, known, query):
    response = api_as(cast.call_center).get("/api/v1/backoffice/members/", {"q": query})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [cast.member.pk]


def test_search_results_mask_the_phone_for_store_roles(cast, known):
    store_row = api_as(cast.store_staff).get("/api/v1/backoffice/members/", {"q": "5678"}).json()["results"]
    agent_row = api_as(cast.call_center).get("/api/v1/backoffice/members/", {"q": "5678"}).json()["results"]

    assert store_row == [
        {
            "id": cast.member.pk,
            "name": "王晓明",
            "phone": "138****5678",
            "store": {"id": cast.store.pk, "code": "SZ01", "name": cast.store.name},
            "latest_order": {"number": "SZ2026000001", "state": "delivered"},
        }
    ]
    assert agent_row[0]["phone"] == "+8613812345678"
    # Head office sees store B's later application as the latest one.
    assert agent_row[0]["latest_order"] == {"number": "GZ2026000009", "state": "submitted"}


def test_search_does_not_match_unrelated_members(cast, known):
    MemberFactory(name="李四", preferred_store=cast.store)

    results = api_as(cast.call_center).get("/api/v1/backoffice/members/", {"q": "王晓明"}).json()["results"]

    assert [row["id"] for row in results] == [cast.member.pk]


def test_search_is_scoped_to_the_clerk_store(cast, known):
    # A namesake who belongs to store B only is not found by store A's clerk.
    other = MemberFactory(name="王晓明", preferred_store=cast.other_store)

    results = api_as(cast.store_staff).get("/api/v1/backoffice/members/", {"q": "王晓明"}).json()["results"]

    assert [row["id"] for row in results] == [cast.member.pk]
    assert other.pk not in [row["id"] for row in results]


@pytest.mark.parametrize("query", ["%", "_", "'; drop table members_member; --", "x" * 5000, "·"])
def test_junk_never_500(cast, known, client, query):
    response = api_as(cast.call_center).get("/api/v1/backoffice/members/", {"q": query})

    assert response.status_code == 200
    client.force_login(cast.call_center)
    assert client.get("/backoffice/members/", {"q": query}).status_code == 200
    assert client.get("/admin/customer360/", {"q": query}).status_code in (200, 302)


@pytest.mark.parametrize("query", ["\x00", "王\x00晓明"])
def test_a_nul_byte_in_the_search_is_refused_400_everywhere(cast, known, client, query):
    # The site-wide rule: a request carrying a NUL character is answered 400 before any view runs.
    response = api_as(cast.call_center).get("/api/v1/backoffice/members/", {"q": query})

    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["fields"])) == ("null_character", ["q"])
    client.force_login(cast.call_center)
    assert client.get("/backoffice/members/", {"q": query}).status_code == 400
    assert client.get("/admin/customer360/", {"q": query}).status_code == 400


def test_the_search_selector_drops_a_nul_byte_rather_than_failing(cast, known):
    # Behind the middleware, the selector still never hands PostgreSQL a NUL: it drops it and searches the rest.
    results = selectors.search_members(user=cast.call_center, query="王\x00晓明")

    assert [member.pk for member in results] == [cast.member.pk]


def test_the_admin_search_lands_on_the_360_when_one_member_matches(cast, known, client):
    client.force_login(cast.call_center)

    response = client.get("/admin/customer360/", {"q": "13812345678"})

    assert response.status_code == 302
    assert response["Location"] == f"/admin/members/member/{cast.member.pk}/360/"


def test_the_admin_search_lists_several_matches(cast, known, client):
    other = MemberFactory(name="王晓明二", preferred_store=cast.store)
    client.force_login(cast.call_center)

    page = client.get("/admin/customer360/", {"q": "王晓明"}).content.decode()

    assert f"/admin/members/member/{cast.member.pk}/360/" in page
    assert f"/admin/members/member/{other.pk}/360/" in page


def test_the_back_office_search_page_masks_phones_for_store_staff(cast, known, client):
    client.force_login(cast.store_staff)

    page = client.get("/backoffice/members/", {"q": "13812345678"}).content.decode()

    assert "138****5678" in page
    assert "+8613812345678" not in page
    assert f'href="/backoffice/members/{cast.member.pk}/"' in page


# Query counts ---------------------------------------------------------------------------------------------------

# member, orders (with loans), events with their actors, installments, cars, service visits, points account,
# entries, coupons, messages, open tasks, contact history, leads, their enquiries, their contacts with the agents,
# complaints, and the member's segments and tags.
QUERIES_FOR_360 = 18


@pytest.mark.parametrize("times", [1, 3])
def test_the_360_costs_the_same_queries_for_n_and_3n(cast, django_assert_num_queries, times):
    add_history(cast, times)

    with django_assert_num_queries(QUERIES_FOR_360):
        view = selectors.get_customer_360(user=cast.store_staff, member_id=cast.member.pk)

    assert (len(view.orders), len(view.cars), len(view.coupons), len(view.open_tasks)) == (times,) * 4
    assert len(view.messages) == 2 * times  # each SMS, and each redemption's inbox message
    [lead] = view.leads
    assert (len(lead["enquiries"]), len(lead["contacts"])) == (times, times)


@pytest.mark.parametrize("times", [1, 3])
def test_the_360_api_and_pages_cost_the_same_queries_for_n_and_3n(cast, client, django_assert_num_queries, times):
    add_history(cast, times)
    api = api_as(cast.store_staff)
    client.force_login(cast.store_staff)
    url = f"/api/v1/backoffice/members/{cast.member.pk}/"

    with django_assert_num_queries(QUERIES_FOR_360 + 1):  # + the token
        assert api.get(url).status_code == 200
    # + session, user, the top bar's "is a member?", the task link's count of the clerk's tasks due today, and the
    # staff tags offered in the add-a-tag form
    with django_assert_num_queries(QUERIES_FOR_360 + 5):
        assert client.get(f"/backoffice/members/{cast.member.pk}/").status_code == 200
    with django_assert_num_queries(QUERIES_FOR_360 + 4):  # + session, user, and its two kinds of permissions
        assert client.get(f"/admin/members/member/{cast.member.pk}/360/").status_code == 200


@pytest.mark.parametrize("times", [1, 3])
def test_search_costs_the_same_queries_for_n_and_3n(cast, client, django_assert_num_queries, times):
    for number in range(times):
        MemberFactory(name=f"王{number}", preferred_store=cast.store)
        add_order(cast)
    api = api_as(cast.store_staff)

    with django_assert_num_queries(3):  # token, count, page
        response = api.get("/api/v1/backoffice/members/", {"q": "王"})

    assert response.json()["count"] == times
    client.force_login(cast.store_staff)
    # session, user, count, page, the top bar's "is a member?", the task link's count, the clerk's store
    with django_assert_num_queries(7):
        page = client.get("/backoffice/members/", {"q": "王"})
    assert page.content.decode().count('href="/backoffice/members/') == times


def test_money_values_are_exact_decimals(cast, known):
    view = selectors.get_customer_360(user=cast.call_center, member_id=cast.member.pk)

    assert [summary.loan.principal for summary in view.orders] == [Decimal("90860.00"), Decimal("90860.00")]


def test_the_schema_describes_the_360_and_the_search_results(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]

    detail = schema["paths"]["/api/v1/backoffice/members/{member_id}/"]["get"]
    assert detail["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Customer360"
    }
    assert set(components["Customer360"]["properties"]) == {
        "profile", "orders", "cars", "points", "coupons", "open_tasks", "contact_history", "messages", "leads",
        "complaints",
        "tier", "tier_label", "loyalty", "lifecycle", "churn_risk", "tags", "segments_as_of",
    }  # fmt: skip
    assert set(components["MemberSearchResult"]["properties"]) == {"id", "name", "phone", "store", "latest_order"}
    assert "404" in detail["responses"]


@pytest.mark.django_db
def test_the_leads_of_a_member_s_phone_are_found_through_an_index():
    """The 360 view reads the leads linked to the member or from their phone, closed ones included: the phone needs an
    index of its own (the unique one covers open leads only), or every 360 page scans all leads."""
    from django.db import connection
    from django.db.models import Q

    from crm.leads.models import Lead

    leads = Lead.objects.filter(Q(member_id=1) | Q(phone="+8613900000001"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny test table would be scanned whatever the indexes
        sql, params = leads.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "lead_phone" in plan
