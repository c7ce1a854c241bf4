"""The points API (docs/api.md) and the member-center pages."""

import pytest

from points.models import Coupon
from tests.points.factories import RewardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded_member(member, give_points):
    give_points(member, 1500)
    return member


def test_points_summary_and_entries(member_client, funded_member):
    summary = member_client.get("/api/v1/points/").json()
    assert summary["balance"] == 1500
    assert summary["expiring"] == []
    entries = member_client.get("/api/v1/points/entries/").json()
    assert entries["count"] == 1
    assert {key: entries["results"][0][key] for key in ("kind", "points", "balance_after", "reason")} == {
        "kind": "adjust", "points": 1500, "balance_after": 1500, "reason": "测试积分",
    }  # fmt: skip


def test_rewards_say_what_the_member_can_afford(member_client, funded_member):
    cheap, dear = RewardFactory(cost_points=1000), RewardFactory(cost_points=2000)
    rewards = {row["id"]: row["available"] for row in member_client.get("/api/v1/rewards/").json()["results"]}
    assert rewards == {cheap.pk: True, dear.pk: False}


def test_redemption_201_then_200_with_the_same_coupon(member_client, funded_member):
    reward = RewardFactory(cost_points=1000)
    body = {"reward": reward.pk, "idempotency_key": "4f6a1c2e-key"}
    first = member_client.post("/api/v1/redemptions/", body, format="json")
    again = member_client.post("/api/v1/redemptions/", body, format="json")
    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json()["coupon"]["code"] == again.json()["coupon"]["code"]
    assert first.json()["balance"] == again.json()["balance"] == 500
    coupons = member_client.get("/api/v1/coupons/").json()["results"]
    assert [(coupon["status"], coupon["code"]) for coupon in coupons] == [("active", first.json()["coupon"]["code"])]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"reward": 999999, "idempotency_key": "abcdefgh"}, 404, "not_found"),
        ({"reward": 10**30, "idempotency_key": "abcdefgh"}, 404, "not_found"),
        ({"reward": "x", "idempotency_key": "abcdefgh"}, 400, "invalid"),
        ({"reward": 1, "idempotency_key": "short"}, 400, "invalid"),
        ({}, 400, "invalid"),
    ],
)
def test_bad_redemptions_are_4xx_with_a_code(member_client, funded_member, body, status, code):
    response = member_client.post("/api/v1/redemptions/", body, format="json")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert not Coupon.objects.exists()


def test_insufficient_points_is_409(member_client, funded_member):
    reward = RewardFactory(cost_points=2000)
    response = member_client.post(
        "/api/v1/redemptions/", {"reward": reward.pk, "idempotency_key": "abcdefgh"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_points"
    assert member_client.get("/api/v1/points/").json()["balance"] == 1500
    assert not Coupon.objects.exists()


def test_key_reused_for_another_reward_is_409(member_client, funded_member):
    body = {"reward": RewardFactory(cost_points=100).pk, "idempotency_key": "abcdefgh"}
    member_client.post("/api/v1/redemptions/", body, format="json")
    body["reward"] = RewardFactory(cost_points=100).pk
    response = member_client.post("/api/v1/redemptions/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert member_client.get("/api/v1/points/").json()["balance"] == 1400
    assert Coupon.objects.count() == 1


def test_switched_off_reward_is_409_in_english(member_client, funded_member):
    reward = RewardFactory(is_active=False)
    response = member_client.post(
        "/api/v1/redemptions/", {"reward": reward.pk, "idempotency_key": "abcdefgh"}, format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 409
    assert response.json()["detail"].startswith("This reward is not available right now")
    assert member_client.get("/api/v1/points/").json()["balance"] == 1500
    assert not Coupon.objects.exists()


def test_points_pages(client, funded_member, django_assert_max_num_queries):
    reward = RewardFactory(cost_points=1000)
    client.force_login(funded_member.user)
    with django_assert_max_num_queries(10):
        history = client.get("/me/points/").content.decode()
    assert 'id="points-balance">1500<' in history
    rewards_page = client.get("/me/rewards/").content.decode()
    assert f'data-reward="{reward.pk}"' in rewards_page
    response = client.post(f"/me/rewards/{reward.pk}/redeem/", {"idempotency_key": "page-key-123"})
    assert response["Location"] == "/me/coupons/"
    client.post(f"/me/rewards/{reward.pk}/redeem/", {"idempotency_key": "page-key-123"})  # double submit
    assert Coupon.objects.count() == 1
    coupons_page = client.get("/me/coupons/").content.decode()
    assert Coupon.objects.get().code in coupons_page


def test_dashboard_shows_the_points_panel(client, funded_member):
    client.force_login(funded_member.user)
    assert 'id="points-balance">1500<' in client.get("/me/").content.decode()


def test_admin_adjustment_and_read_only_ledger(client, funded_member, points_admin):
    from points.models import PointsAccount

    account = PointsAccount.objects.get(member=funded_member)
    client.force_login(points_admin)
    page = client.get(f"/admin/points/pointsaccount/{account.pk}/change/").content.decode()
    assert f"/admin/points/pointsaccount/{account.pk}/adjust/" in page
    response = client.post(f"/admin/points/pointsaccount/{account.pk}/adjust/", {"points": "-200", "reason": "扣回"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.balance == 1300
    bad = client.post(f"/admin/points/pointsaccount/{account.pk}/adjust/", {"points": "-99999", "reason": "太多"})
    assert bad.status_code == 200
    account.refresh_from_db()
    assert account.balance == 1300
    entry_id = account.entries.first().pk
    assert client.post(f"/admin/points/pointsentry/{entry_id}/delete/").status_code == 403
    assert account.entries.filter(pk=entry_id).exists()
    assert client.get("/admin/points/pointsentry/").status_code == 200
