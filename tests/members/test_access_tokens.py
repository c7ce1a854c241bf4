"""API tokens end with the account's password: a change by any path, or deactivation, makes every old token 401."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from members.models import AccessToken, User
from members.services import issue_access_token, purge_unusable_access_tokens
from tests.members.factories import STAFF_PASSWORD, StaffFactory, StoreFactory

pytestmark = pytest.mark.django_db


def me(api_client, token):
    return api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}")


def backoffice(api_client, token):
    return api_client.get("/api/v1/auth/logout/", HTTP_AUTHORIZATION=f"Bearer {token}")


def staff_login(api_client, username, password):
    response = api_client.post("/api/v1/auth/staff-login/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["token"]


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory(username="root", role="admin", is_superuser=True))
    return client


@pytest.fixture
def clerk():
    return StaffFactory(username="li.clerk", role="store_staff", store=StoreFactory(code="SZ01"))


def test_a_fresh_staff_token_works(api_client, clerk):
    token = staff_login(api_client, "li.clerk", STAFF_PASSWORD)
    # 405: authenticated, only the method is wrong (an unauthenticated GET would be 401 first).
    assert backoffice(api_client, token).status_code == 405


def test_a_password_reset_in_the_admin_ends_the_clerks_tokens(api_client, admin_client, clerk, member):
    token = staff_login(api_client, "li.clerk", STAFF_PASSWORD)
    member_token = issue_access_token(user=member.user)

    response = admin_client.post(
        f"/admin/members/user/{clerk.pk}/password/",
        {"password1": "New-Secret-Pass-2026", "password2": "New-Secret-Pass-2026"},
    )

    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password("New-Secret-Pass-2026")
    refused = backoffice(api_client, token)
    assert refused.status_code == 401
    assert refused.json()["code"] == "authentication_failed"
    # Another account's password change leaves a member's token alone.
    assert me(api_client, member_token).status_code == 200
    # The new password gives a working token.
    assert backoffice(api_client, staff_login(api_client, "li.clerk", "New-Secret-Pass-2026")).status_code == 405


def test_create_staff_with_a_new_password_ends_the_old_tokens(api_client, clerk, member):
    token = staff_login(api_client, "li.clerk", STAFF_PASSWORD)
    member_token = issue_access_token(user=member.user)

    call_command("create_staff", username="li.clerk", password="Other-Pass-9876", role="store_staff", store_code="SZ01")

    assert backoffice(api_client, token).status_code == 401
    assert me(api_client, member_token).status_code == 200
    assert AccessToken.objects.filter(user=member.user).count() == 1


def test_deactivating_the_account_in_the_admin_ends_its_tokens(api_client, admin_client, clerk, member):
    token = staff_login(api_client, "li.clerk", STAFF_PASSWORD)
    member_token = issue_access_token(user=member.user)

    response = admin_client.post(
        f"/admin/members/user/{clerk.pk}/change/",
        {
            "username": "li.clerk",
            "phone": "",
            "email": "",
            "role": "store_staff",
            "store": clerk.store_id,
            "is_staff": "on",
            # is_active left out: the box is unticked
        },
    )

    assert response.status_code == 302
    assert User.objects.get(pk=clerk.pk).is_active is False
    assert backoffice(api_client, token).status_code == 401
    assert me(api_client, member_token).status_code == 200


def test_a_members_token_survives_their_own_details_changing(api_client, member):
    token = issue_access_token(user=member.user)
    member.user.email = "new@example.com"
    member.user.save()

    assert me(api_client, token).status_code == 200


def test_a_member_token_ends_when_the_account_is_deactivated(api_client, member):
    token = issue_access_token(user=member.user)
    User.objects.filter(pk=member.user.pk).update(is_active=False)

    assert me(api_client, token).status_code == 401


def test_checking_a_token_is_one_query_with_its_account(api_client, member, django_assert_num_queries):
    token = issue_access_token(user=member.user)
    # the token with its account, then the member, its standing consents (`consents_required`) and its membership
    # card for /me/
    with django_assert_num_queries(4):
        response = me(api_client, token)
    assert response.status_code == 200


def test_the_nightly_purge_deletes_only_tokens_that_can_never_work_again(api_client, clerk, member):
    working = issue_access_token(user=member.user)
    expired = issue_access_token(user=member.user)
    AccessToken.objects.filter(pk=AccessToken.objects.latest("pk").pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    before_password_change = issue_access_token(user=clerk)
    clerk.set_password("a-new-password-2026")
    clerk.save()
    after_password_change = issue_access_token(user=clerk)
    deactivated = StaffFactory(username="gone", role="store_staff", store=clerk.store)
    issue_access_token(user=deactivated)
    deactivated.is_active = False
    deactivated.save()

    assert purge_unusable_access_tokens() == 3

    assert AccessToken.objects.count() == 2
    assert me(api_client, working).status_code == 200
    assert backoffice(api_client, after_password_change).status_code == 405
    for ended in (expired, before_password_change):
        assert me(api_client, ended).status_code == 401
    assert purge_unusable_access_tokens() == 0
