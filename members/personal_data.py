"""What is held about a member (shown, downloaded) and closing the account (PIPL).

Orders, cars, points and messages live in apps above members, which may not be imported here. Those apps register
from their AppConfig.ready(): a section of the member's data, a check for obligations that keep an account open
(an active application, an unpaid loan), a check whether loan records require keeping the borrower's identity, and
an eraser for their own personal data when the account closes."""

import datetime
import json
from collections.abc import Callable

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from members.enums import VerificationStatus
from members.exceptions import AccountHasObligations, NotAllowedToSeeIdNumber, ReasonRequired
from members.lock_objects import member_qs_select_for_update
from members.models import AccessToken, Consent, IdNumberView, Member, Qualification, SignInCode, User

_sections: dict[str, Callable[..., object]] = {}
_obligation_checks: dict[str, Callable[..., bool]] = {}
_retention_checks: dict[str, Callable[..., bool]] = {}
_erasers: dict[str, Callable[..., None]] = {}


def register_data_section(*, name: str, build: Callable[..., object]) -> None:
    """``build(member=...)`` returns JSON-ready data for the member's "my data" under ``name``."""
    _sections[name] = build


def register_obligation_check(*, name: str, check: Callable[..., bool]) -> None:
    """``check(member=...)`` is True while the member has something that keeps the account open."""
    _obligation_checks[name] = check


def register_identity_retention(*, name: str, check: Callable[..., bool]) -> None:
    """``check(member=...)`` is True when records the app keeps (a loan) require keeping the borrower's identity."""
    _retention_checks[name] = check


def register_eraser(*, name: str, erase: Callable[..., None]) -> None:
    """``erase(member=...)`` erases the app's personal data of a closing account, inside the closing transaction."""
    _erasers[name] = erase


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def member_data(*, member: Member) -> dict:
    """Everything held about ``member``, as JSON-ready data: the ID number only masked, nothing of anyone else."""
    user = member.user
    data = {
        "profile": {
            "phone": str(user.phone) if user.phone else "",
            "name": member.name,
            "gender": member.gender,
            "birthday": _iso(member.birthday),
            "email": member.email,
            "city": member.city,
            "preferred_store": member.preferred_store.code if member.preferred_store_id else None,
            "invite_code": member.invite_code,
            "invited_by": member.referred_by.invite_code if member.referred_by_id else None,
            "tier": member.tier,
            "channel": member.channel,
            "registered_at": _iso(member.created_at),
        },
        "identity": {
            "verification_status": member.verification_status,
            "real_name": member.real_name,
            "id_number": member.id_number_masked,
            "verified_at": _iso(member.verified_at),
        },
        "qualification": None,
        "consents": [
            {
                "kind": consent.kind,
                "version": consent.version,
                "granted_at": _iso(consent.granted_at),
                "withdrawn_at": _iso(consent.withdrawn_at),
                "ip_address": consent.ip_address,
                "channel": consent.channel,
            }
            for consent in Consent.objects.filter(member=member).order_by("granted_at", "pk")
        ],
    }
    qualification = Qualification.objects.filter(member=member).first()
    if qualification is not None:
        data["qualification"] = {
            "employment": qualification.employment,
            "employer_name": qualification.employer_name,
            "monthly_income_band": qualification.monthly_income_band,
            "years_at_job": qualification.years_at_job,
            "has_driving_licence": qualification.has_driving_licence,
            "marital_status": qualification.marital_status,
            "updated_at": _iso(qualification.updated_at),
        }
    for name, build in _sections.items():
        data[name] = build(member=member)
    return data


def has_obligations(*, member: Member) -> bool:
    return any(check(member=member) for check in _obligation_checks.values())


def close_member_account(*, member: Member) -> None:
    """Close the member's account: refused (409) while an application is active or a loan unpaid. Every token and
    session ends; phone, names, e-mail, birthday, city, qualification answers, messages and the audit trail of the
    profile are erased; the phone is free for a new sign-up. Orders and loans stay for accounting, pointing at the
    anonymised member; a borrower's real name, ID number and phone stay encrypted for the retention period."""
    with transaction.atomic(), disable_auditlog():
        member = member_qs_select_for_update().get(pk=member.pk)
        if member.closed_at is not None:
            return
        user = User.objects.select_for_update().get(pk=member.user_id)
        if has_obligations(member=member):
            raise AccountHasObligations()
        now = timezone.now()
        if any(check(member=member) for check in _retention_checks.values()):
            member.retained_identity = json.dumps(
                {
                    "real_name": member.real_name,
                    "id_number": member.id_number_encrypted,
                    "phone": str(user.phone) if user.phone else "",
                },
                ensure_ascii=False,
            )
            years = settings.CLOSED_ACCOUNT_IDENTITY_RETENTION_YEARS
            member.retained_until = timezone.localdate() + datetime.timedelta(days=365 * years + years // 4)
        for erase in _erasers.values():
            erase(member=member)
        qualifications = list(Qualification.objects.filter(member=member))
        for row in [*qualifications, member, user]:
            LogEntry.objects.get_for_object(row).delete()
        Qualification.objects.filter(member=member).delete()
        Consent.objects.filter(member=member, withdrawn_at__isnull=True).update(withdrawn_at=now)
        Consent.objects.filter(member=member).update(ip_address=None, user_agent="")
        if user.phone:
            SignInCode.objects.filter(phone=str(user.phone)).delete()
        AccessToken.objects.filter(user=user).delete()

        member.name = member.email = member.city = member.channel_partner = ""
        member.gender = ""
        member.birthday = None
        member.preferred_store = None
        member.real_name = member.id_number_encrypted = member.id_number_masked = ""
        member.id_number_hash = None
        member.verification_status = VerificationStatus.UNVERIFIED
        member.verified_at = None
        member.closed_at = now
        member.save()

        user.phone = None
        user.username = f"closed-member-{user.pk}"
        user.email = ""
        user.is_active = False
        # A new unusable password changes the hash every session is bound to: all sessions end.
        user.set_unusable_password()
        user.save()


FULL_ID_NUMBER_PERMISSION = "members.view_full_id_number"


def record_id_document_view(*, staff: User, member: Member, reason: str, ip_address: str | None) -> IdNumberView:
    """A staff member opened a picture of the member's ID card, which shows the full number: logged like a reveal,
    the reason being the work the picture was opened for."""
    return IdNumberView.objects.create(staff=staff, member=member, reason=reason[:200], ip_address=ip_address)


@transaction.atomic
def reveal_id_number(*, staff: User, member: Member, reason: str, ip_address: str | None) -> str:
    """A member's full ID number for a staff member whose role needs it. The view is logged (who, when, whose, why)
    before the number is returned; without a reason nothing is shown or logged."""
    if not staff.is_staff or not staff.has_perm(FULL_ID_NUMBER_PERMISSION):
        raise NotAllowedToSeeIdNumber()
    reason = " ".join((reason or "").split())
    if len(reason) < 4:
        raise ReasonRequired()
    IdNumberView.objects.create(staff=staff, member=member, reason=reason[:200], ip_address=ip_address)
    return Member.objects.values_list("id_number_encrypted", flat=True).get(pk=member.pk)


@transaction.atomic
def purge_expired_retained_identities(*, today: datetime.date | None = None) -> int:
    """Erase the borrower identities of closed accounts whose retention period has ended; returns how many."""
    today = today or timezone.localdate()
    return Member.objects.filter(closed_at__isnull=False, retained_until__lt=today).update(
        retained_identity="", retained_until=None
    )
