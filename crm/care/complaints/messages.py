"""What the member reads about their complaint (gentle words, never internal jargon), the messages sent at the
steps that concern them, and the messages to staff when a deadline is missed."""

from django.utils.translation import gettext_lazy as _

from crm.care.complaints.enums import ComplaintStatus as S
from notifications.catalog import EventSpec, register_event
from notifications.models import Category

MEMBER_STATUS_LABELS = {
    S.RECEIVED: _("We have received your feedback"),
    S.RECORDED: _("A specialist is taking care of it"),
    S.INVESTIGATING: _("We are looking into what happened"),
    S.SOLUTION_PROPOSED: _("We are preparing a solution for you"),
    S.MEMBER_NOTIFIED: _("We have told you our proposed solution"),
    S.EXECUTING: _("We are putting the solution into practice"),
    S.FOLLOW_UP: _("We are checking that everything is now fine"),
    S.CLOSED: _("Resolved — thank you for your patience"),
    S.REOPENED: _("We are looking into it again"),
}
PAUSED_LABEL = _("Waiting for a reply from you")

# (subject, body) to the member when the complaint enters a state; the steps staff take among themselves stay quiet.
STEP_MESSAGES = {
    S.RECORDED: (
        _("We are taking care of your feedback"),
        _("Your feedback {number} has been recorded and a specialist is looking after it. We will keep you informed."),
    ),
    S.MEMBER_NOTIFIED: (
        _("Our proposed solution"),
        _("For your feedback {number} we propose: {note} Please reply or call us if anything is unclear."),
    ),
    S.EXECUTING: (
        _("Your solution is under way"),
        _("We are putting the solution for your feedback {number} into practice."),
    ),
    S.CLOSED: (
        _("Your feedback is resolved"),
        _("Your feedback {number} is resolved. Thank you for your patience; please rate how we handled it."),
    ),
    S.REOPENED: (
        _("We are looking into it again"),
        _("Your feedback {number} has been reopened. We are sorry it is not settled yet and will contact you soon."),
    ),
}
# Steps whose message also goes by SMS (the member has to act or may want to answer).
SMS_STATES = {S.MEMBER_NOTIFIED, S.CLOSED}
PAUSED_EVENT = "complaint.waiting_for_member"
ESCALATED_TO_STORE_EVENT = "complaint.escalated_store"
ESCALATED_TO_HEAD_OFFICE_EVENT = "complaint.escalated_head_office"


def register_complaint_events() -> None:
    sample = {"number": "CP20261123000001", "note": "为您免费更换左前门密封条，并赠送一次保养。"}
    for status, (subject, body) in STEP_MESSAGES.items():
        register_event(
            EventSpec(
                code=f"complaint.{status}", category=Category.TRANSACTIONAL, placeholders=("number", "note"),
                sample=sample, subject=lambda subject=subject: subject, body=lambda body=body: body,
            )
        )  # fmt: skip
    register_event(
        EventSpec(
            code=PAUSED_EVENT, category=Category.TRANSACTIONAL, placeholders=("number", "note"), sample=sample,
            subject=lambda: _("We need a little more from you"),
            body=lambda: _("To move on with your feedback {number} we need: {note} Thank you for your help."),
        )
    )  # fmt: skip
    staff_sample = {"number": "CP20261123000001", "store": "深圳福田店", "category": "车辆质量", "due": "11-24 18:00"}
    register_event(
        EventSpec(
            code=ESCALATED_TO_STORE_EVENT, category=Category.TRANSACTIONAL,
            placeholders=("number", "store", "category", "due"), sample=staff_sample,
            subject=lambda: _("Complaint {number} missed its deadline"),
            body=lambda: _(
                "Complaint {number} ({category}) at {store} was due {due} and is overdue. Please take it on today."
            ),
        )
    )  # fmt: skip
    register_event(
        EventSpec(
            code=ESCALATED_TO_HEAD_OFFICE_EVENT, category=Category.TRANSACTIONAL,
            placeholders=("number", "store", "category", "due"), sample=staff_sample,
            subject=lambda: _("Complaint {number} is still overdue"),
            body=lambda: _(
                "Complaint {number} ({category}) at {store} was due {due}; the store manager was told and it is "
                "still open. Please step in."
            ),
        )
    )  # fmt: skip
