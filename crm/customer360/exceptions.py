from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError


class MemberNotFound(DomainError):
    """Someone else's member is "not found", never "forbidden": staff learn nothing about other stores."""

    code = "not_found"
    status_code = 404
    default_message = _("Not found.")
