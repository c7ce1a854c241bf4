"""Reads of complaints, scoped to the person asking: a member sees their own; store roles their store's; head-office
roles every store's (members.selectors.store_ids_visible_to). Reports are plain rows for pages and exports."""

import datetime
import functools

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from common.baked import baked_rows
from common.choices import choice_label
from crm.care.complaints.enums import OPEN_STATUSES, ComplaintCategory, ComplaintStatus, SlaStatus
from crm.care.complaints.exceptions import ComplaintNotFound
from crm.care.complaints.messages import MEMBER_STATUS_LABELS, PAUSED_LABEL
from crm.care.complaints.models import Complaint, ComplaintEvent
from crm.care.complaints.state_machine import TRANSITION_ACTORS, is_permitted
from members.selectors import store_ids_visible_to

# The member's timeline shows these events (the steps), not internal ones such as escalations.
MEMBER_VISIBLE_TRANSITIONS = {"file", *TRANSITION_ACTORS, "pause", "resume"}


def complaints_visible_to(*, user) -> QuerySet[Complaint]:
    if not user.is_authenticated:
        return Complaint.objects.none()
    if not user.is_staff:
        return Complaint.objects.filter(member__user=user)
    store_ids = store_ids_visible_to(user=user)
    if store_ids is None:
        return Complaint.objects.all()
    return Complaint.objects.filter(store_id__in=store_ids)


def complaint_events_visible_to(*, user) -> QuerySet[ComplaintEvent]:
    return ComplaintEvent.objects.filter(complaint__in=complaints_visible_to(user=user))


def _with_details(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return queryset.select_related("member__user", "store", "order", "vehicle", "rating", "reopens").prefetch_related(
        Prefetch("events", queryset=ComplaintEvent.objects.select_related("actor").order_by("created_at", "pk")),
        "photos",
    )


def get_complaint_for(*, user, complaint_id: int) -> Complaint:
    """The complaint if ``user`` may see it; otherwise "not found", never "forbidden"."""
    complaint = _with_details(complaints_visible_to(user=user)).filter(pk=complaint_id).first()
    if complaint is None:
        raise ComplaintNotFound()
    return complaint


def list_member_complaints(*, user) -> QuerySet[Complaint]:
    return complaints_visible_to(user=user).filter(member__user=user).select_related("rating").order_by("-received_at")


def list_staff_complaints(*, user, status: str = "", sla: str = "", search: str = "") -> QuerySet[Complaint]:
    """The back office's queue, most urgent first: breached, at risk, then by resolution deadline."""
    complaints = complaints_visible_to(user=user).select_related("member__user", "store")
    if status:
        complaints = complaints.filter(status=status)
    if sla:
        complaints = complaints.filter(sla_status=sla)
    if search:
        term = search.strip()
        digits = "".join(character for character in term if character.isdigit())
        condition = Q(number__icontains=term) | Q(member__name__icontains=term)
        if len(digits) >= 4:  # noqa: PLR2004
            condition |= Q(member__user__phone__contains=digits)
        complaints = complaints.filter(condition)
    return complaints.order_by(_urgency(), "resolution_due", "pk")


# The queue's order: what is late first, then what is about to be, then the rest; closed ones last.
URGENCY = [SlaStatus.BREACHED, SlaStatus.AT_RISK, SlaStatus.ON_TRACK, SlaStatus.PAUSED]


def _urgency() -> Case:
    open_first = [
        When(Q(sla_status=value) & ~Q(status=ComplaintStatus.CLOSED), then=Value(rank))
        for rank, value in enumerate(URGENCY)
    ]
    return Case(*open_first, default=Value(len(URGENCY)), output_field=IntegerField()).asc()


def count_by_sla(*, user) -> dict[str, int]:
    rows = complaints_visible_to(user=user).filter(status__in=OPEN_STATUSES).values("sla_status")
    counts = {row["sla_status"]: row["count"] for row in rows.annotate(count=Count("pk")).order_by()}
    return {value: counts.get(value, 0) for value in SlaStatus.values}


def available_transitions_for(*, complaint: Complaint, user) -> list[dict]:
    """The steps ``user`` may take now, with what each needs."""
    steps = []
    for transition in complaint.get_available_status_transitions():
        if not is_permitted(complaint=complaint, user=user, transition_name=transition.name):
            continue
        steps.append({
            "name": transition.name, "target": transition.target, "label": str(transition.custom["label"]),
            "needs_note": transition.custom.get("needs_note", False),
        })  # fmt: skip
    return steps


def member_status_label(complaint: Complaint) -> str:
    if complaint.paused_at is not None and not complaint.is_closed:
        return str(PAUSED_LABEL)
    return str(MEMBER_STATUS_LABELS[ComplaintStatus(complaint.status)])


def member_timeline(complaint: Complaint) -> list[dict]:
    """The steps in gentle words, with the notes meant for the member (the solution, what we wait for)."""
    timeline = []
    for event in complaint.events.all():
        if event.transition not in MEMBER_VISIBLE_TRANSITIONS:
            continue
        if event.transition == "pause":
            label, note = PAUSED_LABEL, event.note
        else:
            label = MEMBER_STATUS_LABELS.get(event.to_status, event.to_status)
            note = event.note if event.transition in {"propose_solution", "notify_member"} else ""
        timeline.append({"status": event.to_status, "label": str(label), "at": event.created_at, "note": note})
    return timeline


def _member_complaint_rows(*, user, member_id: int, limit: int) -> QuerySet:
    return (
        complaints_visible_to(user=user)
        .filter(member_id=member_id)
        .order_by("-received_at", "-pk")
        .values("id", "number", "category", "severity", "status", "sla_status", "received_at")
        .annotate(store=Coalesce(F("store__name"), Value("")))[:limit]
    )


def member_complaint_summaries(*, user, member_id: int, limit: int = 10) -> list[dict]:
    """For the member 360 view: the latest complaints ``user`` may see, with status and SLA. One query."""
    # Plain values, not complaint objects: the 360 view shows a handful of columns.
    rows = baked_rows(
        f"360.complaints.{limit}",
        functools.partial(_member_complaint_rows, limit=limit),
        user=user,
        member_id=member_id,
    )
    return [
        {**row, "category_label": choice_label(ComplaintCategory, row["category"]),
         "status_label": choice_label(ComplaintStatus, row["status"])}
        for row in rows
    ]  # fmt: skip


# Reports ---------------------------------------------------------------------------------------------------------


def _in_period(queryset: QuerySet, *, date_from: datetime.date | None, date_to: datetime.date | None) -> QuerySet:
    if date_from:
        queryset = queryset.filter(received_at__gte=_local_start(date_from))
    if date_to:
        queryset = queryset.filter(received_at__lt=_local_start(date_to + datetime.timedelta(days=1)))
    return queryset


def _local_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _in_stores(queryset: QuerySet, *, store_ids: list[int] | None) -> QuerySet:
    """Narrowed to the given stores (None: as the person sees them), for a report's store filter."""
    return queryset if store_ids is None else queryset.filter(store_id__in=store_ids)


def _hours(duration: datetime.timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 3600, 1)


def top_complaint_topics(
    *,
    user,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    limit: int | None = 10,
    store_ids: list[int] | None = None,
) -> list[dict]:
    """What members complain about most, in the stores ``user`` sees: rows ``{category, label, count, share,
    serious}`` (``serious``: how many were serious or major), most frequent first. One query."""
    complaints = _in_stores(complaints_visible_to(user=user), store_ids=store_ids)
    rows = list(
        _in_period(complaints, date_from=date_from, date_to=date_to)
        .values("category")
        .annotate(count=Count("pk"), serious=Count("pk", filter=~Q(severity="general")))
        .order_by("-count", "category")[:limit]
    )
    total = sum(row["count"] for row in rows)
    labels = dict(ComplaintCategory.choices)
    return [
        {**row, "label": str(labels.get(row["category"], row["category"])),
         "share": round(row["count"] / total, 4) if total else 0.0}
        for row in rows
    ]  # fmt: skip


def sla_compliance_by_store(
    *,
    user,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    store_ids: list[int] | None = None,
) -> list[dict]:
    """Per store ``user`` sees: complaints received in the period, closed, closed within the deadline (met),
    closed late, still open and breached, ``compliance`` = met / closed (None before any is closed) and
    ``average_resolution_hours`` (received → closed, over the closed ones). One query; complaints without a store
    are head office's row (``store_id`` None)."""
    complaints = _in_stores(complaints_visible_to(user=user), store_ids=store_ids)
    rows = (
        _in_period(complaints, date_from=date_from, date_to=date_to)
        .values("store_id", "store__name")
        .annotate(
            received=Count("pk"),
            closed=Count("pk", filter=Q(status=ComplaintStatus.CLOSED)),
            met=Count("pk", filter=Q(status=ComplaintStatus.CLOSED, sla_status=SlaStatus.MET)),
            open_breached=Count("pk", filter=Q(status__in=OPEN_STATUSES, sla_status=SlaStatus.BREACHED)),
            resolution=Avg(
                ExpressionWrapper(F("closed_at") - F("received_at"), output_field=DurationField()),
                filter=Q(status=ComplaintStatus.CLOSED, closed_at__isnull=False),
            ),
        )
        .order_by("store__name", "store_id")
    )
    return [
        {"store_id": row["store_id"], "store": row["store__name"] or "", "received": row["received"],
         "closed": row["closed"], "met": row["met"], "closed_late": row["closed"] - row["met"],
         "open_breached": row["open_breached"],
         "compliance": round(row["met"] / row["closed"], 4) if row["closed"] else None,
         "average_resolution_hours": _hours(row["resolution"])}
        for row in rows
    ]  # fmt: skip
