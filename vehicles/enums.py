from django.db import models
from django.utils.translation import gettext_lazy as _


class BodyType(models.TextChoices):
    SEDAN = "sedan", _("Sedan")
    SUV = "suv", _("SUV")
    MPV = "mpv", _("MPV")
    HATCHBACK = "hatchback", _("Hatchback")


class Energy(models.TextChoices):
    PETROL = "petrol", _("Petrol")
    HYBRID = "hybrid", _("Hybrid")
    ELECTRIC = "electric", _("Electric")


class UnitStatus(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    RESERVED = "reserved", _("Reserved for an order")
    DELIVERED = "delivered", _("Delivered")


class RecordSource(models.TextChoices):
    """Who entered an insurance policy or an inspection."""

    STAFF = "staff", _("Staff")
    MEMBER = "member", _("Member")
    DEALER_SYSTEM = "dealer_system", _("Dealer system")


class InspectionResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class AftermarketKind(models.TextChoices):
    CAR_WASH = "car_wash", _("Car wash")
    MAINTENANCE_PACKAGE = "maintenance_package", _("Maintenance package")
    TYRES = "tyres", _("Tyres")
    INSURANCE_QUOTE = "insurance_quote", _("Insurance quote")


class AftermarketBookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed by the partner")
