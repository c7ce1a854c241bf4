"""Every write about leads: capture (quick submit, partners, call-center entry, partner files), contact attempts and
their SMS, assignment, conversion when the phone signs up, and registering a member on a caller's behalf."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.leads import lock_objects, selectors
from crm.leads.enums import (
    CLOSED_STATUSES,
    SMS_EVENT_AFTER_OUTCOME,
    STATUS_AFTER_OUTCOME,
    ContactOutcome,
    LeadChannel,
    LeadLostReason,
    LeadStatus,
)
from crm.leads.exceptions import (
    AssignNotAllowed,
    InvalidAssignee,
    InvalidLeadInput,
    LeadClosed,
    PartnerKeyRevoked,
    PhoneAlreadyMember,
    TeamFull,
    TooManyLeadSubmits,
)
from crm.leads.models import Lead, LeadAssignment, LeadContact, LeadEnquiry, Partner, PartnerApiKey
from members import services as member_services
from members.enums import STORE_BOUND_ROLES, StaffRole
from members.enums import Channel as MemberChannel
from members.exceptions import InvalidPhoneNumber
from members.models import Member, Store, User
from members.phones import normalize_mobile_number
from members.selectors import sees_all_stores
from notifications.catalog import render, resolve_text
from notifications.services import queue_sms_to_phone
from staff_tasks.enums import TaskKind
from staff_tasks.selectors import active_rule
from staff_tasks.services import open_task
from vehicles.models import CarModel

# The member's channel for the lead's.
MEMBER_CHANNEL_OF = {
    LeadChannel.WEB_QUICK_SUBMIT: MemberChannel.QUICK_SUBMIT,
    LeadChannel.PARTNER: MemberChannel.PARTNER,
    LeadChannel.CALL_CENTER: MemberChannel.CALL_CENTER,
    LeadChannel.STORE: MemberChannel.STORE,
}
# Who may hand a lead to someone: managers of their own store's leads, head office all.
ASSIGNING_ROLES = (StaffRole.STORE_MANAGER, StaffRole.CALL_CENTER, StaffRole.HEAD_OFFICE, StaffRole.ADMIN)


@dataclass(frozen=True)
class Capture:
    lead: Lead
    enquiry: LeadEnquiry
    lead_created: bool


def _clean_text(value, *, field: str, max_length: int, required: bool = False) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise InvalidLeadInput(_("Please fill in this field."), field=field)
    if len(text) > max_length:
        raise InvalidLeadInput(_("At most %(count)d characters.") % {"count": max_length}, field=field)
    return text


def _match_model(value) -> tuple[CarModel | None, str]:
    """A catalog model by id or by name ("Brand Model" or "Model"); else the text as given."""
    text = _clean_text(value, field="model", max_length=100)
    if not text:
        return None, ""
    if text.isdigit():
        found = CarModel.objects.filter(pk=int(text), is_active=True).first()
        if found is not None:
            return found, ""
        raise InvalidLeadInput(_("Unknown model."), field="model")
    for car_model in CarModel.objects.filter(is_active=True).select_related("brand"):
        if text.casefold() in (car_model.name.casefold(), f"{car_model.brand.name} {car_model.name}".casefold()):
            return car_model, ""
    return None, text


def _store_for_city(city: str) -> Store | None:
    if not city:
        return None
    return Store.objects.filter(city=city, is_active=True).order_by("code").first()


def _capture(
    *, name, phone, city="", model="", channel: str, partner: Partner | None = None, external_id: str | None = None,
    actor=None,
) -> Capture:  # fmt: skip
    """One enquiry: a new lead, or a second enquiry (二次咨询) on the phone's open lead. Runs in the caller's
    transaction. Two enquiries racing for a new phone: the partial unique index lets one lead in, the other
    becomes its enquiry."""
    phone_e164 = normalize_mobile_number(str(phone or ""))
    name = _clean_text(name, field="name", max_length=50, required=True)
    city = _clean_text(city, field="city", max_length=50)
    car_model, model_text = _match_model(model)
    now = timezone.now()
    for _attempt in range(3):
        lead = (
            lock_objects.lead_qs_select_for_update()
            .filter(phone=phone_e164)
            .exclude(status__in=CLOSED_STATUSES)
            .first()
        )
        created = False
        if lead is not None:
            lead.enquiries_count += 1
            lead.last_enquiry_at = now
            lead.city = lead.city or city
            if lead.car_model_id is None and not lead.model_text:
                lead.car_model, lead.model_text = car_model, model_text
            lead.save(
                update_fields=["enquiries_count", "last_enquiry_at", "city", "car_model", "model_text", "updated_at"]
            )
        else:
            store = _store_for_city(city)
            try:
                with transaction.atomic():
                    lead = Lead.objects.create(
                        name=name, phone=phone_e164, city=city, car_model=car_model, model_text=model_text,
                        channel=channel, partner=partner, store=store, last_enquiry_at=now, created_by=actor,
                        member=Member.objects.filter(user__phone=phone_e164).first(),
                    )  # fmt: skip
            except IntegrityError:
                continue  # another enquiry opened the phone's lead a moment ago: join it
            created = True
        enquiry = LeadEnquiry.objects.create(
            lead=lead, channel=channel, partner=partner, external_id=external_id, city=city,
            model_text=model_text or (str(car_model) if car_model else ""), created_by=actor,
        )  # fmt: skip
        return Capture(lead=lead, enquiry=enquiry, lead_created=created)
    raise RuntimeError("Could not record the enquiry")


def _take_submit_slot(ip: str | None) -> None:
    """At most LEAD_SUBMITS_PER_IP_HOURLY quick submits per address per clock hour (an atomic Redis counter)."""
    if not ip:
        return
    hour = timezone.now().strftime("%Y%m%d%H")
    key = f"leads:quick-submit:{ip}:{hour}"
    cache.add(key, 0, timeout=3600)
    if cache.incr(key) > settings.LEAD_SUBMITS_PER_IP_HOURLY:
        raise TooManyLeadSubmits()


def submit_quick_lead(*, name, phone, city="", model="", ip: str | None) -> Capture:
    """The public quick-submit form. The caller answers the same for a new and a known phone."""
    _take_submit_slot(ip)
    with transaction.atomic():
        return _capture(name=name, phone=phone, city=city, model=model, channel=LeadChannel.WEB_QUICK_SUBMIT)


@transaction.atomic
def enter_lead(*, actor, name, phone, city="", model="", channel: str = LeadChannel.CALL_CENTER) -> Capture:
    """An agent or a store enters an enquiry by hand. A store role's entry belongs to their store."""
    if channel not in (LeadChannel.CALL_CENTER, LeadChannel.STORE):
        raise InvalidLeadInput(_("Staff enter leads of the call center or of a store."), field="channel")
    capture = _capture(name=name, phone=phone, city=city, model=model, channel=channel, actor=actor)
    if capture.lead_created and actor.role in STORE_BOUND_ROLES and capture.lead.store_id != actor.store_id:
        capture.lead.store_id = actor.store_id
        capture.lead.save(update_fields=["store", "updated_at"])
    return capture


def key_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def issue_partner_key(*, partner_id: int, label: str = "") -> tuple[PartnerApiKey, str]:
    """A new key for a partner: returns the row and the key, which is shown this once and stored only hashed."""
    raw_key = f"pk_{secrets.token_urlsafe(32)}"
    row = PartnerApiKey.objects.create(
        partner_id=partner_id, label=label[:100], prefix=raw_key[:10], key_hash=key_hash(raw_key)
    )
    return row, raw_key


@transaction.atomic
def revoke_partner_key(*, key_id: int) -> int:
    return PartnerApiKey.objects.filter(pk=key_id, revoked_at__isnull=True).update(revoked_at=timezone.now())


def partner_for_key(*, raw_key: str) -> Partner | None:
    """The partner a key belongs to; None for an unknown key; a revoked key (or an inactive partner) is refused."""
    row = selectors.find_partner_key(key_hash=key_hash(raw_key.strip()))
    if row is None:
        return None
    if row.revoked_at is not None or not row.partner.is_active:
        raise PartnerKeyRevoked()
    return row.partner


@transaction.atomic
def submit_partner_lead(*, partner: Partner, name, phone, city="", model="", external_id) -> tuple[Lead, bool]:
    """A partner's lead. The same ``external_id`` again returns the lead it made the first time (created False).
    The partner's row is locked first, so a partner retrying in parallel gets one enquiry."""
    external_id = _clean_text(external_id, field="external_id", max_length=64, required=True)
    Partner.objects.select_for_update().filter(pk=partner.pk).first()
    earlier = LeadEnquiry.objects.select_related("lead").filter(partner=partner, external_id=external_id).first()
    if earlier is not None:
        return earlier.lead, False
    capture = _capture(
        name=name, phone=phone, city=city, model=model, channel=LeadChannel.PARTNER, partner=partner,
        external_id=external_id,
    )  # fmt: skip
    return capture.lead, True


class PartnerFileRejected(Exception):
    """A partner file with bad rows: nothing was imported. ``errors`` is [(line, message), ...]."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__(f"{len(errors)} bad rows")


IMPORT_COLUMNS = ("name", "phone", "city", "model", "external_id")


def import_partner_leads(*, partner_id: int, rows: list[dict]) -> int:
    """A partner's file, as a list of rows (dicts of IMPORT_COLUMNS). Every row is checked first; one bad row
    rejects the whole file, naming every bad row by its line (the header is line 1). Returns the rows imported."""
    partner = Partner.objects.get(pk=partner_id)
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        problems = []
        if not str(row.get("name") or "").strip():
            problems.append(_("name is missing"))
        try:
            normalize_mobile_number(str(row.get("phone") or ""))
        except InvalidPhoneNumber:
            problems.append(_("phone is not a valid mobile number"))
        except Exception as error:  # noqa: BLE001  (any other phone refusal: its own message)
            problems.append(str(getattr(error, "message", error)))
        external_id = str(row.get("external_id") or "").strip()
        if not external_id:
            problems.append(_("external_id is missing"))
        elif external_id in seen:
            problems.append(_("external_id repeats line %(line)d") % {"line": seen[external_id]})
        else:
            seen[external_id] = line
        for field, limit in (("name", 50), ("city", 50), ("model", 100), ("external_id", 64)):
            if len(str(row.get(field) or "")) > limit:
                problems.append(_("%(field)s is longer than %(count)d characters") % {"field": field, "count": limit})
        if problems:
            errors.append((line, "; ".join(str(problem) for problem in problems)))
    if errors:
        raise PartnerFileRejected(errors)
    with transaction.atomic():
        for row in rows:
            submit_partner_lead(
                partner=partner, name=row.get("name"), phone=str(row.get("phone")), city=row.get("city") or "",
                model=row.get("model") or "", external_id=str(row.get("external_id")).strip(),
            )  # fmt: skip
    return len(rows)


def _visible_lead_for_update(*, user, lead_id: int) -> Lead:
    selectors.get_lead_for(user=user, lead_id=lead_id)  # another store's lead is "not found"
    return lock_objects.lead_qs_select_for_update().get(pk=lead_id)


@transaction.atomic
def record_contact(
    *, lead_id: int, actor, outcome: str, note: str = "", next_contact_at: datetime.datetime | None = None,
    carrier_result: str = "", lost_reason: str = "",
) -> LeadContact:  # fmt: skip
    """A contact attempt. The lead's status follows the outcome (STATUS_AFTER_OUTCOME); an unreached or declined
    lead's phone gets that outcome's SMS once per lead; a next contact time becomes a follow-up task."""
    if outcome not in ContactOutcome.values:
        raise InvalidLeadInput(_("Unknown outcome."), field="outcome")
    if lost_reason and lost_reason not in LeadLostReason.values:
        raise InvalidLeadInput(_("Unknown reason."), field="lost_reason")
    if next_contact_at is not None and next_contact_at <= timezone.now():
        raise InvalidLeadInput(_("The next contact time must be in the future."), field="next_contact_at")
    lead = _visible_lead_for_update(user=actor, lead_id=lead_id)
    if not lead.is_open:
        raise LeadClosed()
    contact = LeadContact.objects.create(
        lead=lead, outcome=outcome, note=_clean_text(note, field="note", max_length=2000),
        carrier_result=_clean_text(carrier_result, field="carrier_result", max_length=50),
        next_contact_at=next_contact_at, contacted_by=actor,
    )  # fmt: skip
    lead.status = STATUS_AFTER_OUTCOME[outcome]
    # Only a declined lead has a reason for declining; other outcomes leave it as it was.
    if lead.status == LeadStatus.NOT_INTERESTED:
        lead.lost_reason = lost_reason or LeadLostReason.OTHER
    lead.save(update_fields=["status", "lost_reason", "updated_at"])
    if event := SMS_EVENT_AFTER_OUTCOME.get(outcome):
        _queue_outcome_sms(lead=lead, event=event, outcome=outcome)
    if next_contact_at is not None:
        _open_follow_up_task(lead=lead, due_at=next_contact_at, actor=actor)
    return contact


def _queue_outcome_sms(*, lead: Lead, event: str, outcome: str) -> None:
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        subject, body = resolve_text(event=event, channel="sms", language=language)
    queue_sms_to_phone(
        phone=lead.phone, event=event, subject=render(subject, {"name": lead.name}),
        body=render(body, {"name": lead.name}), dedupe_key=f"lead:{lead.pk}:{outcome}",
    )  # fmt: skip


def _open_follow_up_task(*, lead: Lead, due_at: datetime.datetime, actor) -> None:
    # Head office's "lead_follow_up" rule gives the title and the script (话术); without it, a plain title.
    rule = active_rule(code="lead_follow_up")
    context = {"name": lead.name}
    open_task(
        kind=TaskKind.LEAD_FOLLOW_UP,
        title=render(rule.title, context) if rule else _("Call back %(name)s about their enquiry") % context,
        script=render(rule.script, context) if rule else "",
        rule=rule,
        store=lead.store,
        subject_type="lead",
        subject_id=lead.pk,
        contact_name=lead.name,
        contact_phone=lead.phone,
        due_at=due_at,
        assignee=lead.assignee or actor,
        created_by=actor,
        # The instant, not its written form: the same time in another zone is the same follow-up.
        dedupe_key=f"lead:{lead.pk}:follow-up:{int(due_at.timestamp())}",
    )


def _may_assign(*, actor, lead: Lead) -> bool:
    if actor.is_superuser or sees_all_stores(user=actor):
        return actor.is_superuser or actor.role in ASSIGNING_ROLES
    return actor.role == StaffRole.STORE_MANAGER and lead.store_id == actor.store_id


def _hand_to(*, lead: Lead, agent: User, team=None, actor=None) -> Lead:
    lead.assignee = agent
    if agent.role in STORE_BOUND_ROLES:
        lead.store_id = agent.store_id  # the lead moves to the store of the person who follows it up
    elif team is not None and team.store_id:
        lead.store_id = team.store_id
    if team is not None:
        lead.team = team
    lead.save(update_fields=["assignee", "store", "team", "updated_at"])
    LeadAssignment.objects.create(lead=lead, agent=agent, team=team, assigned_by=actor)
    return lead


@transaction.atomic
def assign_lead(*, lead_id: int, actor, assignee: User) -> Lead:
    """Hand a lead to a person: store managers within their store, head office to anyone on staff."""
    lead = _visible_lead_for_update(user=actor, lead_id=lead_id)
    if not _may_assign(actor=actor, lead=lead):
        raise AssignNotAllowed()
    if not (assignee.is_staff and assignee.is_active and assignee.role):
        raise InvalidAssignee()
    if actor.role == StaffRole.STORE_MANAGER and assignee.store_id != actor.store_id:
        raise InvalidAssignee()
    return _hand_to(lead=lead, agent=assignee, actor=actor)


@transaction.atomic
def assign_round_robin(*, lead_id: int, team_id: int, actor=None) -> Lead:
    """Give the lead to the team's next agent in turn who is under the daily cap. The team's row is locked, so
    two assignments at once take turns and never push an agent over the cap."""
    team = lock_objects.lead_team_qs_select_for_update().get(pk=team_id)
    lead = lock_objects.lead_qs_select_for_update().get(pk=lead_id)
    if not lead.is_open:
        raise LeadClosed()
    agents = list(
        team.agents.filter(is_active=True, agent__is_active=True).select_related("agent").order_by("agent_id")
    )
    day_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    taken = dict(
        LeadAssignment.objects.filter(team=team, assigned_at__gte=day_start)
        .values("agent")
        .annotate(count=Count("id"))
        .values_list("agent", "count")
    )
    # In turn: the agents after the one who got the last lead, then from the start.
    last = team.last_assigned_agent_id or 0
    turn = [a for a in agents if a.agent_id > last] + [a for a in agents if a.agent_id <= last]
    for member in turn:
        if taken.get(member.agent_id, 0) < team.daily_cap_per_agent:
            team.last_assigned_agent_id = member.agent_id
            team.save(update_fields=["last_assigned_agent"])
            return _hand_to(lead=lead, agent=member.agent, team=team, actor=actor)
    raise TeamFull()


@transaction.atomic
def assign_round_robin_for(*, actor, lead_id: int, team_id: int) -> Lead:
    """A person sends a lead to a team's round-robin: the same rights as a manual assignment, on a team they see."""
    lead = selectors.get_lead_for(user=actor, lead_id=lead_id)
    if not _may_assign(actor=actor, lead=lead):
        raise AssignNotAllowed()
    if not selectors.lead_teams_visible_to(user=actor).filter(pk=team_id).exists():
        raise InvalidAssignee(_("No such team."), field="team")
    return assign_round_robin(lead_id=lead_id, team_id=team_id, actor=actor)


def _convert(*, lead: Lead, member: Member) -> Lead:
    lead.status = LeadStatus.CONVERTED
    lead.member = member
    lead.converted_at = timezone.now()
    lead.save(update_fields=["status", "member", "converted_at", "updated_at"])
    return lead


@transaction.atomic
def convert_lead_for_member(*, member_id: int) -> Lead | None:
    """A member signed up: the open lead of their phone is converted and linked, and the member's channel becomes
    the lead's. With no open lead, the latest declined lead converts (the SMS to decliners invites them to sign
    up). Idempotent: a member who already has a converted lead changes nothing."""
    member = Member.objects.select_related("user").get(pk=member_id)
    if Lead.objects.filter(member=member, status=LeadStatus.CONVERTED).exists() or not member.user.phone:
        return None
    phone = str(member.user.phone)
    lead = lock_objects.lead_qs_select_for_update().filter(phone=phone).exclude(status__in=CLOSED_STATUSES).first()
    if lead is None:
        lead = (
            lock_objects.lead_qs_select_for_update()
            .filter(phone=phone, status=LeadStatus.NOT_INTERESTED)
            .order_by("-created_at", "-pk")
            .first()
        )
    if lead is None:
        return None
    _convert(lead=lead, member=member)
    member_services.record_member_origin(
        member_id=member.pk,
        channel=MEMBER_CHANNEL_OF[lead.channel],
        channel_partner=lead.partner.name if lead.partner else "",
    )
    return lead


@transaction.atomic
def register_member_for_lead(*, lead_id: int, actor) -> Member:
    """An agent registers the caller as a member (channel: call center), without an SMS sign-in; the lead converts.
    A phone that is already a member's just links the lead to them."""
    lead = _visible_lead_for_update(user=actor, lead_id=lead_id)
    if lead.status == LeadStatus.CONVERTED:
        return lead.member
    if lead.status == LeadStatus.INVALID:
        raise LeadClosed()
    user = User.objects.filter(phone=lead.phone).select_related("member").first()
    if user is not None and (user.is_staff or not hasattr(user, "member")):
        raise PhoneAlreadyMember()
    if user is not None:
        member = user.member
    else:
        member = member_services.register_member(phone=lead.phone, channel=MemberChannel.CALL_CENTER)
        member = member_services.update_member_profile(member=member, name=lead.name, city=lead.city)
    _convert(lead=lead, member=member)
    return member
