"""Every write of the points ledger. Each function is one transaction that locks the member's account row first,
writes its entry, moves lots and the balance together, and is idempotent by its key."""

import datetime
import logging
import secrets
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members import cards as card_services
from members.selectors import get_member_by_id
from notifications.bulk import bulk_queue_notifications, sql_month_and_day
from notifications.catalog import language_of, render, resolve_text
from notifications.models import Channel
from notifications.services import queue_notification
from points import database_ledger
from points.enums import CouponStatus, EarnEvent, EntryKind, RewardKind
from points.exceptions import (
    AdjustmentNotPermitted,
    CampaignNotAvailable,
    CouponNotUsable,
    IdempotencyKeyReused,
    InsufficientPoints,
    InvalidAdjustment,
    RedemptionLimitReached,
    RewardNotFound,
    RewardUnavailable,
    WithdrawalStatementOutdated,
)
from points.lock_objects import (
    coupon_qs_select_for_update,
    points_account_qs_select_for_update,
    points_lot_qs_select_for_update,
    reward_qs_select_for_update,
)
from points.models import (
    Campaign,
    Coupon,
    EarnRule,
    LotConsumption,
    PendingReferralReward,
    PointsAccount,
    PointsEntry,
    PointsLot,
    PointsPolicy,
    Reward,
    TierBenefit,
)
from points.selectors import coupons_visible_to

logger = logging.getLogger("member_center.points")

_COUPON_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_COUPON_LENGTH = 12
_POINTS_LINK = "/me/points/"
_LARGEST_ID = 2**63 - 1  # a bigint primary key; anything larger names no reward
# The outcome words of points_redeem (points/sql/ledger_functions.sql) that refuse a redemption.
_REDEEM_REFUSALS = {
    "key_reused": IdempotencyKeyReused,
    "reward_not_found": RewardNotFound,
    "reward_unavailable": RewardUnavailable,
    "limit_reached": RedemptionLimitReached,
    "insufficient": InsufficientPoints,
}


def _locked_account(*, member_id: int) -> PointsAccount:
    """The member's account row, created on first use, locked for the rest of the transaction."""
    account = points_account_qs_select_for_update().filter(member_id=member_id).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            PointsAccount.objects.create(member_id=member_id)
    except IntegrityError:
        pass  # created by a concurrent transaction a moment ago
    return points_account_qs_select_for_update().get(member_id=member_id)


def _existing_entry(key: str) -> PointsEntry | None:
    return PointsEntry.objects.select_related("account").filter(idempotency_key=key).first()


def _write_entry(*, account: PointsAccount, kind: str, points: int, reason: str, key: str, **fields) -> PointsEntry:
    account.balance += points
    account.save(update_fields=["balance", "updated_at"])
    return PointsEntry.objects.create(
        account=account, kind=kind, points=points, balance_after=account.balance, reason=reason[:200],
        idempotency_key=key, **fields,
    )  # fmt: skip


def _add_lot(*, account: PointsAccount, entry: PointsEntry, points: int) -> PointsLot:
    expires_on = timezone.localdate() + relativedelta(months=PointsPolicy.current().expiry_months)
    return PointsLot.objects.create(
        account=account, entry=entry, points=points, remaining=points, expires_on=expires_on
    )


def _consume(*, account: PointsAccount, entry: PointsEntry, points: int, first_lot_id: int | None = None) -> None:
    """Take ``points`` from the account's lots, oldest expiry first (a given lot first when reversing it)."""
    lots = list(points_lot_qs_select_for_update().filter(account=account, remaining__gt=0))
    if first_lot_id is not None:
        lots.sort(key=lambda lot: lot.pk != first_lot_id)
    left = points
    for lot in lots:
        if left == 0:
            break
        taken = min(lot.remaining, left)
        lot.remaining -= taken
        lot.save(update_fields=["remaining"])
        LotConsumption.objects.create(entry=entry, lot=lot, points=taken)
        left -= taken
    if left:
        # The balance said there were enough points; lots disagreeing means a broken invariant: stop everything.
        raise RuntimeError(f"Lots of account {account.pk} hold fewer points than its balance")


def _notify(*, account: PointsAccount, entry: PointsEntry, context: dict) -> None:
    event = f"points.{entry.kind}"
    language = language_of(account.member.user)
    subject, body = resolve_text(event=event, channel=Channel.INBOX, language=language)
    queue_notification(
        recipient_id=account.member.user_id, event=event, subject=render(subject, context),
        body=render(body, context), dedupe_key=f"points-entry:{entry.pk}", link=_POINTS_LINK,
    )  # fmt: skip


def _active_rule(event: str) -> EarnRule | None:
    today = timezone.localdate()
    rule = EarnRule.objects.filter(event=event, is_active=True).first()
    if (
        rule is None
        or (rule.active_from and today < rule.active_from)
        or (rule.active_until and today > rule.active_until)
    ):
        return None
    return rule


def _capped(*, account: PointsAccount, rule: EarnRule, points: int) -> int:
    now = timezone.localtime()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for cap, since in ((rule.daily_cap, day_start), (rule.monthly_cap, day_start.replace(day=1))):
        if cap is not None:
            earned = (
                PointsEntry.objects.filter(
                    account=account, rule=rule, kind=EntryKind.EARN, created_at__gte=since
                ).aggregate(total=Sum("points"))["total"]
                or 0
            )
            points = min(points, max(cap - earned, 0))
    return points


def points_for_spend(*, rule: EarnRule, spend_by_type: dict[str, Decimal]) -> int:
    """Points for one bill that may mix consumption types: each part at its rate, rounded down at the end."""
    total = sum((Decimal(amount) * rule.rate_for(kind) for kind, amount in spend_by_type.items()), Decimal("0"))
    return int(total.to_integral_value(rounding=ROUND_DOWN))


def tier_multiplier(*, member_id: int) -> Decimal:
    """The member's tier's points multiplier (1 when the tier has no benefit row)."""
    member = get_member_by_id(member_id=member_id)
    benefit = TierBenefit.objects.filter(tier=member.tier).first() if member else None
    return benefit.points_multiplier if benefit else Decimal("1")


def earn_points(
    *,
    member_id: int,
    event: str,
    idempotency_key: str,
    source: str = "",
    spend_by_type: dict[str, Decimal] | None = None,
    points: int | None = None,
    reason: str = "",
    actor=None,
) -> PointsEntry | None:
    """Award the points of ``event``'s rule once per ``idempotency_key``. None when the rule is off or gives 0.
    ``points`` replaces the rule's fixed points; ``spend_by_type`` earns at the rule's rates instead."""
    if spend_by_type is not None:
        rule = _active_rule(event)
        points = 0 if rule is None else points_for_spend(rule=rule, spend_by_type=spend_by_type)
        points = int((points * tier_multiplier(member_id=member_id)).to_integral_value(rounding=ROUND_DOWN))
    if database_ledger.in_use():
        return _earn_in_database(
            member_id=member_id, event=event, idempotency_key=idempotency_key, source=source, points=points,
            reason=reason, actor=actor,
        )  # fmt: skip
    return _earn_with_orm(
        member_id=member_id, event=event, idempotency_key=idempotency_key, source=source, points=points,
        reason=reason, actor=actor,
    )  # fmt: skip


def _earn_in_database(
    *, member_id: int, event: str, idempotency_key: str, source: str, points: int | None, reason: str, actor
) -> PointsEntry | None:
    now = timezone.now()
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    result = database_ledger.earn(
        member_id=member_id, event=event, points=points, reason=reason, idempotency_key=idempotency_key,
        source=source, actor_id=actor.pk if actor is not None else None, now=now, today=day_start.date(),
        day_start=day_start, month_start=day_start.replace(day=1), link=_POINTS_LINK,
    )  # fmt: skip
    if result.outcome == "existing":
        return _existing_entry(idempotency_key)
    if result.outcome != "created":
        return None
    entry = PointsEntry(
        pk=result.entry_id, account_id=result.account_id, kind=EntryKind.EARN, points=result.points,
        balance_after=result.balance_after, reason=result.reason, rule_id=result.rule_id, source=source,
        idempotency_key=idempotency_key, created_at=now, created_by=actor,
    )  # fmt: skip
    return _as_saved(entry)


def _earn_with_orm(
    *, member_id: int, event: str, idempotency_key: str, source: str, points: int | None, reason: str, actor
) -> PointsEntry | None:
    existing = _existing_entry(idempotency_key)
    if existing is not None:
        return existing
    rule = _active_rule(event)
    if rule is None:
        return None
    amount = points if points is not None else rule.points
    if amount <= 0:
        return None
    try:
        with transaction.atomic():
            account = _locked_account(member_id=member_id)
            existing = _existing_entry(idempotency_key)
            if existing is not None:
                return existing
            amount = _capped(account=account, rule=rule, points=amount)
            if amount <= 0:
                return None
            entry = _write_entry(
                account=account, kind=EntryKind.EARN, points=amount, reason=reason or str(rule.name),
                key=idempotency_key, rule=rule, source=source, created_by=actor,
            )  # fmt: skip
            _add_lot(account=account, entry=entry, points=amount)
            _notify(
                account=account, entry=entry,
                context={"reason": entry.reason, "points": amount, "balance": account.balance},
            )  # fmt: skip
            return entry
    except IntegrityError:
        # The same event delivered twice at the same moment: the other transaction wrote it.
        return _existing_entry(idempotency_key)


def _as_saved(instance):
    """A model instance built from what a database function returned, marked as a stored row (no query)."""
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


@dataclass(frozen=True)
class Redemption:
    coupon: Coupon
    balance: int
    is_new: bool


def _new_coupon_code() -> str:
    """12 characters from a 31-letter alphabet without look-alikes (about 59 random bits), from one random number."""
    number = secrets.randbelow(len(_COUPON_ALPHABET) ** _COUPON_LENGTH)
    letters = []
    for _unused in range(_COUPON_LENGTH):
        number, digit = divmod(number, len(_COUPON_ALPHABET))
        letters.append(_COUPON_ALPHABET[digit])
    return "".join(letters)


def redeem_reward(*, member_id: int, reward_id: int, idempotency_key: str, actor=None) -> Redemption:
    """Spend points on a reward: entry, lots, balance and the coupon in one transaction; the same key again returns
    the same coupon and charges nothing."""
    if not 0 < reward_id <= _LARGEST_ID:
        raise RewardNotFound()
    # Keys are the member's own: two members may pick the same key without meeting.
    idempotency_key = f"redeem:{member_id}:{idempotency_key}"
    if database_ledger.in_use():
        return _redeem_in_database(
            member_id=member_id, reward_id=reward_id, idempotency_key=idempotency_key, actor=actor
        )
    return _redeem_with_orm(member_id=member_id, reward_id=reward_id, idempotency_key=idempotency_key, actor=actor)


def _redeem_in_database(*, member_id: int, reward_id: int, idempotency_key: str, actor) -> Redemption:
    now = timezone.now()
    code = _new_coupon_code()
    result = database_ledger.redeem(
        member_id=member_id, reward_id=reward_id, idempotency_key=idempotency_key,
        actor_id=actor.pk if actor is not None else None, coupon_code=code, now=now,
        today=timezone.localdate(now), link=_POINTS_LINK,
    )  # fmt: skip
    if result.outcome in _REDEEM_REFUSALS:
        raise _REDEEM_REFUSALS[result.outcome]()
    if result.outcome == "existing":
        return Redemption(coupon=Coupon.objects.get(pk=result.coupon_id), balance=result.balance, is_new=False)
    coupon = Coupon(
        pk=result.coupon_id, code=code, member_id=member_id, reward_id=reward_id, redemption_id=result.entry_id,
        face_value=result.face_value, status=CouponStatus.ACTIVE, valid_until=result.valid_until, created_at=now,
    )  # fmt: skip
    return Redemption(coupon=_as_saved(coupon), balance=result.balance, is_new=True)


def _redeem_with_orm(*, member_id: int, reward_id: int, idempotency_key: str, actor) -> Redemption:
    with transaction.atomic():
        account = _locked_account(member_id=member_id)
        existing = _existing_entry(idempotency_key)
        if existing is not None:
            coupon = getattr(existing, "coupon", None)
            if existing.account_id != account.pk or coupon is None or coupon.reward_id != reward_id:
                raise IdempotencyKeyReused()
            return Redemption(coupon=coupon, balance=account.balance, is_new=False)
        reward = Reward.objects.filter(pk=reward_id).first()
        if reward is None:
            raise RewardNotFound()
        if reward.stock is not None:
            # Only limited rewards are locked, so unlimited ones do not serialize every redemption.
            reward = reward_qs_select_for_update().get(pk=reward_id)
        if not reward.is_active or reward.stock == 0:
            raise RewardUnavailable()
        if reward.per_member_limit is not None:
            taken = Coupon.objects.filter(member_id=member_id, reward=reward).count()
            if taken >= reward.per_member_limit:
                raise RedemptionLimitReached()
        if account.balance < reward.cost_points:
            raise InsufficientPoints()
        entry = _write_entry(
            account=account, kind=EntryKind.REDEEM, points=-reward.cost_points, reason=str(reward.name),
            key=idempotency_key, reward=reward, created_by=actor,
        )  # fmt: skip
        _consume(account=account, entry=entry, points=reward.cost_points)
        if reward.stock is not None:
            reward.stock -= 1
            reward.save(update_fields=["stock"])
        coupon = Coupon.objects.create(
            code=_new_coupon_code(), member_id=member_id, reward=reward, redemption=entry, face_value=reward.face_value,
            valid_until=timezone.localdate() + datetime.timedelta(days=reward.valid_days),
        )  # fmt: skip
        _notify(
            account=account, entry=entry,
            context={"reward": reward.name, "points": reward.cost_points, "code": coupon.code,
                     "valid_until": coupon.valid_until.isoformat()},
        )  # fmt: skip
        return Redemption(coupon=coupon, balance=account.balance, is_new=True)


def adjust_points(*, member_id: int, points: int, reason: str, actor, idempotency_key: str = "") -> PointsEntry:
    """A staff correction, plus or minus, with a reason; it shows in the member's history as such."""
    if actor is None or not actor.has_perm("points.adjust_points"):
        raise AdjustmentNotPermitted()
    reason = (reason or "").strip()
    limit = PointsPolicy.current().max_adjustment
    if not isinstance(points, int) or points == 0 or abs(points) > limit or not reason:
        raise InvalidAdjustment()
    key = idempotency_key or f"adjust:{secrets.token_hex(12)}"
    with transaction.atomic():
        account = _locked_account(member_id=member_id)
        existing = _existing_entry(key)
        if existing is not None:
            return existing
        if points < 0 and account.balance < -points:
            raise InsufficientPoints()
        entry = _write_entry(
            account=account, kind=EntryKind.ADJUST, points=points, reason=reason, key=key, created_by=actor
        )
        if points > 0:
            _add_lot(account=account, entry=entry, points=points)
        else:
            _consume(account=account, entry=entry, points=-points)
    logger.info("points adjusted", extra={"member_id": member_id, "points": points, "actor_id": actor.pk})
    return entry


def reverse_earned_points(*, idempotency_key: str, reason: str, actor=None) -> PointsEntry | None:
    """Take back the points of an earn entry (found by its key), as far as the member still has them.
    None when there is nothing to reverse; reversing twice reverses once."""
    with transaction.atomic():
        original = _existing_entry(idempotency_key)
        if original is None or original.kind != EntryKind.EARN:
            return None
        account = points_account_qs_select_for_update().get(pk=original.account_id)
        reversal_key = f"reverse:{idempotency_key}"
        existing = _existing_entry(reversal_key)
        if existing is not None:
            return existing
        amount = min(original.points, account.balance)
        if amount == 0:
            return None
        entry = _write_entry(
            account=account, kind=EntryKind.REVERSE, points=-amount, reason=reason, key=reversal_key,
            reverses=original, created_by=actor,
        )  # fmt: skip
        _consume(account=account, entry=entry, points=amount, first_lot_id=original.lot.pk)
        return entry


def expire_points(*, today: datetime.date | None = None) -> int:
    """Expire every lot past its date, one account at a time; run daily. Returns the number of expired lots."""
    today = today or timezone.localdate()
    expired = 0
    account_ids = (
        PointsLot.objects.filter(expires_on__lt=today, remaining__gt=0).values_list("account_id", flat=True).distinct()
    )
    for account_id in list(account_ids):
        with transaction.atomic():
            account = points_account_qs_select_for_update().get(pk=account_id)
            for lot in points_lot_qs_select_for_update().filter(account=account, expires_on__lt=today, remaining__gt=0):
                entry = _write_entry(
                    account=account, kind=EntryKind.EXPIRE, points=-lot.remaining,
                    reason=_("Points from %(date)s expired") % {"date": lot.created_at.date().isoformat()},
                    key=f"expire:lot:{lot.pk}",
                )  # fmt: skip
                LotConsumption.objects.create(entry=entry, lot=lot, points=lot.remaining)
                lot.remaining = 0
                lot.save(update_fields=["remaining"])
                expired += 1
    Coupon.objects.filter(status=CouponStatus.ACTIVE, valid_until__lt=today).update(status=CouponStatus.EXPIRED)
    return expired


def notify_expiring_points(*, today: datetime.date | None = None) -> int:
    """Tell members, once per expiry date, how many points expire in ``expiry_notice_days``. One set-based INSERT
    for everybody (notifications.bulk, like the reminders), so a busy expiry day is still one statement."""
    today = today or timezone.localdate()
    expires_on = today + datetime.timedelta(days=PointsPolicy.current().expiry_notice_days)
    expiring = """
        SELECT m.user_id AS recipient_id, l.account_id AS account_id, SUM(l.remaining) AS points, %s AS date
        FROM points_pointslot l
        JOIN points_pointsaccount a ON a.id = l.account_id
        JOIN members_member m ON m.id = a.member_id
        WHERE l.expires_on = %s AND l.remaining > 0
        GROUP BY m.user_id, l.account_id
    """
    return bulk_queue_notifications(
        source_sql=expiring, source_params=[expires_on.isoformat(), expires_on], event="points.expiring",
        dedupe_key_sql="'points-expiring:' || CAST(source.account_id AS TEXT) || ':' || source.date",
        channels=(Channel.INBOX,), send_after=timezone.now(), link="/me/rewards/",
    )  # fmt: skip


def use_coupon(*, code: str, used_for: str, actor, member_id: int | None = None, kind: str | None = None) -> Coupon:
    """Mark a coupon used (by staff), e.g. ``installment:17`` for a repayment deduction. With ``member_id`` and
    ``kind``, a coupon of someone else or of another kind is refused like an unknown one."""
    with transaction.atomic():
        coupon = (
            coupon_qs_select_for_update().filter(code=(code or "").strip().upper()).select_related("reward").first()
        )
        if (
            coupon is None
            or coupon.status != CouponStatus.ACTIVE
            or coupon.valid_until < timezone.localdate()
            or (member_id is not None and coupon.member_id != member_id)
            or (kind is not None and coupon.reward.kind != kind)
        ):
            raise CouponNotUsable()
        coupon.status = CouponStatus.USED
        coupon.used_at = timezone.now()
        coupon.used_for = used_for[:100]
        coupon.used_by = actor
        coupon.save(update_fields=["status", "used_at", "used_for", "used_by"])
        return coupon


def record_referral_delivery(*, invitee_id: int, referrer_id: int, source: str) -> PendingReferralReward | None:
    """The invitee's car was delivered: both sides' reward waits out the cooling-off period."""
    rule = _active_rule(EarnEvent.REFERRAL_REFERRER)
    cooling_off_days = int((rule.params if rule else {}).get("cooling_off_days", 7))
    pending, _created = PendingReferralReward.objects.get_or_create(
        invitee_id=invitee_id,
        defaults={
            "referrer_id": referrer_id,
            "source": source,
            "release_on": timezone.localdate() + datetime.timedelta(days=cooling_off_days),
        },
    )
    return pending


def cancel_referral_reward(*, invitee_id: int) -> bool:
    """Within the cooling-off period (e.g. the deal was unwound) the referral reward is cancelled."""
    return bool(
        PendingReferralReward.objects.filter(
            invitee_id=invitee_id, granted_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=timezone.now())
    )


def release_referral_rewards(*, today: datetime.date | None = None) -> int:
    """Grant the referral rewards whose cooling-off period has passed; run daily, safe to run twice."""
    today = today or timezone.localdate()
    released = 0
    for pending in PendingReferralReward.objects.filter(
        release_on__lte=today, granted_at__isnull=True, cancelled_at__isnull=True
    ):
        with transaction.atomic():
            earn_points(
                member_id=pending.referrer_id, event=EarnEvent.REFERRAL_REFERRER,
                idempotency_key=f"referral:referrer:{pending.invitee_id}", source=pending.source,
            )  # fmt: skip
            earn_points(
                member_id=pending.invitee_id, event=EarnEvent.REFERRAL_INVITEE,
                idempotency_key=f"referral:invitee:{pending.invitee_id}", source=pending.source,
            )  # fmt: skip
            PendingReferralReward.objects.filter(pk=pending.pk, granted_at__isnull=True).update(
                granted_at=timezone.now()
            )
            released += 1
    return released


def award_first_application(
    *, member_id: int, registered_at: datetime.datetime, source: str, submitted_at: datetime.datetime | None = None
) -> PointsEntry | None:
    """Points for a first application submitted within the rule's ``within_days`` (7 by default) of registering.
    ``submitted_at`` (default now) is when the member applied, so an award handled late is judged by that time."""
    rule = _active_rule(EarnEvent.FIRST_APPLICATION)
    if rule is None:
        return None
    within_days = int(rule.params.get("within_days", 7))
    if (submitted_at or timezone.now()) - registered_at > datetime.timedelta(days=within_days):
        return None
    return earn_points(
        member_id=member_id, event=EarnEvent.FIRST_APPLICATION, idempotency_key=f"first_application:{member_id}",
        source=source,
    )  # fmt: skip


def reverse_first_application(*, member_id: int, source: str) -> PointsEntry | None:
    """An application that earned first-application points was terminated: take the points back."""
    key = f"first_application:{member_id}"
    original = _existing_entry(key)
    if original is None or original.source != source:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Application %(source)s was closed") % {"source": source.removeprefix("order:")}
    return reverse_earned_points(idempotency_key=key, reason=reason)


def award_campaign(*, member_id: int, campaign_code: str, actor) -> PointsEntry | None:
    """Staff enter a campaign or task code for a member; each member earns a campaign's points once."""
    today = timezone.localdate()
    campaign = Campaign.objects.filter(
        code=(campaign_code or "").strip().lower(), is_active=True, starts_on__lte=today, ends_on__gte=today
    ).first()
    if campaign is None:
        raise CampaignNotAvailable()
    return earn_points(
        member_id=member_id, event=EarnEvent.CAMPAIGN, idempotency_key=f"campaign:{campaign.code}:{member_id}",
        points=campaign.points, reason=campaign.name, source=f"campaign:{campaign.code}", actor=actor,
    )  # fmt: skip


def award_service_spend(
    *, member_id: int, record_reference: str, spend_by_type: dict[str, Decimal]
) -> PointsEntry | None:
    """Points for one repair or maintenance bill; ``record_reference`` identifies the bill so it earns once."""
    return earn_points(
        member_id=member_id, event=EarnEvent.SERVICE_SPEND, idempotency_key=f"service_spend:{record_reference}",
        spend_by_type=spend_by_type, source=record_reference,
    )  # fmt: skip


# Membership card withdrawal ----------------------------------------------------------------------------------------
# The rule: points belong to the membership, so withdrawing forfeits the whole balance (unused coupons stay usable
# until their own end date). The member confirms the exact number they were shown (points.selectors.
# state_card_withdrawal); if the balance moved in between, nothing changes and the new number is shown, so what is
# applied is always what was stated.


@transaction.atomic
def withdraw_membership(*, member_id: int, points_stated: int, actor=None):
    """Apply the withdrawal rule and end the member's card, in one transaction."""
    account = _locked_account(member_id=member_id)
    if account.balance != points_stated:
        raise WithdrawalStatementOutdated()
    forfeited = account.balance
    card = card_services.withdraw_card(
        member_id=member_id, actor=actor, note=_("%(points)d points forfeited") % {"points": forfeited}
    )
    if forfeited > 0:
        entry = _write_entry(
            account=account, kind=EntryKind.EXPIRE, points=-forfeited, reason=_("Membership withdrawn"),
            key=f"card-withdrawal:{card.pk}", source=f"card:{card.pk}", created_by=actor,
        )  # fmt: skip
        _consume(account=account, entry=entry, points=forfeited)
    return card


# Value-added-service coupons at the store -------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreCouponUse:
    coupon: Coupon
    was_already_marked: bool


@transaction.atomic
def use_service_coupon_at_store(*, code: str, staff) -> StoreCouponUse:
    """Store staff mark a member's value-added-service coupon used for a service done at the store. Only a coupon of
    a member this staff account may see; under the coupon's row lock, so two clerks at once use it once. The same
    clerk sending the same mark again (a double click, a resent form) gets the first use back, nothing changes."""
    normalized = (code or "").strip().upper()
    visible = coupons_visible_to(user=staff).filter(code=normalized).values_list("pk", flat=True).first()
    if visible is None:
        raise CouponNotUsable()
    coupon = coupon_qs_select_for_update().select_related("reward").get(pk=visible)
    used_for = f"store:{staff.store.code}" if staff.store_id else "store"
    if coupon.status == CouponStatus.USED and coupon.used_by_id == staff.pk and coupon.used_for == used_for:
        return StoreCouponUse(coupon=coupon, was_already_marked=True)
    coupon = use_coupon(
        code=normalized, used_for=used_for, actor=staff, member_id=coupon.member_id, kind=RewardKind.SERVICE_COUPON
    )
    return StoreCouponUse(coupon=coupon, was_already_marked=False)


# ------------------------------------------------------------------------------------------------ benefit coupons


def _benefit_coupon(*, member_id: int, reward: Reward, benefit_key: str, today: datetime.date) -> Coupon:
    return Coupon(
        code=_new_coupon_code(), member_id=member_id, reward=reward, redemption=None, benefit_key=benefit_key,
        face_value=reward.face_value, valid_until=today + datetime.timedelta(days=reward.valid_days),
    )  # fmt: skip


@transaction.atomic
def issue_benefit_coupon(*, member_id: int, reward_id: int, idempotency_key: str) -> tuple[Coupon, bool]:
    """Give a member a reward's coupon as a benefit: no points spent, no ledger entry, no stock taken. The key says
    what it is given for (``birthday:<member>:<year>``); the same key again gives nothing and returns the coupon
    given (and whether it is new). A key already used for another member or reward is refused."""
    existing = Coupon.objects.filter(benefit_key=idempotency_key).first()
    if existing is not None:
        if existing.member_id != member_id or existing.reward_id != reward_id:
            raise IdempotencyKeyReused()
        return existing, False
    reward = Reward.objects.filter(pk=reward_id).first()
    if reward is None:
        raise RewardNotFound()
    if not reward.is_active:
        raise RewardUnavailable()
    coupon = _benefit_coupon(member_id=member_id, reward=reward, benefit_key=idempotency_key,
                             today=timezone.localdate())  # fmt: skip
    try:
        with transaction.atomic():
            coupon.save()
    except IntegrityError:
        # The same key given at this very moment by another run: answer with theirs.
        return Coupon.objects.get(benefit_key=idempotency_key), False
    return coupon, True


def birthday_benefit_key(*, member_id: int, year: int) -> str:
    return f"birthday:{member_id}:{year}"


def issue_birthday_coupons(*, day: datetime.date) -> int:
    """The tier's birthday coupon (TierBenefit.birthday_reward, head office's choice per tier) for every open
    account whose birthday is ``day`` (29 February on 28 February in other years): once per member and year,
    whatever their tier does later that year. One SELECT of who is due, one bulk INSERT; a second run adds none."""
    month_days = [day.strftime("%m-%d")]
    if month_days[0] == "02-28" and (day + datetime.timedelta(days=1)).month == 3:
        month_days.append("02-29")
    marks = ", ".join(["%s"] * len(month_days))
    key_sql = f"'birthday:' || CAST(m.id AS TEXT) || ':{day.year}'"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT m.id, b.birthday_reward_id FROM members_member m
            JOIN members_user u ON u.id = m.user_id
            JOIN points_tierbenefit b ON b.tier = m.tier
            JOIN points_reward r ON r.id = b.birthday_reward_id
            WHERE u.is_active AND m.closed_at IS NULL AND r.is_active
              AND {sql_month_and_day("m.birthday")} IN ({marks})
              AND NOT EXISTS (SELECT 1 FROM points_coupon c WHERE c.benefit_key = {key_sql})
            """,  # noqa: S608  (identifiers are ours; values are parameters)
            month_days,
        )
        due = cursor.fetchall()
    rewards = Reward.objects.in_bulk({reward_id for _member, reward_id in due})
    coupons = [
        _benefit_coupon(member_id=member_id, reward=rewards[reward_id], today=day,
                        benefit_key=birthday_benefit_key(member_id=member_id, year=day.year))
        for member_id, reward_id in due
    ]  # fmt: skip
    # A run at the same moment may have given some already: the unique key keeps one each.
    return len(Coupon.objects.bulk_create(coupons, ignore_conflicts=True, batch_size=1000))
