from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError


class InvalidPreference(DomainError):
    code = "invalid_preference"
    default_message = _("This notification setting is not possible.")


class MessageNotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("Not found.")
