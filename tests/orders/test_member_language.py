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


def test_set_based_reminders_and_the_welcome_follow_each_members_language(cast, django_capture_on_commit_callbacks):
    """The birthday greeting is one INSERT … SELECT for everyone born that day: each row is in its reader's language."""
    import datetime

    from crm.services import run_reminders
    from domain_events.services import record_event
    from tests.members.factories import MemberFactory

    english = MemberFactory(birthday=datetime.date(1990, 12, 5), name="Alex")
    english.user.language = "en"
    english.user.save(update_fields=["language"])
    chinese = MemberFactory(birthday=datetime.date(1991, 12, 5), name="王芳")

    run_reminders(day=datetime.date(2026, 12, 5))

    greeting = {
        member.pk: Notification.objects.get(recipient=member.user, event="member.birthday", channel="inbox").subject
        for member in (english, chinese)
    }
    assert greeting[english.pk].isascii()
    assert not greeting[chinese.pk].isascii()

    with django_capture_on_commit_callbacks(execute=True):
        record_event(name="member.registered", payload={"member_id": english.pk})
    welcome = Notification.objects.get(recipient=english.user, event="member.welcome", channel="inbox")
    assert welcome.body.isascii()
