"""Reads of the members app, scoped to the person asking."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from members.models import Member, Store


def get_member_for_user(*, user) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.select_related("user", "preferred_store").filter(user=user).first()


def list_member_invitees(*, member: Member) -> QuerySet[Member]:
    """The people ``member`` invited, newest first. Later apps extend their status (applied, delivered, rewarded)."""
    return member.invitees.select_related("user").order_by("-created_at")


def referral_status_of(*, invitee: Member) -> str:
    return "verified" if invitee.is_verified else "registered"


def list_active_stores() -> QuerySet[Store]:
    return Store.objects.filter(is_active=True).order_by("city", "name")


def get_dashboard_summary(*, member: Member) -> dict:
    """What the dashboard shows. Later issues add application status, points and messages here."""
    return {
        "member": member,
        "profile_completed": member.is_profile_completed,
        "is_verified": member.is_verified,
        "has_qualification": hasattr(member, "qualification"),
        "invitee_count": member.invitees.count(),
    }


REFERRAL_STATUS_LABELS = {
    "registered": _("Registered"),
    "verified": _("Identity verified"),
}
