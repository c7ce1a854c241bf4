from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError


class TagNotFound(DomainError):
    code = "tag_not_found"
    status_code = 400
    default_message = _("There is no staff tag with this code.")
    field = "tag"


class TagIsComputed(DomainError):
    code = "tag_is_computed"
    status_code = 400
    default_message = _("This tag is computed from the data every night and cannot be set or removed by hand.")
    field = "tag"


class SegmentRequired(DomainError):
    code = "segment_required"
    status_code = 400
    default_message = _("Choose at least one filter: a task for every member is not a segment.")


class MemberNotFound(DomainError):
    code = "member_not_found"
    status_code = 404
    default_message = _("Member not found.")
