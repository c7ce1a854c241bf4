"""Reactions to domain events (subscribers in settings.DOMAIN_EVENT_SUBSCRIBERS); each is idempotent."""

from crm.care.complaints.services import file_complaint_from_sms_reply


def open_complaint_from_sms(event) -> None:
    """An SMS reply with a complaint keyword from a member's phone opens one complaint per message."""
    payload = event.payload
    file_complaint_from_sms_reply(
        phone=payload["phone"], body=payload["body"], message_sid=payload.get("message_sid") or f"event-{event.pk}"
    )
