from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    CSAT = "csat", _("Satisfaction (1–5)")
    NPS = "nps", _("Recommendation (0–10)")
    TEXT = "text", _("Free text")


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
# The scale of the scored kinds: (lowest, highest).
SCALES = {QuestionKind.CSAT: (1, 5), QuestionKind.NPS: (0, 10)}


class SurveyTrigger(models.TextChoices):
    """What a questionnaire is sent after (one questionnaire in use per trigger)."""

    DELIVERY = "delivery", _("After a car's handover")
    COMPLAINT_CLOSED = "complaint_closed", _("After a complaint is closed")
    SERVICE_VISIT = "service_visit", _("After a service visit")
    RETURN_VISIT = "return_visit", _("Return-visit call (filled in by the agent)")


class InvitationChannel(models.TextChoices):
    LINK = "link", _("Link by SMS and inbox")
    CALL = "call", _("Return-visit call")
