"""The writes of the money side of a loan: a payment recorded on an installment, a deduction coupon chosen for one,
early settlement, the daily overdue marking. Each takes the installment's (or loan's) row lock before it checks
what is left, so two payments at once never pay more than is owed; a database constraint is the backstop.

When an installment is paid in full its open collection calls are cancelled in the same transaction, and the
reminder and task rules (``orders.reminders``, ``orders.task_rules``) select only unpaid installments: collection
stops the moment it is paid.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.enums import StaffRole
from orders import selectors
from orders.enums import InstallmentStatus, OrderState, PaymentSource
from orders.exceptions import (
    DownPaymentCouponNotAllowed,
    InstallmentClosedToCoupons,
    InstallmentNotFound,
    InvalidBankCard,
    LoanAlreadySettled,
    LoanNotFound,
    OrderNotFound,
    Overpayment,
    PaymentReferenceUsed,
    TransitionForbidden,
)
from orders.lock_objects import installment_qs_select_for_update, loan_qs_select_for_update, order_qs_select_for_update
from orders.models import Installment, Loan, Order, OrderEvent, Payment
from points import services as points_services
from points.enums import RewardKind
from staff_tasks.bulk import bulk_cancel_open_tasks
from staff_tasks.enums import SubjectType, TaskKind

logger = logging.getLogger("member_center.orders")

ZERO = Decimal("0.00")
# The store applies a down-payment coupon at signing, before the down payment is received.
DOWN_PAYMENT_COUPON_STATES = (OrderState.CONTRACT_SCHEDULED, OrderState.SIGNED)
STORE_ROLES = (StaffRole.STORE_STAFF, StaffRole.STORE_MANAGER)


def may_record_payments(*, user) -> bool:
    return bool(user.is_superuser or getattr(user, "role", "") in (StaffRole.FINANCE, StaffRole.ADMIN))


def status_after_payment(*, installment: Installment, today: datetime.date) -> str:
    if installment.amount_left <= 0:
        return InstallmentStatus.PAID
    if installment.due_on < today:
        return InstallmentStatus.OVERDUE
    return InstallmentStatus.PARTLY_PAID if installment.paid_amount > 0 else InstallmentStatus.DUE


def cancel_collection_calls(*, installment_ids_sql: str, params: list) -> int:
    return bulk_cancel_open_tasks(
        kind=TaskKind.COLLECTION_CALL, subject_type=SubjectType.INSTALLMENT, subject_ids_sql=installment_ids_sql,
        params=params, note=_("Cancelled: the installment is paid."),
    )  # fmt: skip


def _locked_installment_for(*, user, installment_id: int) -> Installment:
    """The installment if ``user`` may see it (someone else's is "not found"), locked."""
    if not selectors.installments_visible_to(user=user).filter(pk=installment_id).exists():
        raise InstallmentNotFound()
    return installment_qs_select_for_update().select_related("loan__order").get(pk=installment_id)


@transaction.atomic
def record_payment(
    *, installment_id: int, amount: Decimal, paid_on: datetime.date, reference: str, actor
) -> tuple[Installment, bool]:
    """Finance records money received for one installment. Returns the installment and whether a payment was
    recorded: the same reference again (same installment, same amount) records nothing and answers as before."""
    if not may_record_payments(user=actor):
        raise TransitionForbidden(_("Only finance may record payments."))
    installment = _locked_installment_for(user=actor, installment_id=installment_id)
    reference = reference.strip()
    existing = Payment.objects.filter(reference=reference).first()
    if existing is not None:
        if existing.installment_id == installment.pk and existing.amount == amount:
            return installment, False
        raise PaymentReferenceUsed()
    if amount <= 0 or amount > installment.amount_left:
        raise Overpayment(_("At most ¥%(left)s is still due on this installment.") % {"left": installment.amount_left})
    try:
        with transaction.atomic():
            Payment.objects.create(
                installment=installment, amount=amount, paid_on=paid_on, reference=reference,
                source=PaymentSource.RECORDED, recorded_by=actor,
            )  # fmt: skip
    except IntegrityError:
        # The same reference recorded at this moment for another installment (whose lock we do not hold).
        raise PaymentReferenceUsed() from None
    _add_to_installment(installment=installment, amount=amount)
    logger.info("payment recorded", extra={"installment_id": installment.pk, "reference": reference})
    return installment, True


def _add_to_installment(*, installment: Installment, amount: Decimal) -> None:
    installment.paid_amount += amount
    installment.status = status_after_payment(installment=installment, today=timezone.localdate())
    if installment.status == InstallmentStatus.PAID:
        installment.paid_at = timezone.now()
        cancel_collection_calls(installment_ids_sql="%s", params=[installment.pk])
    installment.save(update_fields=["paid_amount", "status", "paid_at"])


@transaction.atomic
def apply_repayment_coupon(*, installment_id: int, coupon_code: str, actor) -> Installment:
    """A monthly-repayment deduction coupon on one installment: the member picks it for an upcoming installment of
    their own loan, or finance applies it for them. What is due drops by the face value; one coupon pays towards
    one installment and an installment takes one coupon (the coupon's row lock and the installment's decide a
    race)."""
    is_member = getattr(actor, "member", None) is not None and not actor.is_staff
    if not is_member and not may_record_payments(user=actor):
        raise TransitionForbidden()
    installment = _locked_installment_for(user=actor, installment_id=installment_id)
    if installment.status in (InstallmentStatus.PAID, InstallmentStatus.OVERDUE) or installment.coupon_code:
        raise InstallmentClosedToCoupons()
    coupon = points_services.use_coupon(
        code=coupon_code, used_for=f"installment:{installment.pk}", actor=actor,
        member_id=installment.loan.order.member_id, kind=RewardKind.REPAYMENT_COUPON,
    )  # fmt: skip
    installment.coupon_code = coupon.code
    # Never below what is already paid: the coupon covers what is left, at most.
    installment.deduction = min(coupon.face_value, installment.amount - installment.paid_amount)
    installment.status = status_after_payment(installment=installment, today=timezone.localdate())
    if installment.status == InstallmentStatus.PAID:
        installment.paid_at = timezone.now()
    installment.save(update_fields=["coupon_code", "deduction", "status", "paid_at"])
    return installment


@transaction.atomic
def apply_down_payment_coupon(*, order_id: int, coupon_code: str, actor) -> Order:
    """The store takes a down-payment coupon (redeemed with points earned before signing) off the down payment at
    signing, up to the ``DOWN_PAYMENT_COUPON_CAP`` setting and never more than the down payment."""
    if not (actor.is_superuser or getattr(actor, "role", "") in (*STORE_ROLES, StaffRole.ADMIN)):
        raise TransitionForbidden()
    if not selectors.orders_visible_to(user=actor).filter(pk=order_id).exists():
        raise OrderNotFound()
    order = order_qs_select_for_update().get(pk=order_id)
    if order.state not in DOWN_PAYMENT_COUPON_STATES or order.down_payment_coupon_code:
        raise DownPaymentCouponNotAllowed()
    coupon = points_services.use_coupon(
        code=coupon_code, used_for=f"order:{order.pk}", actor=actor, member_id=order.member_id,
        kind=RewardKind.DOWN_PAYMENT_COUPON,
    )  # fmt: skip
    order.down_payment_coupon_code = coupon.code
    order.down_payment_deduction = min(coupon.face_value, Decimal(settings.DOWN_PAYMENT_COUPON_CAP), order.down_payment)
    order.save(update_fields=["down_payment_coupon_code", "down_payment_deduction", "updated_at"])
    return order


@dataclass(frozen=True)
class SettlementQuote:
    """What paying a loan off on ``on`` costs: what is overdue, the current installment in full, and the principal
    of every later one (their interest is not charged)."""

    on: datetime.date
    overdue: Decimal
    current: Decimal
    remaining_principal: Decimal
    interest_saved: Decimal
    # (installment, what settles it, the interest it no longer charges)
    lines: tuple

    @property
    def total(self) -> Decimal:
        return self.overdue + self.current + self.remaining_principal


def settlement_quote(*, installments: list[Installment], on: datetime.date) -> SettlementQuote:
    overdue = current = remaining = saved = ZERO
    lines = []
    current_found = False
    for item in installments:
        if item.status == InstallmentStatus.PAID:
            continue
        if item.due_on < on:
            overdue += item.amount_left
            lines.append((item, item.amount_left, ZERO))
        elif not current_found:
            current_found = True
            current += item.amount_left
            lines.append((item, item.amount_left, ZERO))
        else:
            left = max(item.principal - item.deduction - item.paid_amount, ZERO)
            remaining += left
            saved += item.interest
            lines.append((item, left, item.interest))
    return SettlementQuote(
        on=on, overdue=overdue, current=current, remaining_principal=remaining, interest_saved=saved,
        lines=tuple(lines),
    )  # fmt: skip


@transaction.atomic
def settle_loan_early(*, loan_id: int, paid_on: datetime.date, reference: str, actor) -> Loan:
    """Finance records that the member paid the loan off: what is left is recalculated (later installments lose
    their interest), one payment per open installment (``<reference>/<number>``), every installment paid."""
    if not may_record_payments(user=actor):
        raise TransitionForbidden(_("Only finance may record payments."))
    if not selectors.loans_visible_to(user=actor).filter(pk=loan_id).exists():
        raise InstallmentNotFound()
    loan = loan_qs_select_for_update().get(pk=loan_id)
    if loan.settled_on is not None:
        if Payment.objects.filter(installment__loan=loan, reference__startswith=f"{reference.strip()}/").exists():
            return loan  # the same settlement recorded again
        raise LoanAlreadySettled()
    installments = list(installment_qs_select_for_update().filter(loan=loan))
    quote = settlement_quote(installments=installments, on=paid_on)
    if not quote.lines:
        raise LoanAlreadySettled()
    now = timezone.now()
    for item, amount, waived_interest in quote.lines:
        if waived_interest:
            item.interest -= waived_interest
            item.amount -= waived_interest
            item.deduction = min(item.deduction, item.amount)
        if amount > 0:
            Payment.objects.create(
                installment=item, amount=amount, paid_on=paid_on, reference=f"{reference.strip()}/{item.number}",
                source=PaymentSource.SETTLEMENT, recorded_by=actor,
            )  # fmt: skip
        item.paid_amount = item.amount - item.deduction
        item.status = InstallmentStatus.PAID
        item.paid_at = now
        item.save(update_fields=["interest", "amount", "deduction", "paid_amount", "status", "paid_at"])
    loan.settled_on = paid_on
    loan.save(update_fields=["settled_on"])
    cancel_collection_calls(
        installment_ids_sql="SELECT id FROM orders_installment WHERE loan_id = %s", params=[loan.pk]
    )
    logger.info("loan settled early", extra={"loan_id": loan.pk, "total": str(quote.total)})
    return loan


BANK_CARD_FIELDS = ("bank_name", "bank_card_last4", "debit_day")
# The 29th to the 31st do not exist in every month: the debit day is one that does.
LAST_DEBIT_DAY = 28


def bank_card_problems(*, bank_name: str, bank_card_last4: str, debit_day: int | None) -> dict[str, str]:
    """What is wrong with a loan's collection details, by field (empty when nothing is): the forms of the back
    office and the admin show these, and the service refuses them."""
    problems = {}
    if not bank_name.strip():
        problems["bank_name"] = _("Please enter the bank's name.")
    if not (len(bank_card_last4) == 4 and bank_card_last4.isascii() and bank_card_last4.isdigit()):
        problems["bank_card_last4"] = _("Please enter the last 4 digits of the card, e.g. 6789.")
    if debit_day is None or not 1 <= debit_day <= LAST_DEBIT_DAY:
        problems["debit_day"] = _("The debit day is a day of the month from 1 to 28.")
    return problems


@transaction.atomic
def record_bank_card(*, loan_id: int, bank_name: str, bank_card_last4: str, debit_day: int | None, actor) -> Loan:
    """Finance enters the bank card repayments are debited from (only its last four digits: the loan system keeps
    the rest) and the debit day. Audited on the application's timeline like every staff edit; the same details
    again change nothing."""
    if not selectors.loans_visible_to(user=actor).filter(pk=loan_id).exists():
        raise LoanNotFound()  # another store's loan is not found, before asking whether they may change it
    if not may_record_payments(user=actor):
        raise TransitionForbidden(_("Only finance may change how a loan is collected."))
    bank_name, bank_card_last4 = bank_name.strip(), bank_card_last4.strip()
    problems = bank_card_problems(bank_name=bank_name, bank_card_last4=bank_card_last4, debit_day=debit_day)
    if problems:
        field, message = next(iter(problems.items()))
        raise InvalidBankCard(message, field=field)
    loan = loan_qs_select_for_update().select_related("order").get(pk=loan_id)
    before = (loan.bank_name, loan.bank_card_last4, loan.debit_day)
    if before == (bank_name, bank_card_last4, debit_day):
        return loan
    loan.bank_name, loan.bank_card_last4, loan.debit_day = bank_name, bank_card_last4, debit_day
    loan.save(update_fields=list(BANK_CARD_FIELDS))
    now = _card_text(bank_name=bank_name, last4=bank_card_last4, debit_day=debit_day)
    if before[1]:
        old = _card_text(bank_name=before[0], last4=before[1], debit_day=before[2])
        reason = _("Repayment card changed from %(old)s to %(new)s") % {"old": old, "new": now}
    else:
        reason = _("Repayment card: %(new)s") % {"new": now}
    order = loan.order
    OrderEvent.objects.create(
        order=order, transition="bank_card", from_state=order.state, to_state=order.state, actor=actor, reason=reason
    )
    logger.info("repayment card recorded", extra={"loan_id": loan.pk, "actor_id": actor.pk})
    return loan


def _card_text(*, bank_name: str, last4: str, debit_day: int | None) -> str:
    return _("%(bank)s card ending %(last4)s, debited on day %(day)s") % {
        "bank": bank_name, "last4": last4, "day": debit_day if debit_day is not None else "—",
    }  # fmt: skip


def mark_overdue_installments(*, day: datetime.date) -> int:
    """Installments not paid in full by their due date become ``overdue`` (one statement, run each morning)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE orders_installment SET status = %s WHERE due_on < %s AND status IN (%s, %s)",
            [InstallmentStatus.OVERDUE, day, InstallmentStatus.DUE, InstallmentStatus.PARTLY_PAID],
        )
        return max(cursor.rowcount, 0)
