"""Reads of roadside rescue, scoped to the person asking: a member their own requests; store roles their store's;
head-office roles (call center included) every store's (members.selectors.store_ids_visible_to)."""

import datetime
import statistics
from dataclasses import dataclass, field

from django.db.models import QuerySet

from crm.care.rescue.enums import OPEN_STATUSES, TRANSITION_LABELS, TRANSITIONS, RescueStatus
from crm.care.rescue.exceptions import RescueNotFound
from crm.care.rescue.models import RescueEvent, RescueRequest
from members.enums import StaffRole
from members.selectors import store_ids_visible_to
from staff_tasks.selectors import local_day_bounds

# Who may move a rescue along: the store's own people, the call center and head office.
RESCUE_ROLES = (
    StaffRole.STORE_STAFF, StaffRole.STORE_MANAGER, StaffRole.CALL_CENTER, StaffRole.HEAD_OFFICE, StaffRole.ADMIN
)  # fmt: skip


def _with_details(queryset: QuerySet[RescueRequest]) -> QuerySet[RescueRequest]:
    return queryset.select_related("member__user", "vehicle__trim__car_model__brand", "store")


def rescues_visible_to(*, user) -> QuerySet[RescueRequest]:
    if not user.is_authenticated:
        return RescueRequest.objects.none()
    if not user.is_staff:
        return RescueRequest.objects.filter(member__user=user)
    store_ids = store_ids_visible_to(user=user)
    if store_ids is None:
        return RescueRequest.objects.all()
    return RescueRequest.objects.filter(store_id__in=store_ids)


def rescue_events_visible_to(*, user) -> QuerySet[RescueEvent]:
    return RescueEvent.objects.filter(request__in=rescues_visible_to(user=user))


def list_member_rescues(*, member) -> QuerySet[RescueRequest]:
    return _with_details(RescueRequest.objects.filter(member=member)).prefetch_related("events")


def get_member_rescue(*, member, rescue_id: int) -> RescueRequest:
    rescue = list_member_rescues(member=member).filter(pk=rescue_id).first()
    if rescue is None:
        raise RescueNotFound
    return rescue


def list_rescues_for_staff(*, user, status: str = "") -> QuerySet[RescueRequest]:
    """Open ones first (oldest request first: the longest wait), then the closed ones, newest first."""
    rescues = _with_details(rescues_visible_to(user=user)).prefetch_related("events")
    if status == "open":
        return rescues.filter(status__in=OPEN_STATUSES).order_by("requested_at", "pk")
    if status:
        rescues = rescues.filter(status=status)
    return rescues.order_by("-requested_at", "-pk")


def open_rescues_for_queue(*, user, limit: int = 20) -> list[RescueRequest]:
    """The open rescues at the top of a store's task queue (for head office: every store's). One query."""
    if not (user.is_authenticated and user.is_staff):
        return []
    return list(
        _with_details(rescues_visible_to(user=user))
        .filter(status__in=OPEN_STATUSES)
        .order_by("requested_at", "pk")[:limit]
    )


def get_rescue_for_staff(*, user, rescue_id: int) -> RescueRequest:
    rescue = list_rescues_for_staff(user=user).filter(pk=rescue_id).first()
    if rescue is None:
        raise RescueNotFound
    return rescue


def may_move_rescues(*, user) -> bool:
    return bool(user.is_authenticated and user.is_staff and (user.is_superuser or user.role in RESCUE_ROLES))


def available_transitions(*, rescue: RescueRequest, user) -> list[dict]:
    if not may_move_rescues(user=user):
        return []
    return [
        {"name": name, "target": target, "label": str(TRANSITION_LABELS[name])}
        for name, (sources, target) in TRANSITIONS.items()
        if rescue.status in sources
    ]


def timeline(*, rescue: RescueRequest) -> list[dict]:
    """Each step reached, in order, with its time (the request itself first)."""
    steps = [{"status": RescueStatus.REQUESTED.value, "label": str(RescueStatus.REQUESTED.label),
              "at": rescue.requested_at, "note": ""}]  # fmt: skip
    labels = dict(RescueStatus.choices)
    steps += [
        {"status": event.status, "label": str(labels[event.status]), "at": event.created_at, "note": event.note}
        for event in rescue.events.all()
        if event.status != RescueStatus.REQUESTED
    ]
    return steps


@dataclass
class StoreResponseTimes:
    """Response time = request → arrival, over the requests of the period that help reached."""

    store_id: int | None
    store_code: str | None
    store_name: str | None
    requests: int = 0
    arrived: int = 0
    cancelled: int = 0
    minutes: list[float] = field(default_factory=list, repr=False)

    @property
    def average_minutes(self) -> float | None:
        return round(statistics.fmean(self.minutes), 1) if self.minutes else None

    @property
    def median_minutes(self) -> float | None:
        return round(statistics.median(self.minutes), 1) if self.minutes else None

    @property
    def longest_minutes(self) -> float | None:
        return round(max(self.minutes), 1) if self.minutes else None


@dataclass
class RescueReport:
    date_from: datetime.date
    date_to: datetime.date
    stores: list[StoreResponseTimes]
    total: StoreResponseTimes


def rescue_response_report(
    *, user, date_from: datetime.date, date_to: datetime.date, store_ids: list[int] | None = None
) -> RescueReport:
    """Response time per store for the rescues requested between two local dates (both included), scoped to the
    person asking (and to ``store_ids`` when given). One query; the minutes are computed here, so the SQLite demo
    and PostgreSQL agree."""
    start, end = local_day_bounds(date_from)[0], local_day_bounds(date_to)[1]
    rescues = rescues_visible_to(user=user)
    if store_ids is not None:
        rescues = rescues.filter(store_id__in=store_ids)
    rows = (
        rescues.filter(requested_at__gte=start, requested_at__lt=end)
        .values_list("store_id", "store__code", "store__name", "status", "requested_at", "arrived_at")
        .order_by("store__code", "pk")
    )
    stores: dict[int | None, StoreResponseTimes] = {}
    total = StoreResponseTimes(store_id=None, store_code=None, store_name=None)
    for store_id, code, name, status, requested_at, arrived_at in rows:
        store = stores.setdefault(store_id, StoreResponseTimes(store_id=store_id, store_code=code, store_name=name))
        for figures in (store, total):
            figures.requests += 1
            figures.cancelled += status == RescueStatus.CANCELLED
            if arrived_at is not None:
                figures.arrived += 1
                figures.minutes.append((arrived_at - requested_at).total_seconds() / 60)
    ordered = sorted(stores.values(), key=lambda s: (s.store_code is None, s.store_code or ""))
    return RescueReport(date_from=date_from, date_to=date_to, stores=ordered, total=total)
