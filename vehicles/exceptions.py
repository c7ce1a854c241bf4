from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError


class NoVehicleInStock(DomainError):
    code = "no_vehicle_in_stock"
    status_code = 409
    default_message = _("There is no car of this trim in stock at this store. The member can wait for one.")


class VehicleUnitUnavailable(DomainError):
    code = "vehicle_unit_unavailable"
    status_code = 409
    field = "vin"
    default_message = _("This car is not available: it is reserved, delivered, of another trim or in another store.")


class InvalidPlate(DomainError):
    code = "invalid_plate"
    field = "plate"
    default_message = _("Please enter a valid licence plate, for example 粤B·16888.")


class MileageCannotDecrease(DomainError):
    code = "mileage_cannot_decrease"
    field = "mileage"
    default_message = _("The mileage cannot go down. Please check the number on your dashboard.")


class VehicleNotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("Not found.")


class MileageTooHigh(DomainError):
    code = "mileage_too_high"
    field = "mileage"
    default_message = _("A car's mileage cannot be above 2,000,000 km. Please check the number you entered.")
