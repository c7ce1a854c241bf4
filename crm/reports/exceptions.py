from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError


class ReportNotAllowed(DomainError):
    code = "report_not_allowed"
    status_code = 403
    default_message = _("Reports are for head office and store staff.")


class StoreNotVisible(DomainError):
    code = "store_not_visible"
    status_code = 403
    field = "store"
    default_message = _("You may not see this store's figures.")
