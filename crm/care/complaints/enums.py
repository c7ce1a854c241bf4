from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    RECORDED = "recorded", _("Recorded")
    INVESTIGATING = "investigating", _("Investigating")
    SOLUTION_PROPOSED = "solution_proposed", _("Solution proposed")
    MEMBER_NOTIFIED = "member_notified", _("Member notified")
    EXECUTING = "executing", _("Carrying out the solution")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", pgettext_lazy("complaint status", "Closed")
    REOPENED = "reopened", _("Reopened")


OPEN_STATUSES = tuple(status.value for status in ComplaintStatus if status != ComplaintStatus.CLOSED)


class ComplaintCategory(models.TextChoices):
    SALES = "sales", _("Sales")
    FINANCE = "finance", _("Finance and loans")
    VEHICLE_QUALITY = "vehicle_quality", _("Vehicle quality")
    SERVICE = "service", _("After-sales service")
    STAFF_ATTITUDE = "staff_attitude", _("Staff attitude")
    BILLING = "billing", _("Charges and billing")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")
    MAJOR = "major", _("Major")


# Closing one of these needs a root cause and a prevention note (举一反三).
NEEDS_ROOT_CAUSE = (Severity.SERIOUS, Severity.MAJOR)


class SlaStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")


class FiledBy(models.TextChoices):
    MEMBER = "member", _("Member (member center)")
    AGENT = "agent", _("Call center on the member's behalf")
    STORE = "store", _("Store")
    SMS = "sms", _("SMS reply")


class EscalationLevel(models.IntegerChoices):
    NONE = 0, _("Not escalated")
    STORE_MANAGER = 1, _("Store manager")
    HEAD_OFFICE = 2, _("Head office")
