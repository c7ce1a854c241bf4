"""Reads of the members app, scoped to the person asking."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members import events
from members.enums import OtpStatus
from members.models import Member, SignInCode, Store


def get_member_for_user(*, user) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.select_related("user", "preferred_store", "qualification").filter(user=user).first()


def active_sign_in_code_sent_at(*, phone: str) -> datetime.datetime | None:
    """When the usable sign-in code of ``phone`` (the one in the visitor's own session) was sent, or None."""
    return (
        SignInCode.objects.filter(phone=phone, status=OtpStatus.ACTIVE, expires_at__gt=timezone.now())
        .values_list("created_at", flat=True)
        .first()
    )


def list_member_invitees(*, member: Member) -> QuerySet[Member]:
    """The people ``member`` invited, newest first. Later apps extend their status (applied, delivered, rewarded)."""
    return member.invitees.select_related("user").order_by("-created_at")


def referral_status_of(*, invitee: Member, statuses: dict[int, str] | None = None) -> str:
    """How far an invited friend has come: registered, verified, then what the apps above report (applied,
    approved, delivered, rewarded)."""
    if statuses and invitee.pk in statuses:
        return statuses[invitee.pk]
    return "verified" if invitee.is_verified else "registered"


def referral_statuses_for(*, invitees) -> dict[int, str]:
    return events.referral_statuses(invitee_ids=[invitee.pk for invitee in invitees])


def list_active_stores() -> QuerySet[Store]:
    return Store.objects.filter(is_active=True).order_by("city", "name")


def get_dashboard_summary(*, member: Member) -> dict:
    """What the dashboard shows. Later issues add application status, points and messages here."""
    return {
        "member": member,
        "profile_completed": member.is_profile_completed,
        "is_verified": member.is_verified,
        "has_qualification": hasattr(member, "qualification"),
        # Until all three are done the checklist leads the page: it is the next thing to do.
        "ready_to_apply": member.is_profile_completed and member.is_verified and hasattr(member, "qualification"),
        "invitee_count": member.invitees.count(),
    }


REFERRAL_STATUS_LABELS = {
    "registered": _("Registered"),
    "verified": _("Identity verified"),
    "applied": _("Applied for a car"),
    "approved": _("Application approved"),
    "delivered": _("Got the car"),
    "rewarded": _("Reward granted"),
}
