"""Segments through the staff API: staff tags with who and when, the member list filters, the 360 fields, and the
store rule (another store's member is "not found", their tags untouched)."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from crm.segments.models import MemberTag
from crm.segments.services import compute_segments
from members.services import issue_access_token
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory
from tests.vehicles.factories import OwnedVehicleFactory
from vehicles.models import ServiceRecord

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2026, 6, 30)


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=user)}")
    return client


@pytest.fixture
def world():
    store, other_store = StoreFactory(), StoreFactory()
    big = OwnedVehicleFactory(member=MemberFactory(preferred_store=store, city="深圳"), delivered_on=AS_OF)
    ServiceRecord.objects.create(
        vehicle=big, dealer_reference="D1", serviced_on=AS_OF, mileage_km=10, description="保养",
        customer_amount=Decimal("5000"),
    )  # fmt: skip
    small = MemberFactory(preferred_store=store, city="深圳")
    elsewhere = MemberFactory(preferred_store=other_store, city="广州")
    compute_segments(as_of=AS_OF)
    return {
        "store": store, "big": big.member, "small": small, "elsewhere": elsewhere,
        "clerk": StaffFactory(role="store_staff", store=store), "hq": StaffFactory(role="head_office"),
    }  # fmt: skip


def test_staff_tag_a_member_and_the_tag_keeps_who_and_when(world):
    response = api_as(world["clerk"]).post(
        f"/api/v1/backoffice/members/{world['small'].pk}/tags/", {"tag": "prefers_ev"}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["tag"], body["name"], body["source"], body["added_by"]) == (
        "prefers_ev", "偏好新能源", "staff", world["clerk"].username,
    )  # fmt: skip
    assert body["added_at"]
    detail = api_as(world["clerk"]).get(f"/api/v1/backoffice/members/{world['small'].pk}/").json()
    assert "prefers_ev" in [tag["tag"] for tag in detail["tags"]]
    deleted = api_as(world["clerk"]).delete(f"/api/v1/backoffice/members/{world['small'].pk}/tags/?tag=prefers_ev")
    assert deleted.status_code == 204
    assert not MemberTag.objects.filter(member=world["small"], tag__code="prefers_ev").exists()


def test_system_and_unknown_tags_are_refused_and_nothing_changes(world):
    client = api_as(world["clerk"])
    before = MemberTag.objects.count()
    computed = client.post(f"/api/v1/backoffice/members/{world['small'].pk}/tags/", {"tag": "city:深圳"})
    assert (computed.status_code, computed.json()["code"]) == (400, "tag_is_computed")
    unknown = client.post(f"/api/v1/backoffice/members/{world['small'].pk}/tags/", {"tag": "nope"})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "tag_not_found")
    removed = client.delete(f"/api/v1/backoffice/members/{world['small'].pk}/tags/?tag=city:深圳")
    assert removed.status_code == 400
    assert MemberTag.objects.count() == before


def test_another_store_s_member_cannot_be_tagged_or_untagged(world):
    client = api_as(world["clerk"])
    response = client.post(f"/api/v1/backoffice/members/{world['elsewhere'].pk}/tags/", {"tag": "prefers_ev"})
    assert response.status_code == 404
    assert not MemberTag.objects.filter(member=world["elsewhere"], tag__code="prefers_ev").exists()
    api_as(world["hq"]).post(f"/api/v1/backoffice/members/{world['elsewhere'].pk}/tags/", {"tag": "prefers_ev"})
    response = client.delete(f"/api/v1/backoffice/members/{world['elsewhere'].pk}/tags/?tag=prefers_ev")
    assert response.status_code == 404
    assert MemberTag.objects.filter(member=world["elsewhere"], tag__code="prefers_ev").exists()


def test_member_list_filters_by_tier_tag_and_lifecycle_within_the_store(world):
    client = api_as(world["clerk"])

    def ids(query):
        response = client.get(f"/api/v1/backoffice/members/?{query}")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids("tier=diamond") == {world["big"].pk}
    assert ids("lifecycle=lead") == {world["small"].pk}
    assert ids("tag=city:深圳") == {world["big"].pk, world["small"].pk}
    assert ids("tag=city:广州") == set()  # the other store's member stays hidden
    assert api_as(world["hq"]).get("/api/v1/backoffice/members/?tag=city:广州").json()["count"] == 1
    assert client.get("/api/v1/backoffice/members/?tier=emperor").status_code == 400


def test_the_360_view_shows_tier_loyalty_lifecycle_churn_risk_and_tags(world):
    body = api_as(world["clerk"]).get(f"/api/v1/backoffice/members/{world['big'].pk}/").json()
    assert (body["tier"], body["lifecycle"], body["loyalty"]) == ("diamond", "new", "low")
    assert body["churn_risk"] == {"score": 15, "reasons": [{"code": "no_sign_in", "label": "长时间未登录"}]}
    assert {"city:深圳", "tier:diamond", "lifecycle:new"} <= {tag["tag"] for tag in body["tags"]}
    assert body["segments_as_of"] == "2026-06-30"


def test_the_back_office_member_page_shows_segments_and_staff_tag_there(world, client):
    client.force_login(world["clerk"])
    url = f"/backoffice/members/{world['big'].pk}/"
    page = client.get(url).content.decode()
    assert 'id="c360-segments"' in page
    assert "钻石会员" in page
    assert "新客户" in page
    response = client.post(f"/backoffice/members/{world['big'].pk}/tags/add/", {"tag": "family_car"})
    assert response.status_code == 302
    tag = MemberTag.objects.get(member=world["big"], tag__code="family_car")
    assert tag.added_by == world["clerk"]
    assert "家庭用车" in client.get(url).content.decode()
    client.post(f"/backoffice/members/{world['elsewhere'].pk}/tags/add/", {"tag": "family_car"})
    assert not MemberTag.objects.filter(member=world["elsewhere"]).exclude(source="system").exists()
    client.post(f"/backoffice/members/{world['big'].pk}/tags/remove/", {"tag": "family_car"})
    assert not MemberTag.objects.filter(member=world["big"], tag__code="family_car").exists()
