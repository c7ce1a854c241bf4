"""Everything under /api/ answers the JSON error body, also where DRF does not run: an unknown path, a request
Django itself refuses, a crash. Pages elsewhere keep their HTML."""

import json

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from rest_framework.test import APIClient

from config.views import permission_denied, server_error
from members.services import issue_access_token
from tests.orders.cast import PNG

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/no-such-thing/"),
        ("get", "/api/v1/orders/abc/"),
        ("get", "/api/v2/orders/"),
        ("get", "/api/"),
        ("post", "/api/v1/no-such-thing/"),
        ("delete", "/api/v1/me/referrals/extra/"),
    ],
)
def test_an_unknown_api_path_answers_the_json_error_body(method, path):
    response = getattr(Client(), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "未找到相关内容。"}


def test_the_json_404_speaks_english_when_asked():
    response = Client().get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_an_unknown_page_outside_the_api_stays_html():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_the_endpoint_does_not_take_answers_the_json_error_body(member_client):
    response = member_client.delete("/api/v1/orders/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 405
    assert response.json() == {"code": "method_not_allowed", "detail": 'Method "DELETE" not allowed.'}


def test_a_request_django_refuses_answers_the_json_error_body_under_the_api():
    response = Client().get("/api/v1/stores/", HTTP_HOST="attacker.example", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "detail": "The request is not valid."}


def test_a_request_django_refuses_stays_html_outside_the_api():
    response = Client().get("/cars/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_crash_under_the_api_answers_json_and_a_page_elsewhere():
    with translation.override("en"):
        api = server_error(RequestFactory().get("/api/v1/orders/"))
    assert api.status_code == 500
    assert api["Content-Type"] == "application/json"
    assert json.loads(api.content) == {
        "code": "server_error",
        "detail": "Something went wrong on our side. Please try again in a moment.",
    }
    page = server_error(RequestFactory().get("/me/"))
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")


def test_a_permission_denied_outside_drf_answers_json_under_the_api():
    with translation.override("en"):
        response = permission_denied(RequestFactory().get("/api/v1/orders/"), PermissionError())
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "code": "permission_denied",
        "detail": "You do not have permission to perform this action.",
    }


@pytest.mark.parametrize("accept", ["image/png", "application/pdf", "image/*", "*/*", "application/json"])
def test_a_document_downloads_whatever_accept_asks_for_and_its_errors_stay_json(cast, accept):
    order = cast.advance(cast.new_order(), "submitted")
    document = cast.upload(order, "id_front")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=cast.member_user)}")
    found = client.get(f"/api/v1/orders/{order.pk}/documents/{document.pk}/file/", HTTP_ACCEPT=accept)
    assert found.status_code == 200
    assert found["Content-Type"] == "image/png"
    assert b"".join(found.streaming_content) == PNG
    missing = client.get(f"/api/v1/orders/{order.pk}/documents/{document.pk + 1000}/file/", HTTP_ACCEPT=accept)
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    assert missing.json()["code"] == "not_found"
