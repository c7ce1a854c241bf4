"""The messages part of a member's data, and erasing them when the account closes."""

from notifications.models import Notification, Preference
from notifications.selectors import list_inbox


def messages_section(*, member) -> list[dict]:
    return [
        {
            "subject": message.subject,
            "body": message.body,
            "created_at": message.created_at.isoformat(),
            "read_at": message.read_at.isoformat() if message.read_at else None,
        }
        for message in list_inbox(user=member.user)
    ]


def erase_messages(*, member) -> None:
    """Messages carry names, plates and amounts; none is a loan record. Unsent SMS and e-mail go with them."""
    Notification.objects.filter(recipient_id=member.user_id).delete()
    Preference.objects.filter(user_id=member.user_id).delete()
