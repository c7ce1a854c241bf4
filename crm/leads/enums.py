from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LeadChannel(models.TextChoices):
    """Where an enquiry came from."""

    WEB_QUICK_SUBMIT = "web_quick_submit", _("Quick submit on the website")
    PARTNER = "partner", _("Partner")
    CALL_CENTER = "call_center", _("Call center")
    STORE = "store", _("Store walk-in")


class LeadStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("lead status", "New")
    CONTACTING = "contacting", pgettext_lazy("lead status", "Contacting")
    INTERESTED = "interested", pgettext_lazy("lead status", "Interested")
    NOT_INTERESTED = "not_interested", pgettext_lazy("lead status", "Not interested")
    UNREACHED = "unreached", pgettext_lazy("lead status", "Not reached")
    INVALID = "invalid", pgettext_lazy("lead status", "Invalid")
    CONVERTED = "converted", pgettext_lazy("lead status", "Converted")


# A closed lead is finished with: a new enquiry from its phone opens a new lead. At most one lead per phone is open
# (a partial unique index). "Not reached" stays open: the phone is still worth calling, and a repeat enquiry from it
# belongs to the same lead.
CLOSED_STATUSES = (LeadStatus.CONVERTED, LeadStatus.INVALID, LeadStatus.NOT_INTERESTED)
OPEN_STATUSES = tuple(status for status in LeadStatus if status not in CLOSED_STATUSES)


class ContactOutcome(models.TextChoices):
    REACHED_INTERESTED = "reached_interested", _("Reached, interested")
    REACHED_NOT_INTERESTED = "reached_not_interested", _("Reached, not interested")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    POWERED_OFF = "powered_off", _("Phone switched off")
    INVALID_NUMBER = "invalid_number", _("Number not in service")
    CALLBACK_REQUESTED = "callback_requested", _("Asked to be called back")
    WRONG_PERSON = "wrong_person", _("Wrong person")


class LeadLostReason(models.TextChoices):
    """Why a reached lead declined: a code the acquisition funnel counts (the note keeps the details)."""

    PRICE = "price", _("Price or finance terms")
    NOT_BUYING_NOW = "not_buying_now", _("Not buying now")
    BOUGHT_ELSEWHERE = "bought_elsewhere", _("Bought elsewhere")
    MODEL_NOT_OFFERED = "model_not_offered", _("Model not offered")
    CREDIT_CONCERNS = "credit_concerns", _("Worried about the credit check")
    OTHER = "other", _("Other")


# What a contact attempt does to the lead's status (documented in docs/architecture.md "Leads").
STATUS_AFTER_OUTCOME = {
    ContactOutcome.REACHED_INTERESTED: LeadStatus.INTERESTED,
    ContactOutcome.REACHED_NOT_INTERESTED: LeadStatus.NOT_INTERESTED,
    ContactOutcome.NO_ANSWER: LeadStatus.UNREACHED,
    ContactOutcome.BUSY: LeadStatus.UNREACHED,
    ContactOutcome.POWERED_OFF: LeadStatus.UNREACHED,
    ContactOutcome.INVALID_NUMBER: LeadStatus.INVALID,
    ContactOutcome.CALLBACK_REQUESTED: LeadStatus.CONTACTING,
    ContactOutcome.WRONG_PERSON: LeadStatus.INVALID,
}

# Outcomes after which the lead's phone gets an SMS (the event of the message catalog), once per outcome per lead.
SMS_EVENT_AFTER_OUTCOME = {
    ContactOutcome.NO_ANSWER: "lead.no_answer",
    ContactOutcome.BUSY: "lead.busy",
    ContactOutcome.POWERED_OFF: "lead.powered_off",
    ContactOutcome.REACHED_NOT_INTERESTED: "lead.not_interested",
}
