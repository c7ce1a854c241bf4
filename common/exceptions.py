"""The base of every domain error: a stable machine code, an HTTP status, a translatable message."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """An error a user can cause. The API maps it to ``{"code", "detail"}``; pages show ``message``."""

    code: str = "domain_error"
    status_code: int = 400
    default_message: str | Promise = _("The request could not be completed.")
    # The input field the error belongs to, when there is one; the API lists it under "fields".
    field: str | None = None
    # More members of the API's error body, for a client to act on (e.g. the id of the conflicting object).
    extra: dict | None = None

    def __init__(self, message: str | Promise | None = None, *, field: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        if field is not None:
            self.field = field
        super().__init__(str(self.message))
