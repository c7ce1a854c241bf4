"""Reads of segments, scoped to the requesting staff account through members.selectors."""

import dataclasses
import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from common.baked import baked_rows
from crm.segments.churn import reason_labels
from crm.segments.enums import Lifecycle, Loyalty
from crm.segments.models import LifecycleChange, MemberSegment, MemberTag, Tag, TagGroup, TierChange
from members.models import User
from members.selectors import members_visible_to, sees_all_stores


@dataclasses.dataclass(frozen=True)
class SegmentFilters:
    """How campaigns, task fan-outs and the member list narrow members down; every filter that is set must match."""

    tier: str = ""
    tag: str = ""
    lifecycle: str = ""
    loyalty: str = ""
    store_id: int | None = None
    city: str = ""
    car_model_id: int | None = None
    no_service_since: datetime.date | None = None

    @property
    def is_empty(self) -> bool:
        return not any(dataclasses.astuple(self))


def filter_members(members: QuerySet, filters: SegmentFilters) -> QuerySet:
    """``members`` (a Member queryset) narrowed to the segment; one query when evaluated."""
    if filters.tier:
        members = members.filter(segment__tier=filters.tier)
    if filters.lifecycle:
        members = members.filter(segment__lifecycle=filters.lifecycle)
    if filters.loyalty:
        members = members.filter(segment__loyalty=filters.loyalty)
    if filters.tag:
        members = members.filter(
            Exists(MemberTag.objects.filter(member_id=OuterRef("pk"), tag__code=filters.tag, tag__is_active=True))
        )
    if filters.store_id:
        members = members.filter(preferred_store_id=filters.store_id)
    if filters.city:
        members = members.filter(city=filters.city)
    if filters.car_model_id:
        owners = members.model.objects.filter(vehicles__trim__car_model_id=filters.car_model_id).values("pk")
        members = members.filter(pk__in=owners)
    if filters.no_service_since:
        members = members.filter(
            Q(segment__last_service_on__lt=filters.no_service_since) | Q(segment__last_service_on__isnull=True),
            segment__first_purchase_on__isnull=False,
        )
    return members


def segments_visible_to(*, user) -> QuerySet[MemberSegment]:
    if sees_all_stores(user=user):
        return MemberSegment.objects.all()
    return MemberSegment.objects.filter(member__in=members_visible_to(user=user))


def member_tags_visible_to(*, user) -> QuerySet[MemberTag]:
    if sees_all_stores(user=user):
        return MemberTag.objects.all()
    return MemberTag.objects.filter(member__in=members_visible_to(user=user))


def tier_changes_visible_to(*, user) -> QuerySet[TierChange]:
    if sees_all_stores(user=user):
        return TierChange.objects.all()
    return TierChange.objects.filter(member__in=members_visible_to(user=user))


def lifecycle_changes_visible_to(*, user) -> QuerySet[LifecycleChange]:
    if sees_all_stores(user=user):
        return LifecycleChange.objects.all()
    return LifecycleChange.objects.filter(member__in=members_visible_to(user=user))


def staff_tags() -> QuerySet[Tag]:
    return Tag.objects.filter(kind="staff", is_active=True).select_related("group")


def active_tags() -> QuerySet[Tag]:
    """Every tag in use, system and staff, for choosing a segment (campaigns, invitations)."""
    return Tag.objects.filter(is_active=True).select_related("group")


@dataclasses.dataclass(frozen=True)
class MemberSegmentView:
    """What the 360 view shows of a member's segments."""

    tier: str
    tier_label: str
    loyalty: str
    lifecycle: str
    churn_score: int
    churn_reasons: list[dict]
    tags: list[MemberTag]
    as_of: datetime.date | None

    @property
    def lifecycle_label(self) -> str:
        return Lifecycle(self.lifecycle).label if self.lifecycle in Lifecycle.values else ""

    @property
    def loyalty_label(self) -> str:
        return Loyalty(self.loyalty).label if self.loyalty in Loyalty.values else ""


def member_segment_view(*, user, member) -> MemberSegmentView:
    """The segments of one member the caller already may see (two baked statements, see common.baked)."""
    # An unsaved object from its row: its properties (labels, reason codes) are the model's.
    segment = next(
        (MemberSegment(**row) for row in baked_rows("360.segment", _segment_rows, user=user, member=member)), None
    )
    tags = [_shown_tag(row) for row in baked_rows("360.tags", _tag_rows, user=user, member=member)]
    if segment is None:
        return MemberSegmentView(
            tier=member.tier, tier_label=member.get_tier_display(), loyalty="", lifecycle="", churn_score=0,
            churn_reasons=[], tags=tags, as_of=None,
        )  # fmt: skip
    labels = reason_labels()
    return MemberSegmentView(
        tier=segment.tier, tier_label=segment.get_tier_display(), loyalty=segment.loyalty,
        lifecycle=segment.lifecycle, churn_score=segment.churn_score,
        churn_reasons=[{"code": code, "label": labels.get(code, code)} for code in segment.churn_reason_codes],
        tags=tags, as_of=segment.as_of,
    )  # fmt: skip


def _segment_rows(*, user, member) -> QuerySet:
    return MemberSegment.objects.filter(member=member).values(
        "tier", "loyalty", "lifecycle", "churn_score", "churn_reasons", "as_of"
    )[:1]


def _tag_rows(*, user, member) -> QuerySet:
    # What the view shows of a tag and of the account that added it.
    return (
        MemberTag.objects.filter(member=member)
        .order_by("pk")
        .values(
            "source", "added_at", "tag__code", "tag__name", "tag__group__name", "added_by__username", "added_by__phone"
        )
    )


def _shown_tag(row: dict) -> MemberTag:
    """A member's tag as the view reads it (``tag.group.name``, ``added_by`` named as ``str()`` of an account does),
    built from its row: unsaved objects, never written."""
    added_by = None
    if row["added_by__username"] is not None or row["added_by__phone"] is not None:
        added_by = User(username=row["added_by__username"] or "", phone=row["added_by__phone"])
    tag = Tag(code=row["tag__code"], name=row["tag__name"], group=TagGroup(name=row["tag__group__name"]))
    return MemberTag(source=row["source"], added_at=row["added_at"], tag=tag, added_by=added_by)
