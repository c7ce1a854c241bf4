"""The survey invitation: in the inbox at once with its link, the SMS with the link as quiet hours allow
(registered in the message catalog, so operators edit the text in the admin under "Message templates")."""

from django.utils.translation import gettext_lazy as _

from notifications.catalog import EventSpec, register_event
from notifications.models import Category, Channel

INVITATION_EVENT = "survey.invitation"


def register_survey_events() -> None:
    register_event(
        EventSpec(
            code=INVITATION_EVENT,
            category=Category.SERVICE,
            placeholders=("name", "title", "link", "days"),
            sample={"name": "张先生", "title": "提车满意度回访", "link": "https://example.com/s/abc/", "days": "14"},
            subject=lambda: _("{title}: tell us how we did"),
            body=lambda: _(
                "Dear {name}, thank you for choosing us. Would you spare a minute to tell us how we did? Your answers "
                "help us serve you better: {link} (open for {days} days)"
            ),
            channel_bodies={
                Channel.SMS: lambda: _("Dear {name}, how did we do? A one-minute survey: {link} (open for {days} days)")
            },
        )
    )
