"""The language a member picks on the site is remembered, and their messages are written in it."""

import pytest

from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_switch_remembers_the_language_and_messages_follow_it(cast, client):
    client.force_login(cast.member_user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/me/"})
    assert response.status_code == 302
    cast.member_user.refresh_from_db()
    assert cast.member_user.language == "en"

    cast.advance(cast.new_order(), "submitted")
    message = Notification.objects.get(recipient=cast.member_user, event="order.submitted", channel="inbox")
    assert message.subject == "Application received"

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/me/"})
    cast.member_user.refresh_from_db()
    assert cast.member_user.language == "zh-hans"


def test_an_unknown_language_changes_nothing(cast, client):
    client.force_login(cast.member_user)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/me/"})
    cast.member_user.refresh_from_db()
    assert cast.member_user.language == ""
