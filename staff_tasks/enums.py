from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TaskKind(models.TextChoices):
    LEAD_FOLLOW_UP = "lead_follow_up", _("Lead follow-up")
    THREE_DAY_CALL = "three_day_call", _("3-day call after handover")
    RETURN_VISIT = "return_visit", _("Return visit")
    COLLECTION_CALL = "collection_call", _("Repayment collection call")
    CHURN_RECALL = "churn_recall", _("Churn recall")
    COMPLAINT_FOLLOW_UP = "complaint_follow_up", _("Complaint follow-up")
    SURVEY_FOLLOW_UP = "survey_follow_up", _("Survey follow-up")
    INVITATION = "invitation", _("Invitation")
    TAGGING = "tagging", _("Tagging")
    CUSTOM = "custom", _("Other")


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task status", "To do")
    DONE = "done", pgettext_lazy("task status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("task status", "Cancelled")


class TaskOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Line busy")
    POWERED_OFF = "powered_off", _("Phone switched off")
    INVALID_NUMBER = "invalid_number", _("Invalid number")
    CALLBACK_REQUESTED = "callback_requested", _("Asked to be called back")
    WRONG_PERSON = "wrong_person", _("Wrong person")
    REFUSED = "refused", _("Refused")


# Outcomes after which the same task is worth trying again later (the person was not reached, or asked for it).
RETRY_OUTCOMES = (
    TaskOutcome.NO_ANSWER,
    TaskOutcome.BUSY,
    TaskOutcome.POWERED_OFF,
    TaskOutcome.CALLBACK_REQUESTED,
)


class SubjectType(models.TextChoices):
    MEMBER = "member", _("Member")
    ORDER = "order", _("Application")
    VEHICLE = "vehicle", _("Car")
    LEAD = "lead", _("Lead")
    COMPLAINT = "complaint", _("Complaint")
    INSTALLMENT = "installment", _("Installment")


class RuleTrigger(models.TextChoices):
    """What a rule counts its days from."""

    HANDOVER = "handover", _("Days after the car's handover")
    OWNER_QUARTERLY = "owner_quarterly", _("Every N days of ownership")
    INSTALLMENT_OVERDUE = "installment_overdue", _("Days after an unpaid installment's due date")
    LEAD_CONTACT = "lead_contact", _("A lead's next contact time")
    CHURN = "churn", _("A member at risk of leaving")
    MODEL_CHANGE = "model_change", _("An application's model change")
