from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    CAR_CLUB = "car_club", _("Car club gathering")
    TEST_DRIVE = "test_drive", _("Test drive")
    OWNER_CLASS = "owner_class", _("Owner class")


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")


# A registration that holds (or waits for) a place; a member has at most one of these per event.
ACTIVE_STATUSES = [RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED, RegistrationStatus.ATTENDED]
