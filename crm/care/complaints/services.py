"""Every write of complaints: filing (member, agent, store, SMS), the steps of the process, the SLA clock (pause,
resume, deadlines), the member's rating, and the sweep that refreshes SLA statuses and escalates breaches."""

import datetime
import logging
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from crm.care.complaints.calendar import WorkingCalendar, load_calendar
from crm.care.complaints.defaults import DEFAULT_TARGET_HOURS
from crm.care.complaints.enums import (
    NEEDS_ROOT_CAUSE,
    OPEN_STATUSES,
    ComplaintCategory,
    ComplaintStatus,
    FiledBy,
    Severity,
    SlaStatus,
)
from crm.care.complaints.exceptions import (
    AlreadyRated,
    ClockAlreadyPaused,
    ClockNotPaused,
    ComplaintNotClosed,
    ComplaintNotFound,
    InvalidComplaintSubject,
    InvalidPhoto,
    InvalidRating,
    NoteRequired,
    PauseReasonRequired,
    RootCauseRequired,
    TransitionForbidden,
    TransitionNotAllowed,
    UnknownTransition,
)
from crm.care.complaints.lock_objects import complaint_qs_select_for_update
from crm.care.complaints.messages import PAUSED_EVENT, SMS_STATES, STEP_MESSAGES
from crm.care.complaints.models import Complaint, ComplaintEvent, ComplaintPhoto, ComplaintRating, SlaTarget
from crm.care.complaints.state_machine import TRANSITION_ACTORS
from domain_events.services import record_event
from members.models import Member
from notifications.catalog import language_of, render, resolve_text
from notifications.models import Channel
from notifications.services import queue_notification, sms_reply_names_a_complaint
from orders.selectors import orders_visible_to
from vehicles.models import OwnedVehicle

logger = logging.getLogger("member_center.complaints")

PHOTO_TYPES = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
MAX_PHOTOS = 6
AT_RISK_SHARE = 0.8  # a deadline is "at risk" once 80 % of its business time is used


# Deadlines -------------------------------------------------------------------------------------------------------


def target_hours(*, category: str, severity: str) -> tuple[int, int]:
    """(first response, resolution) in business hours: head office's row, else the defaults."""
    row = SlaTarget.objects.filter(category=category, severity=severity).values_list(
        "first_response_hours", "resolution_hours"
    )
    return row.first() or DEFAULT_TARGET_HOURS[Severity(severity)]


def compute_deadlines(
    *, start: datetime.datetime, hours: tuple[int, int], paused_seconds: int = 0, calendar: WorkingCalendar
) -> dict[str, datetime.datetime]:
    """The four SLA moments of a clock started at ``start`` that was paused ``paused_seconds`` of business time."""
    first, resolution = hours
    add = calendar.add_business_seconds
    return {
        "first_response_due": add(start, first * 3600 + paused_seconds),
        "first_response_risk_at": add(start, first * 3600 * AT_RISK_SHARE + paused_seconds),
        "resolution_due": add(start, resolution * 3600 + paused_seconds),
        "resolution_risk_at": add(start, resolution * 3600 * AT_RISK_SHARE + paused_seconds),
    }


def _set_deadlines(complaint: Complaint, *, calendar: WorkingCalendar | None = None) -> None:
    deadlines = compute_deadlines(
        start=complaint.clock_started_at, paused_seconds=complaint.paused_business_seconds,
        hours=target_hours(category=complaint.category, severity=complaint.severity),
        calendar=calendar or load_calendar(),
    )  # fmt: skip
    for name, value in deadlines.items():
        setattr(complaint, name, value)
    complaint.sla_status = sla_status_at(complaint, now=timezone.now())


def sla_status_at(complaint: Complaint, *, now: datetime.datetime) -> str:
    """The SLA status as the sweep computes it (same rule, for one row)."""
    if complaint.is_closed:
        return SlaStatus.MET if complaint.closed_at <= complaint.resolution_due else SlaStatus.BREACHED
    if complaint.paused_at is not None:
        return SlaStatus.PAUSED
    awaiting_response = complaint.first_responded_at is None
    if now >= complaint.resolution_due or (awaiting_response and now >= complaint.first_response_due):
        return SlaStatus.BREACHED
    if now >= complaint.resolution_risk_at or (awaiting_response and now >= complaint.first_response_risk_at):
        return SlaStatus.AT_RISK
    return SlaStatus.ON_TRACK


# Filing ----------------------------------------------------------------------------------------------------------


def _new_number() -> str:
    for _attempt in range(5):
        number = f"CP{timezone.localdate():%Y%m%d}{secrets.randbelow(10**6):06d}"
        if not Complaint.objects.filter(number=number).exists():
            return number
    return number


def _check_photos(photos) -> list[tuple[object, str]]:
    if len(photos) > MAX_PHOTOS:
        raise InvalidPhoto()
    checked = []
    for photo in photos:
        if photo.size == 0 or photo.size > settings.COMPLAINT_PHOTO_MAX_BYTES:
            raise InvalidPhoto()
        head = photo.read(8)
        photo.seek(0)
        content_type = next((kind for kind, magic in PHOTO_TYPES.items() if head.startswith(magic)), None)
        if content_type is None:
            raise InvalidPhoto()
        checked.append((photo, content_type))
    return checked


@transaction.atomic
def file_complaint(
    *,
    member: Member,
    category: str,
    description: str,
    filed_by: str,
    actor,
    order_id: int | None = None,
    vehicle_id: int | None = None,
    store=None,
    severity: str = Severity.GENERAL,
    photos=(),
    reopens: Complaint | None = None,
    source_key: str | None = None,
) -> Complaint:
    """A new complaint, received now, with its deadlines. The order or car named must be the member's own (400).
    It belongs to the store named, else the application's, else the member's preferred store (or none: head
    office's queue). With a ``source_key`` the same source opens one complaint."""
    if category not in ComplaintCategory.values or severity not in Severity.values or filed_by not in FiledBy.values:
        raise InvalidComplaintSubject(_("Unknown category or severity."), field="category")
    description = (description or "").strip()
    if not description:
        raise NoteRequired(_("Please describe what happened."), field="description")
    if source_key is not None:
        existing = Complaint.objects.filter(source_key=source_key).first()
        if existing is not None:
            return existing
    order = None
    if order_id is not None:
        order = orders_visible_to(user=member.user).filter(pk=order_id).first()
        if order is None:
            raise InvalidComplaintSubject(field="order")
    if vehicle_id is not None and not OwnedVehicle.objects.filter(pk=vehicle_id, member=member).exists():
        raise InvalidComplaintSubject(field="vehicle")
    checked_photos = _check_photos(photos)
    if store is None:
        store = order.store if order is not None and order.store_id else member.preferred_store
    now = timezone.now()
    complaint = Complaint(
        number=_new_number(), member=member, store=store, category=category, severity=severity, filed_by=filed_by,
        description=description[:4000], order=order, vehicle_id=vehicle_id, reopens=reopens, created_by=actor,
        received_at=now, clock_started_at=now, source_key=source_key,
    )  # fmt: skip
    _set_deadlines(complaint)
    try:
        with transaction.atomic():
            complaint.save()
    except IntegrityError:
        existing = Complaint.objects.filter(source_key=source_key).first() if source_key else None
        if existing is None:
            raise
        return existing
    for upload, content_type in checked_photos:
        photo = ComplaintPhoto(complaint=complaint, content_type=content_type, size=upload.size)
        photo.file.save("upload", upload, save=False)
        photo.save()
    note = _("Reopens complaint %(number)s") % {"number": reopens.number} if reopens else ""
    _log(complaint, transition="file", from_status=ComplaintStatus.RECEIVED, actor=actor, note=note)
    logger.info("complaint filed", extra={"complaint_id": complaint.pk, "filed_by": filed_by})
    return complaint


def file_complaint_from_sms_reply(*, phone: str, body: str, message_sid: str) -> Complaint | None:
    """An SMS reply from a member that names a complaint keyword opens a complaint (once per message)."""
    from members.selectors import get_member_by_phone

    text = (body or "").strip()
    if not sms_reply_names_a_complaint(text):
        return None
    member = get_member_by_phone(phone=phone)
    if member is None:
        return None
    return file_complaint(
        member=member, category=ComplaintCategory.OTHER, description=text, filed_by=FiledBy.SMS, actor=None,
        source_key=f"sms:{message_sid}" if message_sid else None,
    )  # fmt: skip


def _log(complaint: Complaint, *, transition: str, from_status: str, actor, note: str = "") -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint, transition=transition, from_status=from_status, to_status=complaint.status,
        actor=actor if actor is not None and actor.is_authenticated else None, note=note,
    )  # fmt: skip


# Steps -----------------------------------------------------------------------------------------------------------


def apply_transition(
    *,
    complaint_id: int,
    name: str,
    actor,
    note: str = "",
    severity: str = "",
    root_cause: str = "",
    prevention: str = "",
    visible_ids=None,
) -> Complaint:
    """Take the step ``name`` for ``actor``: 404 unknown step (or a complaint they may not see), 409 not possible
    now, 403 not theirs, 400 a missing note, or closing a serious one without root cause and prevention. A reopen
    long after closing (``COMPLAINT_REOPEN_AS_NEW_AFTER_DAYS``) opens a new linked complaint, which is returned."""
    if name not in TRANSITION_ACTORS:
        raise UnknownTransition()
    note, root_cause, prevention = (note or "").strip(), (root_cause or "").strip(), (prevention or "").strip()
    if severity and severity not in Severity.values:
        raise InvalidComplaintSubject(_("Unknown severity."), field="severity")
    with transaction.atomic():
        locked = complaint_qs_select_for_update().select_related("member__user", "store")
        if visible_ids is not None:
            locked = locked.filter(pk__in=visible_ids)
        complaint = locked.filter(pk=complaint_id).first()
        if complaint is None:
            raise ComplaintNotFound()
        method = getattr(complaint, name)
        if not can_proceed(method, check_conditions=False):
            raise TransitionNotAllowed()
        meta = method._django_fsm.get_transition(complaint.status)
        if not meta.has_perm(complaint, actor):
            raise TransitionForbidden()
        if meta.custom.get("needs_note") and not note:
            raise NoteRequired()
        if severity and severity != complaint.severity:
            complaint.severity = severity
            _set_deadlines(complaint)
        if name == "close" and complaint.severity in NEEDS_ROOT_CAUSE and not (root_cause and prevention):
            raise RootCauseRequired()
        if name == "reopen" and _reopens_as_new(complaint):
            return _reopen_as_new_complaint(complaint=complaint, actor=actor, note=note)
        from_status = complaint.status
        _take_step(complaint, name=name, method=method, note=note, root_cause=root_cause, prevention=prevention)
        complaint.save()
        _log(complaint, transition=name, from_status=from_status, actor=actor, note=note)
        if name == "close":
            payload = {"complaint_id": complaint.pk, "member_id": complaint.member_id, "store_id": complaint.store_id}
            record_event(name="complaint.closed", payload=payload)
        _notify_member(complaint=complaint, note=note)
    logger.info("complaint moved", extra={"complaint_id": complaint.pk, "transition": name})
    return complaint


def _take_step(complaint: Complaint, *, name: str, method, note: str, root_cause: str, prevention: str) -> None:
    """The transition with what it records, then the SLA bookkeeping of the new state."""
    now = timezone.now()
    if name == "record":
        method(at=now)
    elif name == "propose_solution":
        method(solution=note)
    elif name == "close":
        if complaint.paused_at is not None:
            _stop_pause(complaint, now=now)
        method(at=now, root_cause=root_cause, prevention=prevention)
    else:
        method()
    if name == "reopen":
        # A reopened complaint gets a fresh clock and may be escalated again.
        complaint.clock_started_at, complaint.paused_business_seconds = now, 0
        complaint.escalation_level, complaint.escalated_at = 0, None
        _set_deadlines(complaint)
    complaint.sla_status = sla_status_at(complaint, now=now)


def _reopens_as_new(complaint: Complaint) -> bool:
    limit = datetime.timedelta(days=settings.COMPLAINT_REOPEN_AS_NEW_AFTER_DAYS)
    return complaint.closed_at is not None and timezone.now() - complaint.closed_at > limit


def _reopen_as_new_complaint(*, complaint: Complaint, actor, note: str) -> Complaint:
    new = file_complaint(
        member=complaint.member, category=complaint.category, severity=complaint.severity,
        filed_by=FiledBy.STORE if getattr(actor, "store_id", None) else FiledBy.AGENT, actor=actor,
        description=note, order_id=complaint.order_id, vehicle_id=complaint.vehicle_id, store=complaint.store,
        reopens=complaint,
    )  # fmt: skip
    _log(complaint, transition="reopened_as_new", from_status=complaint.status, actor=actor, note=new.number)
    return new


def _notify_member(*, complaint: Complaint, note: str) -> None:
    if complaint.status not in STEP_MESSAGES:
        return
    event = f"complaint.{complaint.status}"
    context = {"number": complaint.number, "note": note}
    step_key = f"complaint:{complaint.pk}:{complaint.status}:{complaint.events.count()}"
    channels = [Channel.INBOX, Channel.SMS] if complaint.status in SMS_STATES else [Channel.INBOX]
    _queue(complaint=complaint, event=event, context=context, dedupe_key=step_key, channels=channels)


def _queue(*, complaint: Complaint, event: str, context: dict, dedupe_key: str, channels) -> None:
    for channel in channels:
        subject, body = resolve_text(event=event, channel=channel, language=language_of(complaint.member.user))
        queue_notification(
            recipient_id=complaint.member.user_id, event=event, subject=render(subject, context),
            body=render(body, context), dedupe_key=dedupe_key, channels=[channel],
            link=f"/me/complaints/{complaint.pk}/",
        )  # fmt: skip


# The clock -------------------------------------------------------------------------------------------------------


def _lock_visible(*, complaint_id: int, visible_ids) -> Complaint:
    complaint = (
        complaint_qs_select_for_update()
        .select_related("member__user")
        .filter(pk__in=visible_ids, pk=complaint_id)
        .first()
    )
    if complaint is None:
        raise ComplaintNotFound()
    return complaint


def _may_handle(complaint: Complaint, actor) -> bool:
    from crm.care.complaints.state_machine import is_permitted

    return is_permitted(complaint=complaint, user=actor, transition_name="investigate") or is_permitted(
        complaint=complaint, user=actor, transition_name="notify_member"
    )


@transaction.atomic
def pause_clock(*, complaint_id: int, actor, reason: str, visible_ids) -> Complaint:
    """Stop the SLA clock while waiting on the member (the reason is recorded and told to the member)."""
    reason = (reason or "").strip()
    complaint = _lock_visible(complaint_id=complaint_id, visible_ids=visible_ids)
    if not _may_handle(complaint, actor):
        raise TransitionForbidden()
    if not reason:
        raise PauseReasonRequired()
    if complaint.is_closed:
        raise TransitionNotAllowed()
    if complaint.paused_at is not None:
        raise ClockAlreadyPaused()
    complaint.paused_at, complaint.pause_reason = timezone.now(), reason[:200]
    complaint.sla_status = SlaStatus.PAUSED
    complaint.save(update_fields=["paused_at", "pause_reason", "sla_status", "updated_at"])
    _log(complaint, transition="pause", from_status=complaint.status, actor=actor, note=reason)
    _queue(
        complaint=complaint, event=PAUSED_EVENT, context={"number": complaint.number, "note": reason},
        dedupe_key=f"complaint:{complaint.pk}:pause:{complaint.events.count()}", channels=[Channel.INBOX, Channel.SMS],
    )  # fmt: skip
    return complaint


def _stop_pause(complaint: Complaint, *, now: datetime.datetime) -> None:
    calendar = load_calendar()
    complaint.paused_business_seconds += calendar.business_seconds_between(complaint.paused_at, now)
    complaint.paused_at, complaint.pause_reason = None, ""
    _set_deadlines(complaint, calendar=calendar)


@transaction.atomic
def resume_clock(*, complaint_id: int, actor, visible_ids, note: str = "") -> Complaint:
    """Start the clock again: the deadlines move on by the business time it stood still."""
    complaint = _lock_visible(complaint_id=complaint_id, visible_ids=visible_ids)
    if not _may_handle(complaint, actor):
        raise TransitionForbidden()
    if complaint.paused_at is None:
        raise ClockNotPaused()
    _stop_pause(complaint, now=timezone.now())
    complaint.save()
    _log(complaint, transition="resume", from_status=complaint.status, actor=actor, note=(note or "").strip())
    return complaint


# The member's rating ---------------------------------------------------------------------------------------------


@transaction.atomic
def rate_complaint(*, complaint_id: int, member: Member, score: int, comment: str = "") -> ComplaintRating:
    """Once, after closing: 409 before closing or a second time; another member's complaint is "not found"."""
    complaint = complaint_qs_select_for_update().filter(pk=complaint_id, member=member).first()
    if complaint is None:
        raise ComplaintNotFound()
    if not isinstance(score, int) or not 1 <= score <= 5:  # noqa: PLR2004
        raise InvalidRating()
    if not complaint.is_closed:
        raise ComplaintNotClosed()
    if ComplaintRating.objects.filter(complaint=complaint).exists():
        raise AlreadyRated()
    rating = ComplaintRating.objects.create(complaint=complaint, score=score, comment=(comment or "").strip()[:500])
    _log(complaint, transition="rate", from_status=complaint.status, actor=member.user, note=str(score))
    return rating


# The sweep -------------------------------------------------------------------------------------------------------


def _sla_case(now: datetime.datetime) -> Case:
    awaiting = Q(first_responded_at__isnull=True)
    return Case(
        When(paused_at__isnull=False, then=Value(SlaStatus.PAUSED)),
        When(Q(resolution_due__lte=now) | (awaiting & Q(first_response_due__lte=now)), then=Value(SlaStatus.BREACHED)),
        When(
            Q(resolution_risk_at__lte=now) | (awaiting & Q(first_response_risk_at__lte=now)),
            then=Value(SlaStatus.AT_RISK),
        ),
        default=Value(SlaStatus.ON_TRACK),
    )


def refresh_sla_statuses(*, now: datetime.datetime | None = None) -> int:
    """One UPDATE over the open complaints whose SLA status changed; returns how many changed."""
    now = now or timezone.now()
    status = _sla_case(now)
    return Complaint.objects.filter(status__in=OPEN_STATUSES).exclude(sla_status=status).update(sla_status=status)


def sweep_complaint_slas(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Refresh SLA statuses, then escalate the breaches: first to the store manager (a task for the store and a
    message to its managers), and if still breached ``COMPLAINT_HEAD_OFFICE_AFTER_HOURS`` later, to head office.
    Each level once per complaint: the rows' dedupe keys and the escalation level make a second run (or two at
    once) open and send nothing new."""
    from crm.care.complaints.escalation import escalate_breaches

    now = now or timezone.now()
    counts = {"sla_refreshed": refresh_sla_statuses(now=now)}
    counts.update(escalate_breaches(now=now))
    logger.info("complaint SLA sweep", extra=counts)
    return counts
