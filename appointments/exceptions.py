from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError


class SlotFull(DomainError):
    code = "slot_full"
    status_code = 409
    field = "slot"
    default_message = _("This time is fully booked. Please choose another time.")


class InvalidSlot(DomainError):
    code = "invalid_slot"
    field = "slot"
    default_message = _("Please choose a time on the hour within the store's opening hours, from tomorrow on.")


class NotYourVehicle(DomainError):
    code = "not_your_vehicle"
    field = "vehicle"
    default_message = _("Please choose one of your own cars.")


class StoreUnavailable(DomainError):
    code = "store_unavailable"
    field = "store"
    default_message = _("This store does not take bookings.")


class AlreadyBooked(DomainError):
    code = "already_booked"
    status_code = 409
    field = "date"
    default_message = _("This car already has a booking on that day.")


class AppointmentNotOpen(DomainError):
    code = "appointment_not_open"
    status_code = 409
    default_message = _("This booking has already been closed.")


class AppointmentNotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("Not found.")
