from django.db import models
from django.utils.translation import gettext_lazy as _


class AppointmentKind(models.TextChoices):
    MAINTENANCE = "maintenance", _("Maintenance")
    REPAIR = "repair", _("Repair")
    INSPECTION = "inspection", _("Annual inspection")
    INSURANCE = "insurance", _("Insurance")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CONFIRMED = "confirmed", _("Confirmed")
    VISITED = "visited", _("Visited")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", _("Cancelled")


# Bookings that hold a place in their slot.
HOLDING_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)
