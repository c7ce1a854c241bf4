from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError


class RescueNotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("No such rescue request.")


class InvalidRescueVehicle(DomainError):
    code = "invalid_vehicle"
    field = "vehicle"
    default_message = _("Please choose one of your own cars.")


class InvalidRescueLocation(DomainError):
    code = "invalid_location"
    field = "location"
    default_message = _("Please tell us where you are, or allow the browser to share your location.")


class InvalidRescueStore(DomainError):
    code = "invalid_store"
    field = "store"
    default_message = _("There is no open store with this code.")


class RescueAlreadyOpen(DomainError):
    code = "rescue_open"
    status_code = 409
    default_message = _("Help for this car is already on its way. We will keep you posted.")


class RescueStepNotAllowed(DomainError):
    code = "transition_not_allowed"
    status_code = 409
    default_message = _("This step is not possible in the rescue's current status.")


class RescueNotCancellable(DomainError):
    code = "rescue_not_cancellable"
    status_code = 409
    default_message = _("Help has already arrived, so the request can no longer be cancelled.")


class UnknownRescueStep(DomainError):
    code = "unknown_transition"
    status_code = 404
    default_message = _("There is no such step.")


class RescueRoleNotAllowed(DomainError):
    code = "permission_denied"
    status_code = 403
    default_message = _("Your role may not move rescue requests.")
