from orders.models import CreditCheck, Order


def order_qs_select_for_update():
    return Order.objects.order_by("pk").select_for_update(of=("self",))


def credit_check_qs_select_for_update():
    return CreditCheck.objects.order_by("pk").select_for_update(of=("self",))
