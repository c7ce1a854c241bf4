from django.db.models import QuerySet

from members.selectors import members_visible_to, rows_of_visible_member, sees_all_stores
from notifications.models import SWITCHABLE_CHANNELS, Category, Channel, Notification, Preference


def list_inbox(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, channel=Channel.INBOX).order_by("-created_at")


def count_unread(*, user) -> int:
    return list_inbox(user=user).filter(read_at__isnull=True).count()


def get_preferences(*, user) -> dict:
    """Every category with its switchable channels, on unless the member switched it off; and ``calls``: whether
    staff may phone the member (care calls, return visits, invitations)."""
    stored = {(row.category, row.channel): row.is_enabled for row in Preference.objects.filter(user=user)}
    preferences = {
        category: {channel: stored.get((category, channel), True) for channel in SWITCHABLE_CHANNELS}
        for category in Category.values
    }
    preferences["calls"] = all(is_enabled for (_category, channel), is_enabled in stored.items() if channel == "call")
    return preferences


def get_inbox_message(*, user, message_id: int):
    return list_inbox(user=user).filter(pk=message_id).first()


def unread_count_for_request(request) -> int:
    """``count_unread`` for the signed-in user, computed once per request (header badge and dashboard share it)."""
    if not hasattr(request, "_unread_messages"):
        request._unread_messages = count_unread(user=request.user)
    return request._unread_messages


# Whom a staff account may see (members.selectors): messages and calls follow the member they are for.


def notifications_visible_to(*, user, member=None) -> QuerySet[Notification]:
    """``member``: only that member's rows (a member from ``member_visible_to`` needs no second check)."""
    if member is not None:
        return Notification.objects.filter(rows_of_visible_member(user=user, member=member, field="recipient__member"))
    if sees_all_stores(user=user):
        return Notification.objects.all()
    return Notification.objects.filter(recipient__member__in=members_visible_to(user=user))


def has_switched_off_calls(*, user_id: int) -> bool:
    """The member asked not to be phoned (a "call" preference that is off, for any category)."""
    return Preference.objects.filter(user_id=user_id, channel=Channel.CALL, is_enabled=False).exists()
