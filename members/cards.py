"""The membership card (seed 004): join, renew, upgrade by tier, withdraw, replace after a loss. Every change is one
transaction under the member's row lock and leaves a ``CardChange`` row.

What withdrawing does to points belongs to the points app (above this one): it applies its rule and then calls
``withdraw_card`` in the same transaction."""

import datetime
import secrets

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from members.enums import CARD_LEVEL_ORDER, CardChangeKind, CardLevel, CardStatus
from members.exceptions import CardAlreadyHeld, CardNotRenewable, NoActiveCard, NoHigherCardLevel
from members.lock_objects import active_card_qs_select_for_update, member_qs_select_for_update
from members.models import CardChange, Member, MembershipCard

CARD_VALID_MONTHS = 12
# A card may be renewed from this many days before its end date (and at any time after it).
RENEWAL_WINDOW_DAYS = 30
CARD_NUMBER_LENGTH = 12
# What the card's QR code holds: the number behind a prefix, so a scanner lookup can tell a card from other codes.
QR_PREFIX = "MCCARD:"


def card_level_for_tier(tier: str) -> str:
    """The card level a value tier entitles to; an unknown or not yet computed tier gets the standard card."""
    return tier if tier in CardLevel.values else CardLevel.NORMAL


def _rank(level: str) -> int:
    return CARD_LEVEL_ORDER.index(level) if level in CARD_LEVEL_ORDER else 0


def card_qr_text(card: MembershipCard) -> str:
    return f"{QR_PREFIX}{card.number}"


def card_number_from_scan(text: str) -> str:
    """The card number in what a scanner or a person typed: the QR text, or the number with spaces."""
    cleaned = "".join((text or "").split()).upper()
    if cleaned.startswith(QR_PREFIX):
        cleaned = cleaned[len(QR_PREFIX) :]
    return cleaned if cleaned.isdigit() else ""


def _new_card_number() -> str:
    first = secrets.choice("123456789")
    return first + "".join(secrets.choice("0123456789") for _ in range(CARD_NUMBER_LENGTH - 1))


def _log(*, card: MembershipCard, kind: str, actor, note: str = "", level_before: str = "") -> CardChange:
    return CardChange.objects.create(
        card=card, kind=kind, level_before=level_before, level_after=card.level, valid_until_after=card.valid_until,
        note=note[:200], actor=actor,
    )  # fmt: skip


def _create_card(*, member: Member, level: str, valid_until: datetime.date) -> MembershipCard:
    # Twelve random digits rarely collide; when they do, the unique index says so and another number is drawn.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return MembershipCard.objects.create(
                    member=member, number=_new_card_number(), level=level, valid_until=valid_until
                )
        except IntegrityError:
            if MembershipCard.objects.filter(member=member, status=CardStatus.ACTIVE).exists():
                raise
    raise RuntimeError("Could not draw a free card number")


def _locked_member(member_id: int) -> Member:
    return member_qs_select_for_update().get(pk=member_id)


def _active_card(member: Member) -> MembershipCard:
    card = active_card_qs_select_for_update().filter(member=member).first()
    if card is None:
        raise NoActiveCard()
    return card


@transaction.atomic
def issue_card(*, member_id: int, actor=None, note: str = "", if_missing: bool = False) -> MembershipCard:
    """Join: a new card at the level of the member's tier, valid for a year. A member holding a card is refused,
    or, with ``if_missing`` (the first delivery), keeps the card they have."""
    member = _locked_member(member_id)
    held = MembershipCard.objects.filter(member=member, status=CardStatus.ACTIVE).first()
    if held is not None:
        if if_missing:
            return held
        raise CardAlreadyHeld()
    valid_until = timezone.localdate() + relativedelta(months=CARD_VALID_MONTHS)
    card = _create_card(member=member, level=card_level_for_tier(member.tier), valid_until=valid_until)
    _log(card=card, kind=CardChangeKind.JOIN, actor=actor, note=note)
    return card


@transaction.atomic
def renew_card(*, member_id: int, actor=None) -> MembershipCard:
    """Another year from the card's end date (from today when it has already ended)."""
    card = _active_card(_locked_member(member_id))
    today = timezone.localdate()
    if card.valid_until > today + datetime.timedelta(days=RENEWAL_WINDOW_DAYS):
        raise CardNotRenewable()
    card.valid_until = max(card.valid_until, today) + relativedelta(months=CARD_VALID_MONTHS)
    card.save(update_fields=["valid_until"])
    _log(card=card, kind=CardChangeKind.RENEW, actor=actor, level_before=card.level)
    return card


@transaction.atomic
def upgrade_card(*, member_id: int, actor=None) -> MembershipCard:
    """Raise the card to the level of the member's tier; refused when the tier allows nothing higher."""
    member = _locked_member(member_id)
    card = _active_card(member)
    target = card_level_for_tier(member.tier)
    if _rank(target) <= _rank(card.level):
        raise NoHigherCardLevel()
    level_before, card.level = card.level, target
    card.save(update_fields=["level"])
    _log(card=card, kind=CardChangeKind.UPGRADE, actor=actor, level_before=level_before)
    return card


@transaction.atomic
def replace_card(*, member_id: int, actor=None, note: str = "") -> MembershipCard:
    """A lost card: its number dies at once and a new number carries the same level and validity."""
    card = _active_card(_locked_member(member_id))
    card.status = CardStatus.REPLACED
    card.ended_at = timezone.now()
    card.save(update_fields=["status", "ended_at"])
    new_card = _create_card(member=card.member, level=card.level, valid_until=card.valid_until)
    card.replaced_by = new_card
    card.save(update_fields=["replaced_by"])
    _log(card=card, kind=CardChangeKind.REPLACE, actor=actor, note=note, level_before=card.level)
    _log(card=new_card, kind=CardChangeKind.JOIN, actor=actor, note=f"replaces {card.number}")
    return new_card


@transaction.atomic
def withdraw_card(*, member_id: int, actor=None, note: str = "") -> MembershipCard:
    """End the member's card. Called by the points app after it has applied its withdrawal rule."""
    card = _active_card(_locked_member(member_id))
    card.status = CardStatus.WITHDRAWN
    card.ended_at = timezone.now()
    card.save(update_fields=["status", "ended_at"])
    _log(card=card, kind=CardChangeKind.WITHDRAW, actor=actor, note=note, level_before=card.level)
    return card


@transaction.atomic
def upgrade_cards_to_tiers() -> int:
    """Set-based: every card in use whose member's tier entitles to a higher level is raised to it, with its change
    row. Run by ``run_reminders`` after the tiers are computed; running it twice changes nothing."""
    upgraded = 0
    now = timezone.now()
    for position, level in enumerate(CARD_LEVEL_ORDER[1:], start=1):
        lower = CARD_LEVEL_ORDER[:position]
        cards = MembershipCard.objects.filter(Q(member__tier=level), status=CardStatus.ACTIVE, level__in=lower)
        rows = list(cards.select_for_update(of=("self",)).values_list("pk", "level", "valid_until"))
        if not rows:
            continue
        CardChange.objects.bulk_create(
            CardChange(
                card_id=pk,
                kind=CardChangeKind.UPGRADE,
                level_before=before,
                level_after=level,
                valid_until_after=valid_until,
                note="tier",
                created_at=now,
            )  # fmt: skip
            for pk, before, valid_until in rows
        )
        upgraded += MembershipCard.objects.filter(pk__in=[row[0] for row in rows]).update(level=level)
    return upgraded
