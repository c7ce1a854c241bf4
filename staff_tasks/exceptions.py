from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError


class TaskNotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("This task does not exist.")


class TaskClosed(DomainError):
    code = "task_closed"
    status_code = 409
    default_message = _("This task is already closed.")


class InvalidOutcome(DomainError):
    code = "invalid_outcome"
    status_code = 400
    field = "outcome"
    default_message = _("Choose one of the listed outcomes.")


class AssignNotAllowed(DomainError):
    code = "permission_denied"
    status_code = 403
    default_message = _("Only store managers and head office can assign tasks.")


class InvalidAssignee(DomainError):
    code = "invalid_assignee"
    status_code = 400
    field = "assignee"
    default_message = _("The assignee must be an active staff member of the task's store.")


class InvalidNextContact(DomainError):
    code = "invalid_next_contact"
    status_code = 400
    field = "next_contact_at"
    default_message = _("The next contact time must be in the future.")
