from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError


class EventNotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("Not found.")


class EventClosed(DomainError):
    code = "event_closed"
    status_code = 409
    default_message = _("This event has already taken place; registration is closed.")


class NotRegistered(DomainError):
    code = "not_registered"
    status_code = 409
    default_message = _("You are not registered for this event.")


class CheckInNotPossible(DomainError):
    code = "check_in_not_possible"
    status_code = 409
    default_message = _("Only a member holding a place can be checked in (not a cancelled or waiting registration).")


class EmptyInvitationSegment(DomainError):
    code = "empty_segment"
    default_message = _("No member matches these filters. Widen them.")
