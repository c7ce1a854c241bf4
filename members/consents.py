"""Consents (PIPL): the user agreement and privacy policy at sign-up, a separate consent before sensitive personal
information (ID number, income, bank details) is taken, withdrawal, and asking again when a policy changes.

The current version of each policy is ``settings.POLICY_VERSIONS``; a member has agreed to a policy when a consent
row for its current version stands (is not withdrawn)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common.middleware import client_ip
from members.enums import SIGN_UP_CONSENTS, ConsentKind
from members.exceptions import ConsentNotWithdrawable, ConsentRequired
from members.lock_objects import member_qs_select_for_update
from members.models import Consent, Member


@dataclass(frozen=True)
class ConsentSource:
    """Where an agreement was given: the request's address, its user agent and whether it came from a page or the
    API."""

    ip_address: str | None
    user_agent: str
    channel: str  # "web" or "api"

    @classmethod
    def of_request(cls, request, *, channel: str) -> "ConsentSource":
        return cls(
            ip_address=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:255], channel=channel
        )


def current_version(kind: str) -> str:
    return settings.POLICY_VERSIONS[kind]


def standing_kinds(*, member: Member) -> set[str]:
    """The kinds the member has agreed to in their current version and not withdrawn."""
    rows = Consent.objects.filter(member=member, withdrawn_at__isnull=True).values_list("kind", "version")
    return {kind for kind, version in rows if version == current_version(kind)}


def consents_required(*, member: Member) -> list[str]:
    """What the member must agree to before using the service: the sign-up policies they have not accepted in their
    current version (a new version asks again)."""
    standing = standing_kinds(member=member)
    return [kind.value for kind in SIGN_UP_CONSENTS if kind not in standing]


def has_sensitive_data_consent(*, member: Member) -> bool:
    return Consent.objects.filter(
        member=member,
        kind=ConsentKind.SENSITIVE_PERSONAL_INFO,
        version=current_version(ConsentKind.SENSITIVE_PERSONAL_INFO),
        withdrawn_at__isnull=True,
    ).exists()


def require_sensitive_data_consent(*, member: Member) -> None:
    """Refuse to take an ID number, income or bank details without the member's standing separate consent."""
    if not has_sensitive_data_consent(member=member):
        raise ConsentRequired()


@transaction.atomic
def grant_consents(*, member: Member, kinds: Iterable[str], source: ConsentSource) -> list[Consent]:
    """Record the member's agreement to the current version of each of ``kinds``. Agreeing again to a version that
    stands changes nothing."""
    member_qs_select_for_update().get(pk=member.pk)
    standing = {
        (row.kind, row.version): row for row in Consent.objects.filter(member=member, withdrawn_at__isnull=True)
    }
    granted = []
    for kind in dict.fromkeys(kinds):
        if kind not in ConsentKind.values:
            raise ValueError(f"Not a consent kind: {kind}")
        version = current_version(kind)
        row = standing.get((kind, version))
        if row is None:
            row = Consent.objects.create(
                member=member,
                kind=kind,
                version=version,
                ip_address=source.ip_address,
                user_agent=source.user_agent[:255],
                channel=source.channel,
            )
        granted.append(row)
    return granted


@transaction.atomic
def withdraw_consent(*, member: Member, kind: str) -> int:
    """Withdraw a standing consent; returns how many rows it ended. Withdrawing the sensitive-data consent keeps
    what was already verified (the verified status and the encrypted ID number) but takes no new ID number, income
    or bank details. The sign-up policies cannot be withdrawn on their own: that is closing the account."""
    if kind in SIGN_UP_CONSENTS:
        raise ConsentNotWithdrawable()
    if kind not in ConsentKind.values:
        raise ValueError(f"Not a consent kind: {kind}")
    member_qs_select_for_update().get(pk=member.pk)
    return Consent.objects.filter(member=member, kind=kind, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
