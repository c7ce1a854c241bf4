"""What follows a member's own steps once they have committed: the welcome message. A subscriber of
``member.registered`` (settings.DOMAIN_EVENT_SUBSCRIBERS), idempotent by its outbox key."""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.selectors import get_member_by_id
from notifications.catalog import language_of, render, resolve_text
from notifications.models import Category, Channel
from notifications.services import queue_notification


def send_welcome(event) -> None:
    """Welcome a new member at once: in the inbox immediately, the SMS as soon as quiet hours allow — always within
    24 hours of signing up. The key is the daily welcome rule's, so the member is welcomed once either way."""
    member = get_member_by_id(member_id=event.payload["member_id"])
    if member is None or not member.user.is_active:
        return
    language = language_of(member.user)
    with translation.override(language):
        context = {"name": member.name or _("Dear member")}
        for channel in (Channel.INBOX, Channel.SMS):
            subject, body = resolve_text(event="member.welcome", channel=channel, language=language)
            queue_notification(
                recipient_id=member.user_id, event="member.welcome", subject=render(subject, context),
                body=render(body, context), dedupe_key=f"member.welcome:{member.pk}", channels=[channel],
                category=Category.SERVICE, link="/me/", send_after=timezone.now(),
            )  # fmt: skip
