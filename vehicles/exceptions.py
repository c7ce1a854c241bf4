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


class InvalidPolicyDates(DomainError):
    code = "invalid_policy_dates"
    field = "ends_on"
    default_message = _("The policy must end after it starts, and run for at most three years.")


class PolicyNumberTaken(DomainError):
    code = "policy_number_taken"
    status_code = 409
    field = "policy_number"
    default_message = _("This insurer's policy number is already recorded for another car.")


class InspectionInFuture(DomainError):
    code = "inspection_in_future"
    field = "inspected_on"
    default_message = _("An inspection can only be recorded once it has taken place.")


class ProviderUnavailable(DomainError):
    code = "provider_unavailable"
    status_code = 503
    default_message = _("The service cannot be reached right now. Please try again in a few minutes.")


class NotYourVehicle(DomainError):
    code = "not_your_vehicle"
    field = "vehicle"
    default_message = _("Please choose one of your own cars.")


class UnknownAftermarketService(DomainError):
    code = "unknown_service"
    field = "service"
    default_message = _("This service is not offered. Please choose one from the list.")


class InvalidBookingDate(DomainError):
    code = "invalid_booking_date"
    field = "date"
    default_message = _("Please choose a date from today up to 60 days ahead.")


class MileageTooHigh(DomainError):
    code = "mileage_too_high"
    field = "mileage"
    default_message = _("A car's mileage cannot be above 2,000,000 km. Please check the number you entered.")


class DownPaymentOutOfRange(DomainError):
    code = "down_payment_out_of_range"
    field = "down_payment"
    default_message = _("This down payment is not offered with this plan.")


class TermNotOffered(DomainError):
    code = "term_not_offered"
    field = "term_months"
    default_message = _("This term is not offered with this plan.")
