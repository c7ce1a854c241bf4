"""Conventions every answer follows (docs/api.md "Conventions")."""

import pytest
from rest_framework.test import APIClient

from members.services import issue_access_token
from orders.enums import OrderState

pytestmark = pytest.mark.django_db


def test_times_in_the_staff_view_carry_the_china_offset_like_everywhere_else(cast, django_capture_on_commit_callbacks):
    """Events and the credit check were rendered by the JSON encoder in UTC ("…Z"), the rest in China time."""
    with django_capture_on_commit_callbacks(execute=True):  # the credit check runs after commit
        order = cast.advance(cast.new_order(), OrderState.UNDER_REVIEW)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=cast.store_staff)}")
    body = client.get(f"/api/v1/backoffice/orders/{order.pk}/").json()
    times = [
        body["created_at"],
        *(entry["at"] for entry in body["timeline"]),
        *(event["at"] for event in body["events"]),
    ]
    assert len(body["events"]) == 3
    assert all(time.endswith("+08:00") for time in times), times
    assert set(body["credit_check"]) == {
        "status", "decision", "score", "attempts", "completed_at", "head_office_override",
    }  # fmt: skip
    assert body["credit_check"]["head_office_override"] is None  # no decline agreed to here
    assert body["credit_check"]["status"] == "completed"
    assert body["credit_check"]["completed_at"].endswith("+08:00")
