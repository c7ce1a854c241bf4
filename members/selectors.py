"""Reads of the members app, scoped to the person asking."""

import datetime
from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.baked import baked_rows
from members import events
from members.enums import STORE_BOUND_ROLES, OtpStatus, StaffRole
from members.models import CardChange, Member, MembershipCard, Qualification, SignInCode, Store, User


def get_member_for_user(*, user) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.select_related("user", "preferred_store", "qualification").filter(user=user).first()


def get_member_by_id(*, member_id: int) -> Member | None:
    return Member.objects.select_related("user").filter(pk=member_id).first()


def get_member_by_phone(*, phone: str) -> Member | None:
    return Member.objects.select_related("user", "preferred_store").filter(user__phone=phone).first()


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


# Whom a staff account may see ----------------------------------------------------------------------------------
#
# One rule, used by the admin, the back office and the API alike:
# - head-office roles (call center, reviewer, finance, head office, administrator) and superusers see every store;
# - store staff and store managers see their own store: its applications, documents, loans and stock, and the
#   members who belong to it;
# - a member belongs to their preferred store and to every store that has an application of theirs (the store that
#   sells a car hands it over, so it is the store of that application). Apps above members add such links through
#   ``register_member_store_link``; orders does;
# - any other account (a staff account without a role) sees no store.
# The apps above scope their own models in their own selectors, built on these functions.

ALL_STORES_ROLES = (
    StaffRole.CALL_CENTER,
    StaffRole.REVIEWER,
    StaffRole.FINANCE,
    StaffRole.HEAD_OFFICE,
    StaffRole.ADMIN,
)

_member_store_links: list[Callable[..., QuerySet]] = []


def register_member_store_link(link: Callable[..., QuerySet]) -> None:
    """``link(store_ids=[...])`` returns a one-column queryset of the member ids tied to those stores (e.g. by an
    application there). Called from an app's ``AppConfig.ready()``."""
    if link not in _member_store_links:
        _member_store_links.append(link)


def sees_all_stores(*, user) -> bool:
    return bool(user.is_authenticated and user.is_staff and (user.is_superuser or user.role in ALL_STORES_ROLES))


def store_ids_visible_to(*, user) -> list[int] | None:
    """The stores whose rows ``user`` may see as staff: None means every store; an empty list means none."""
    if sees_all_stores(user=user):
        return None
    if user.is_authenticated and user.is_staff and user.role in STORE_BOUND_ROLES and user.store_id:
        return [user.store_id]
    return []


def members_visible_to(*, user) -> QuerySet[Member]:
    """The members ``user`` may see: a member themselves; staff as the rule above says. One query."""
    if not user.is_authenticated:
        return Member.objects.none()
    if not user.is_staff:
        return Member.objects.filter(user=user)
    store_ids = store_ids_visible_to(user=user)
    if store_ids is None:
        return Member.objects.all()
    if not store_ids:
        return Member.objects.none()
    belongs = Q(preferred_store_id__in=store_ids)
    for link in _member_store_links:
        belongs |= Q(pk__in=link(store_ids=store_ids))
    return Member.objects.filter(belongs)


# Set on a member that members_visible_to gave this user: their rows need no second check of the rule.
_VISIBLE_TO_USER = "_visible_to_user_id"


def member_visible_to(
    *,
    user,
    member_id: int,
    shape: Callable[[QuerySet[Member]], QuerySet[Member]] = lambda members: members,
    baked_as: str = "",
) -> Member | None:
    """One member ``user`` may see (``shape`` chooses columns and joins), or None. The member is marked as decided
    for ``user``, so that ``rows_of_visible_member`` scopes that member's rows without the rule's subqueries.
    ``baked_as`` names the statement for a page that reads it often (common.baked): one name per ``shape``."""

    def one_member(*, user, member_id):
        return shape(members_visible_to(user=user)).filter(pk=member_id).order_by("pk")[:1]

    if baked_as:
        found = baked_rows(baked_as, one_member, user=user, member_id=member_id)
    else:
        found = one_member(user=user, member_id=member_id)
    member = next(iter(found), None)
    if member is not None:
        setattr(member, _VISIBLE_TO_USER, user.pk)
    return member


def rows_of_visible_member(*, user, member: Member, field: str = "member") -> Q:
    """The rows (by their ``field`` to the member) of ``member`` that the member rule lets ``user`` see: all of them
    when ``member_visible_to`` decided it for ``user``; otherwise the rule is applied again."""
    condition = Q(**{field: member})
    if getattr(member, _VISIBLE_TO_USER, None) != user.pk:
        condition &= Q(**{f"{field}__in": members_visible_to(user=user)})
    return condition


def qualifications_visible_to(*, user) -> QuerySet[Qualification]:
    if sees_all_stores(user=user):
        return Qualification.objects.all()
    return Qualification.objects.filter(member__in=members_visible_to(user=user))


def users_visible_to(*, user) -> QuerySet[User]:
    """Accounts: head-office roles see all; store roles their store's staff and the accounts of their members."""
    if sees_all_stores(user=user):
        return User.objects.all()
    if not user.is_authenticated:
        return User.objects.none()
    store_ids = store_ids_visible_to(user=user) or []
    return User.objects.filter(Q(store_id__in=store_ids) | Q(member__in=members_visible_to(user=user)) | Q(pk=user.pk))


def get_current_card(*, member: Member) -> MembershipCard | None:
    """The member's card in use (an active card past its date included: it reads as expired until renewed)."""
    return MembershipCard.objects.filter(member=member, status="active").first()


def list_card_changes(*, member: Member) -> QuerySet[CardChange]:
    return CardChange.objects.filter(card__member=member).select_related("card", "actor")


def cards_visible_to(*, user) -> QuerySet[MembershipCard]:
    return MembershipCard.objects.filter(member__in=members_visible_to(user=user))


def find_member_by_card_number(*, user, number: str) -> Member | None:
    """The member whose card in use has ``number``, if ``user`` may see them. A replaced or withdrawn card's
    number finds nobody."""
    if not number:
        return None
    card = cards_visible_to(user=user).filter(number=number, status="active").select_related("member").first()
    return card.member if card is not None else None
