"""Writes of segments: the nightly computation (crm.segments.compute) and staff tags set by hand."""

from django.db import transaction
from django.utils import timezone

from crm.segments.compute import SegmentRun, compute_segments
from crm.segments.enums import TagSource
from crm.segments.exceptions import MemberNotFound, TagIsComputed, TagNotFound
from crm.segments.models import MemberTag, Tag
from members.selectors import members_visible_to

__all__ = ["SegmentRun", "add_staff_tag", "compute_segments", "remove_staff_tag"]


def _staff_tag(*, code: str) -> Tag:
    tag = Tag.objects.filter(code=code.strip(), is_active=True).first()
    if tag is None:
        raise TagNotFound
    if tag.is_system:
        raise TagIsComputed
    return tag


def _member_visible(*, actor, member_id: int):
    member = members_visible_to(user=actor).filter(pk=member_id).first()
    if member is None or not actor.is_staff:
        raise MemberNotFound
    return member


@transaction.atomic
def add_staff_tag(*, actor, member_id: int, tag_code: str) -> MemberTag:
    """Tag a member by hand; who and when are kept. Tagging again keeps the first author and time."""
    member = _member_visible(actor=actor, member_id=member_id)
    tag = _staff_tag(code=tag_code)
    member_tag, _created = MemberTag.objects.get_or_create(
        member=member, tag=tag,
        defaults={"source": TagSource.STAFF, "added_by": actor, "added_at": timezone.now()},
    )  # fmt: skip
    return member_tag


@transaction.atomic
def remove_staff_tag(*, actor, member_id: int, tag_code: str) -> bool:
    """Remove a staff tag; True when there was one. System tags come and go with the data only."""
    member = _member_visible(actor=actor, member_id=member_id)
    tag = _staff_tag(code=tag_code)
    deleted, _rows = MemberTag.objects.filter(member=member, tag=tag, source=TagSource.STAFF).delete()
    return bool(deleted)
