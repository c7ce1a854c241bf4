from members.models import Member
from orders.models import CreditCheck, Installment, Loan, Order


def order_qs_select_for_update():
    return Order.objects.order_by("pk").select_for_update(of=("self",))


def credit_check_qs_select_for_update():
    return CreditCheck.objects.order_by("pk").select_for_update(of=("self",))


def applicant_qs_select_for_update():
    """Member rows, locked while an application is opened for one: of two openings at once, the second waits for
    the first and then sees it."""
    return Member.objects.order_by("pk").select_for_update(of=("self",))


def installment_qs_select_for_update():
    return Installment.objects.order_by("pk").select_for_update(of=("self",))


def loan_qs_select_for_update():
    return Loan.objects.order_by("pk").select_for_update(of=("self",))
