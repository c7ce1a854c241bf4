from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError


class ComplaintNotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("Not found.")


class UnknownTransition(DomainError):
    code = "unknown_transition"
    status_code = 404
    default_message = _("There is no such step.")


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"
    status_code = 409
    default_message = _("This step is not possible in the complaint's current state. Please reload the page.")


class TransitionForbidden(DomainError):
    code = "permission_denied"
    status_code = 403
    default_message = _("You may not take this step on this complaint.")


class NoteRequired(DomainError):
    code = "note_required"
    field = "note"
    default_message = _("Please write a note for this step.")


class RootCauseRequired(DomainError):
    code = "root_cause_required"
    field = "root_cause"
    default_message = _(
        "A serious or major complaint is closed only with its root cause and what will prevent it happening again."
    )


class InvalidComplaintSubject(DomainError):
    code = "invalid_choice"
    default_message = _("This application or car is not yours.")


class InvalidPhoto(DomainError):
    code = "invalid_photo"
    field = "photos"
    default_message = _("Please upload JPEG or PNG photos of at most 5 MB each, up to 6 photos.")


class ComplaintNotClosed(DomainError):
    code = "complaint_not_closed"
    status_code = 409
    default_message = _("You can rate the handling once the complaint is closed.")


class AlreadyRated(DomainError):
    code = "already_rated"
    status_code = 409
    default_message = _("You have already rated this complaint. Thank you!")


class InvalidRating(DomainError):
    code = "invalid"
    field = "score"
    default_message = _("Please give a score from 1 to 5.")


class ClockAlreadyPaused(DomainError):
    code = "clock_already_paused"
    status_code = 409
    default_message = _("The clock of this complaint is already paused.")


class ClockNotPaused(DomainError):
    code = "clock_not_paused"
    status_code = 409
    default_message = _("The clock of this complaint is running.")


class PauseReasonRequired(DomainError):
    code = "reason_required"
    field = "reason"
    default_message = _("Please say what we are waiting for from the member.")
