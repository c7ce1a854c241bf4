from django.db.models import QuerySet

from notifications.models import Channel, Notification


def list_inbox(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, channel=Channel.INBOX).order_by("-created_at")


def count_unread(*, user) -> int:
    return list_inbox(user=user).filter(read_at__isnull=True).count()
