"""notifications_render, the PostgreSQL twin of notifications.catalog.render used by the database functions that
write in-app messages (notifications/sql/queue_inbox.sql): for every text an operator can save, the same result."""

import pytest
from django.db import connection

from notifications.catalog import render

pytestmark = pytest.mark.django_db

CONTEXT = {"reason": "完成实名认证", "points": "100", "balance": "350"}


def render_in_database(text: str, context: dict) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT notifications_render(%s, %s::text[], %s::text[])", [text, list(context), list(context.values())]
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    "text",
    [
        "{reason}: +{points} points. Your balance is {balance}.",
        "{reason}：+{points} 积分，当前余额 {balance} 积分。",
        "",
        "no placeholders at all",
        "{{literal braces}} around {points}",
        "{points}{points}{balance}",
        "{missing} is left empty",
    ],
)
def test_the_database_renders_like_python(text):
    assert render_in_database(text, CONTEXT) == render(text, CONTEXT)


def test_values_with_braces_are_not_filled_in_again():
    context = {**CONTEXT, "reason": "活动 {balance} {{x}}"}
    text = "{reason}: +{points}"
    assert render_in_database(text, context) == render(text, context) == "活动 {balance} {{x}}: +100"


def test_a_missing_value_is_empty():
    context = {"reason": None, "points": "5"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT notifications_render('{reason}+{points}', ARRAY['reason', 'points'], %s::text[])", [[None, "5"]]
        )
        assert cursor.fetchone()[0] == render("{reason}+{points}", context) == "+5"
