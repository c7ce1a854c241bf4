"""Store staff mark a value-added-service coupon used in the back office: own store's members only, once."""

import pytest
from django.urls import reverse

from points import services
from points.exceptions import CouponNotUsable
from points.models import Coupon
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory
from tests.points.factories import RewardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def service_coupon(give_points, staff_user):
    member = MemberFactory(preferred_store=staff_user.store)
    give_points(member, 500)
    reward = RewardFactory(kind="service_coupon", cost_points=500, name="免费洗车券")
    return services.redeem_reward(member_id=member.pk, reward_id=reward.pk, idempotency_key="svc").coupon


def test_staff_mark_a_service_coupon_used_and_a_second_mark_changes_nothing(client, staff_user, service_coupon):
    client.force_login(staff_user)
    url = reverse("points-backoffice:use-coupon")
    page = client.post(url, {"code": service_coupon.code.lower()})
    assert page.status_code == 200
    assert page.context["result"].was_already_marked is False
    service_coupon.refresh_from_db()
    assert (service_coupon.status, service_coupon.used_by, service_coupon.used_for) == (
        "used", staff_user, f"store:{staff_user.store.code}",
    )  # fmt: skip
    used_at = service_coupon.used_at

    again = client.post(url, {"code": service_coupon.code})
    assert again.context["result"].was_already_marked is True
    service_coupon.refresh_from_db()
    assert service_coupon.used_at == used_at


def test_another_clerk_cannot_use_it_again(staff_user, service_coupon):
    services.use_service_coupon_at_store(code=service_coupon.code, staff=staff_user)
    colleague = StaffFactory(role="store_staff", store=staff_user.store)
    with pytest.raises(CouponNotUsable):
        services.use_service_coupon_at_store(code=service_coupon.code, staff=colleague)


def test_a_coupon_of_another_stores_member_is_refused_and_stays_active(client, service_coupon):
    stranger = StaffFactory(role="store_staff", store=StoreFactory(code="ELSEWHERE"))
    client.force_login(stranger)
    page = client.post(reverse("points-backoffice:use-coupon"), {"code": service_coupon.code})
    assert page.context["error"]
    assert Coupon.objects.get(pk=service_coupon.pk).status == "active"


def test_a_repayment_coupon_is_not_a_service_coupon(give_points, staff_user):
    member = MemberFactory(preferred_store=staff_user.store)
    give_points(member, 1000)
    reward = RewardFactory(kind="repayment_coupon", cost_points=1000)
    coupon = services.redeem_reward(member_id=member.pk, reward_id=reward.pk, idempotency_key="rep").coupon
    with pytest.raises(CouponNotUsable):
        services.use_service_coupon_at_store(code=coupon.code, staff=staff_user)
    assert Coupon.objects.get(pk=coupon.pk).status == "active"


def test_members_cannot_open_the_screen(client, member):
    client.force_login(member.user)
    assert client.get(reverse("points-backoffice:use-coupon")).status_code == 302
