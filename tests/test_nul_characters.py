"""A NUL character (%00) in a search box, a filter, a path or a body is a clear 400, never a server error: PostgreSQL
refuses NUL in text, so before the middleware that answers it every search in the admin, the back office and the API
ended in a psycopg DataError."""

import json

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from members.models import Member, SignInCode
from members.services import issue_access_token
from notifications.models import Preference
from tests.members.factories import StaffFactory

pytestmark = pytest.mark.django_db

DETAIL_EN = "The request contains a NUL character (\\0), which is not allowed. Please remove it and try again."
DETAIL_ZH = "请求中含有空字符（\\0），无法处理。请删除后重试。"
FIELD_EN = "Remove the NUL character (\\0) from this value."


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(StaffFactory(username="root", role="admin", is_superuser=True))
    return client


def _changelists_with_search():
    return sorted(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        for model, model_admin in admin.site._registry.items()
        if model_admin.search_fields
    )


def test_every_admin_search_box_is_covered():
    """The parametrization below is not empty and grows with the admin."""
    assert "admin:members_store_changelist" in _changelists_with_search()
    assert "admin:orders_order_changelist" in _changelists_with_search()
    assert len(_changelists_with_search()) >= 15


@pytest.mark.parametrize("changelist", _changelists_with_search())
def test_admin_search_with_a_nul_is_a_readable_400(superuser_client, changelist):
    response = superuser_client.get(reverse(changelist), {"q": "粤B\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert DETAIL_EN in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [{"state__exact": "\x00"}, {"o": "\x00"}, {"p": "\x00"}, {"\x00": "1"}, {"member__user__phone": "1\x00"}],
)
def test_admin_filters_with_a_nul_are_a_400(superuser_client, query):
    response = superuser_client.get(reverse("admin:orders_order_changelist"), query)
    assert response.status_code == 400
    assert DETAIL_ZH in response.content.decode()


def test_admin_search_without_a_nul_still_searches(superuser_client, store):
    response = superuser_client.get(reverse("admin:members_store_changelist"), {"q": store.code})
    assert response.status_code == 200
    assert store.name in response.content.decode()


@pytest.mark.parametrize("query", [{"q": "\x00"}, {"state": "\x00"}, {"page": "\x00"}, {"q": "138\x00"}])
def test_back_office_search_and_filters_with_a_nul_are_a_400(staff_user, query):
    client = Client()
    client.force_login(staff_user)
    response = client.get("/backoffice/", query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert DETAIL_EN in response.content.decode()


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/", {"invite": "\x00"}),
        ("/sign-in/", {"invite": "AB\x00CD"}),
        ("/sign-in/", {"next": "/me/\x00"}),
        ("/cars/", {"replace": "\x00"}),
        ("/me/messages/", {"page": "\x00"}),
        ("/me/points/", {"page": "\x00"}),
        ("/me/orders/", {"page": "\x00"}),
    ],
)
def test_member_pages_with_a_nul_in_the_query_are_a_400(member, path, query):
    client = Client()
    client.force_login(member.user)
    response = client.get(path, query)
    assert response.status_code == 400
    assert DETAIL_ZH in response.content.decode()
    assert "invite" not in client.session


def test_a_nul_in_a_path_is_a_400():
    response = Client().get("/unsubscribe/abc%00def/")
    assert response.status_code == 400


def test_a_form_post_with_a_nul_is_refused_and_changes_nothing(member):
    client = Client()
    client.force_login(member.user)
    before = Member.objects.values().get(pk=member.pk)
    response = client.post("/me/profile/", {"name": "王\x00五", "city": "深圳"})
    assert response.status_code == 400
    assert DETAIL_ZH in response.content.decode()
    assert Member.objects.values().get(pk=member.pk) == before


@pytest.mark.parametrize(
    "query", [{"q": "\x00"}, {"state": "\x00"}, {"q": "粤B\x00", "state": "draft"}, {"page": "\x00"}]
)
def test_api_staff_search_and_filters_with_a_nul_answer_the_error_body(staff_user, query):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=staff_user)}")
    response = client.get("/api/v1/backoffice/orders/", query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {
        "code": "null_character",
        "detail": DETAIL_EN,
        "fields": {name: [FIELD_EN] for name in query if "\x00" in query[name]},
    }


@pytest.mark.parametrize(
    "path",
    ["/api/v1/orders/", "/api/v1/points/entries/", "/api/v1/coupons/", "/api/v1/rewards/", "/api/v1/vehicles/",
     "/api/v1/loans/", "/api/v1/inbox/", "/api/v1/catalog/models/", "/api/v1/catalog/plans/", "/api/v1/stores/"],
)  # fmt: skip
def test_api_lists_with_a_nul_in_the_query_answer_the_error_body(member_client, path):
    response = member_client.get(path, {"page": "1\x00", "trim": "\x00"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "null_character"
    assert body["detail"] == DETAIL_ZH
    assert sorted(body["fields"]) == ["page", "trim"]


def test_api_json_body_with_a_nul_is_refused_and_changes_nothing(member_client, member):
    before = Member.objects.values().get(pk=member.pk)
    response = member_client.patch(
        "/api/v1/me/", json.dumps({"name": "王\x00五", "city": "深圳"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "null_character"
    assert response.json()["fields"] == {"name": ["请删除此值中的空字符（\\0）。"]}
    assert Member.objects.values().get(pk=member.pk) == before


def test_api_json_key_with_a_nul_is_refused_and_saves_nothing(member_client, member):
    response = member_client.put(
        "/api/v1/preferences/", json.dumps({"marketing\x00": {"sms": False}}), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"marketing": ["请删除此值中的空字符（\\0）。"]}
    assert not Preference.objects.filter(user=member.user).exists()


def test_api_form_body_with_a_nul_is_refused_and_sends_nothing(api_client, sms_outbox):
    response = api_client.post("/api/v1/auth/otp/", {"phone": "138\x0000138000"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "null_character"
    assert not SignInCode.objects.exists()
    assert sms_outbox.messages == []


def test_an_uploaded_file_may_hold_nul_bytes(cast):
    """Files are bytes: a PNG is full of NUL bytes and is accepted; only text fields are checked."""
    from tests.orders.cast import png_upload

    order = cast.new_order()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=cast.member_user)}")
    response = client.post(
        f"/api/v1/orders/{order.pk}/documents/", {"kind": "id_front", "file": png_upload()}, format="multipart"
    )
    assert response.status_code == 201
    assert order.documents.count() == 1


@pytest.mark.parametrize("path", ["/", "/me/", "/api/v1/me/", "/admin/", "/backoffice/"])
def test_a_session_cookie_with_a_nul_is_dropped_not_a_server_error(path):
    """A forged session id with an escaped NUL would reach the session table; the request goes on without it."""
    client = Client(raise_request_exception=False)
    response = client.get(path, HTTP_COOKIE='sessionid="abcdefgh\\000ijklmnop"')
    assert response.status_code in (200, 302, 401)
    assert response.status_code == Client().get(path).status_code


def test_a_nul_in_another_cookie_is_dropped_too(member):
    client = Client()
    client.force_login(member.user)
    session = client.cookies["sessionid"].value
    response = client.get("/me/", HTTP_COOKIE=f'sessionid={session}; django_language="en\\000"')
    assert response.status_code == 200
    assert response.wsgi_request.user == member.user
