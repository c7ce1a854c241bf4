"""The orders part of a member's data, and what applications and loans mean for closing an account."""

from django.db import transaction
from django.db.models import Prefetch

from orders.enums import NON_TERMINAL_STATES, InstallmentStatus
from orders.models import Installment, Loan, Order, OrderDocument


def _money(value) -> str | None:
    return None if value is None else str(value)


def orders_section(*, member) -> list[dict]:
    orders = (
        Order.objects.filter(member=member)
        .select_related("trim__car_model__brand", "store", "loan")
        .prefetch_related(Prefetch("loan__installments", queryset=Installment.objects.order_by("number")))
        .order_by("created_at", "pk")
    )
    rows = []
    for order in orders:
        loan = getattr(order, "loan", None)
        rows.append(
            {
                "number": order.number,
                "state": order.state,
                "car": str(order.trim),
                "store": order.store.code if order.store_id else None,
                "price": _money(order.price),
                "down_payment": _money(order.down_payment),
                "monthly_payment": _money(order.monthly_payment),
                "plate": order.plate,
                "created_at": order.created_at.isoformat(),
                "loan": None
                if loan is None
                else {
                    "principal": _money(loan.principal),
                    "annual_rate": _money(loan.annual_rate),
                    "term_months": loan.term_months,
                    "monthly_payment": _money(loan.monthly_payment),
                    "disbursed_at": loan.disbursed_at.isoformat(),
                    "installments": [
                        {
                            "number": installment.number,
                            "due_on": installment.due_on.isoformat(),
                            "amount": _money(installment.amount),
                            "status": installment.status,
                        }
                        for installment in loan.installments.all()
                    ],
                },
            }
        )
    return rows


def has_active_application_or_unpaid_loan(*, member) -> bool:
    if Order.objects.filter(member=member, state__in=NON_TERMINAL_STATES).exists():
        return True
    return Installment.objects.filter(loan__order__member=member).exclude(status=InstallmentStatus.PAID).exists()


def had_a_loan(*, member) -> bool:
    """Loan records (and anti-money-laundering rules) require keeping the borrower's identity after closing."""
    return Loan.objects.filter(order__member=member).exists()


def erase_documents_without_loan(*, member) -> None:
    """Uploaded ID photos, income proofs and bank statements of applications that never became a loan are not loan
    records: they go, files and rows. A loan's documents stay with the loan."""
    documents = list(OrderDocument.objects.filter(order__member=member, order__loan__isnull=True))
    OrderDocument.objects.filter(pk__in=[document.pk for document in documents]).delete()
    for document in documents:
        # The file goes once the closing has committed: a rollback must not leave rows without their files.
        transaction.on_commit(lambda file=document.file: file.delete(save=False))
