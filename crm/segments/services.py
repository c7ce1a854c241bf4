"""Writes of segments: the nightly computation (crm.segments.compute) and staff tags set by hand."""

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from crm.segments.compute import SegmentRun, compute_segments
from crm.segments.enums import TagSource
from crm.segments.exceptions import MemberNotFound, SegmentRequired, TagIsComputed, TagNotFound
from crm.segments.models import MemberTag, Tag
from crm.segments.selectors import SegmentFilters, filter_members
from members.selectors import members_visible_to
from staff_tasks.bulk import OPTED_OUT_OF_CALLS
from staff_tasks.enums import SubjectType, TaskStatus
from staff_tasks.exceptions import SendToStoresNotAllowed
from staff_tasks.services import can_send_to_stores

__all__ = ["SegmentRun", "add_staff_tag", "compute_segments", "remove_staff_tag", "send_tasks_to_segment"]


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


@transaction.atomic
def send_tasks_to_segment(
    *, actor, filters: SegmentFilters, kind: str, title: str, due_at, batch_key: str, script: str = ""
) -> int:
    """Head office's fan-out to a segment ("invite the gold owners in 深圳 to the owners' event"): one task per
    member of the segment, for the member's store, set-based. Members who switched calls off get none; the same
    ``batch_key`` again opens nothing more. Returns how many tasks were opened."""
    if not can_send_to_stores(user=actor):
        raise SendToStoresNotAllowed
    if filters.is_empty:
        raise SegmentRequired
    members = filter_members(members_visible_to(user=actor).filter(user__is_active=True), filters)
    source_sql, source_params = (
        members.order_by().values(member_id=F("pk"), store_id=F("preferred_store_id")).query.sql_with_params()
    )
    now = timezone.now()
    sql = f"""
        INSERT INTO staff_tasks_task (
            kind, title, status, store_id, member_id, subject_type, subject_id, contact_name, contact_phone,
            due_at, script, outcome, note, created_by_id, dedupe_key, created_at, updated_at
        )
        SELECT %s, %s, %s, source.store_id, source.member_id, %s, source.member_id, '', '', %s, %s, '', '', %s,
               %s || CAST(source.member_id AS TEXT), %s, %s
        FROM ({source_sql}) AS source
        WHERE NOT {OPTED_OUT_OF_CALLS}
        ON CONFLICT (dedupe_key) DO NOTHING
    """  # noqa: S608  (the queryset's own SQL; every value is a parameter)
    params = [
        kind, title[:200], TaskStatus.OPEN, SubjectType.MEMBER, due_at, script, actor.pk, f"segment:{batch_key}:",
        now, now, *source_params,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)
