from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError


class TooManyLeadSubmits(DomainError):
    code = "too_many_requests"
    status_code = 429
    default_message = _("Too many enquiries from this address. Please try again in an hour.")


class InvalidLeadInput(DomainError):
    code = "invalid_lead"
    default_message = _("Please check the details of the enquiry.")


class LeadNotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("No such lead.")


class LeadClosed(DomainError):
    code = "lead_closed"
    status_code = 409
    default_message = _("This lead is closed (converted, invalid or not interested); it takes no more contacts.")


class PartnerKeyRevoked(DomainError):
    code = "api_key_revoked"
    status_code = 403
    default_message = _("This API key has been revoked. Please ask us for a new one.")


class InvalidAssignee(DomainError):
    code = "invalid_assignee"
    field = "assignee"
    default_message = _("This person cannot take leads of this store.")


class TeamFull(DomainError):
    code = "team_full"
    status_code = 409
    default_message = _("Every agent of this team has reached today's lead limit.")


class PhoneAlreadyMember(DomainError):
    code = "already_member"
    status_code = 409
    default_message = _("This phone number belongs to a staff account and cannot be registered as a member.")


class AssignNotAllowed(DomainError):
    code = "permission_denied"
    status_code = 403
    default_message = _("Only store managers and head office hand leads to someone.")
