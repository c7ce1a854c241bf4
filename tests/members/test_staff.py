"""Staff accounts: roles, stores, the staff sign-in API with its lockout, and the create_staff command."""

import pytest
from django.core.management import CommandError, call_command

from members.models import AccessToken, User
from tests.members.factories import STAFF_PASSWORD, StaffFactory, StoreFactory

pytestmark = pytest.mark.django_db


def staff_login(client, username, password, **extra):
    return client.post(
        "/api/v1/auth/staff-login/", {"username": username, "password": password}, format="json", **extra
    )


def test_staff_login_returns_token_role_and_store(api_client):
    store = StoreFactory(code="SZ01")
    StaffFactory(username="li.store", role="store_staff", store=store)
    response = staff_login(api_client, "li.store", STAFF_PASSWORD)
    assert response.status_code == 200
    assert response.json()["staff"] == {"username": "li.store", "role": "store_staff", "store": "SZ01"}
    assert (
        api_client.get("/api/v1/auth/logout/", HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}").status_code
        == 405
    )


def test_head_office_has_no_store(api_client):
    StaffFactory(username="boss", role="head_office")
    response = staff_login(api_client, "boss", STAFF_PASSWORD)
    assert response.json()["staff"]["store"] is None


def test_wrong_password_is_400_invalid_credentials(api_client):
    StaffFactory(username="li")
    response = staff_login(api_client, "li", "wrong")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert not AccessToken.objects.exists()


def test_unknown_user_is_the_same_answer(api_client):
    response = staff_login(api_client, "nobody", "whatever")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_members_cannot_use_staff_login(api_client, member):
    member.user.username = "member-with-username"
    member.user.set_password("pw-123456789")
    member.user.save()
    response = staff_login(api_client, "member-with-username", "pw-123456789")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert not AccessToken.objects.exists()


def test_repeated_failures_lock_out_even_the_right_password(api_client, settings):
    StaffFactory(username="li")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert staff_login(api_client, "li", "wrong").status_code == 400
    locked = staff_login(api_client, "li", "wrong")
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"

    response = staff_login(api_client, "li", STAFF_PASSWORD)

    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert "token" not in response.json()
    assert not AccessToken.objects.exists()


def test_lockout_is_shared_with_the_admin_login(client, api_client, settings):
    StaffFactory(username="li")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        staff_login(api_client, "li", "wrong")
    response = client.post("/admin/login/", {"username": "li", "password": STAFF_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_create_staff_creates_and_updates(capsys):
    StoreFactory(code="GZ01")
    call_command("create_staff", username="wang", password="first-Pass-123", role="store_manager", store_code="GZ01")
    user = User.objects.get(username="wang")
    assert (user.role, user.store.code, user.is_staff) == ("store_manager", "GZ01", True)
    assert list(user.groups.values_list("name", flat=True)) == ["role:store_manager"]
    assert user.check_password("first-Pass-123")

    call_command("create_staff", username="wang", password="second-Pass-456", role="reviewer")

    user.refresh_from_db()
    assert (user.role, user.store) == ("reviewer", None)
    assert user.check_password("second-Pass-456")
    assert list(user.groups.values_list("name", flat=True)) == ["role:reviewer"]
    assert User.objects.filter(username="wang").count() == 1


def test_create_staff_admin_is_superuser():
    call_command("create_staff", username="root", password="Admin-Pass-789", role="admin")
    assert User.objects.get(username="root").is_superuser


def test_store_staff_need_a_store():
    with pytest.raises(CommandError, match="门店|store"):
        call_command("create_staff", username="x", password="Pass-12345678", role="store_staff")
    assert not User.objects.filter(username="x").exists()


def test_unknown_store_is_refused():
    with pytest.raises(CommandError):
        call_command("create_staff", username="x", password="Pass-12345678", role="store_staff", store_code="NOPE")
    assert not User.objects.filter(username="x").exists()


def test_every_role_has_a_group_with_permissions():
    from members.services import ensure_role_groups

    groups = ensure_role_groups()
    assert set(groups) == {"call_center", "store_staff", "store_manager", "reviewer", "finance", "head_office", "admin"}
    assert groups["call_center"].permissions.filter(codename="change_member").exists()
    assert not groups["store_staff"].permissions.filter(codename="change_member").exists()


def test_database_refuses_store_bound_role_without_store():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="orphan", role="store_staff", is_staff=True)


def test_password_spraying_from_one_address_is_locked_out(client, api_client, settings):
    settings.STAFF_LOGIN_FAILURES_PER_IP = 6
    StaffFactory(username="li")
    sprayer = {"REMOTE_ADDR": "203.0.113.7"}
    answers = [staff_login(api_client, f"guess{n}", "Spring2026!", **sprayer).status_code for n in range(6)]
    # One try per username: the username lockout never fires, the address limit does.
    assert answers == [400, 400, 400, 400, 400, 429]

    refused = staff_login(api_client, "li", STAFF_PASSWORD, **sprayer)
    assert refused.status_code == 429
    assert refused.json()["code"] == "locked_out"
    assert "token" not in refused.json()
    page = client.post("/admin/login/", {"username": "li", "password": STAFF_PASSWORD}, **sprayer)
    assert page.status_code == 429
    assert "登录失败次数过多，已暂时禁止登录，请稍后再试。" in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AccessToken.objects.exists()

    # Another address is not affected.
    elsewhere = staff_login(api_client, "li", STAFF_PASSWORD, REMOTE_ADDR="198.51.100.20")
    assert elsewhere.status_code == 200
    assert AccessToken.objects.count() == 1


def test_spraying_through_the_admin_login_locks_the_staff_api_too(client, api_client, settings):
    settings.STAFF_LOGIN_FAILURES_PER_IP = 3
    StaffFactory(username="li")
    sprayer = {"REMOTE_ADDR": "203.0.113.8"}
    for n in range(3):
        client.post("/admin/login/", {"username": f"guess{n}", "password": "Spring2026!"}, **sprayer)

    assert client.post("/admin/login/", {"username": "li", "password": STAFF_PASSWORD}, **sprayer).status_code == 429
    assert staff_login(api_client, "li", STAFF_PASSWORD, **sprayer).status_code == 429
    assert staff_login(api_client, "li", STAFF_PASSWORD, REMOTE_ADDR="198.51.100.21").status_code == 200


def test_staff_login_queries_stay_fixed_with_the_address_limit(api_client, django_assert_num_queries):
    StaffFactory(username="li")
    # axes' username+address count, the address count over all usernames, the account, the new token.
    with django_assert_num_queries(4):
        response = staff_login(api_client, "li", STAFF_PASSWORD)
    assert response.status_code == 200
