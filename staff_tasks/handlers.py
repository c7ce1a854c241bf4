"""Tasks that follow events once they have committed (subscribers in settings.DOMAIN_EVENT_SUBSCRIBERS)."""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.selectors import get_member_by_phone
from notifications.services import sms_reply_names_a_complaint
from staff_tasks.enums import SubjectType, TaskKind
from staff_tasks.services import open_task


def open_call_back_task(event) -> None:
    """An SMS reply (not an opt-out, not a member's complaint) asks for a call: a task due now, for the member's
    store (head office's queue when they have none, or when the number is not a member's). Once per inbound
    message."""
    payload = event.payload
    member = get_member_by_phone(phone=payload["phone"])
    if member is not None and sms_reply_names_a_complaint(payload["body"]):
        # A member's complaint: the complaints subscriber opens a complaint with its own deadlines and queue; a
        # call-back task beside it would have the store answer the same message twice.
        return
    with translation.override(settings.LANGUAGE_CODE):
        who = (member.name or member.real_name) if member is not None else ""
        title = _("SMS reply: call back %(who)s") % {"who": who or payload["phone"]}
        script = _("They replied by SMS: “%(body)s”. Call them back, answer what they asked and note the outcome.") % {
            "body": payload["body"]
        }
    open_task(
        kind=TaskKind.CUSTOM, title=title, script=script, due_at=timezone.now(), member=member,
        store=member.preferred_store if member is not None else None,
        subject_type=SubjectType.MEMBER if member is not None else "", subject_id=member.pk if member else None,
        contact_phone="" if member is not None else payload["phone"],
        dedupe_key=f"sms-reply:{payload['message_sid'] or event.pk}",
    )  # fmt: skip
