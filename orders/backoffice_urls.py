from django.urls import path

from orders import backoffice

app_name = "backoffice"

urlpatterns = [
    path("", backoffice.order_queue, name="queue"),
    path("orders/<int:order_id>/", backoffice.order_page, name="order"),
    path("orders/<int:order_id>/steps/<str:name>/", backoffice.take_step, name="step"),
    path(
        "orders/<int:order_id>/installments/<int:installment_id>/coupon/",
        backoffice.apply_coupon,
        name="apply-coupon",
    ),
    path(
        "orders/<int:order_id>/installments/<int:installment_id>/payments/",
        backoffice.record_payment,
        name="record-payment",
    ),
    path("orders/<int:order_id>/settlement/", backoffice.settle_early, name="settle-early"),
    path(
        "orders/<int:order_id>/down-payment-coupon/", backoffice.apply_down_payment_coupon, name="down-payment-coupon"
    ),
    path("orders/<int:order_id>/store/", backoffice.reassign_store, name="reassign-store"),
    path("orders/<int:order_id>/credit-override/", backoffice.agree_despite_credit_decline, name="credit-override"),
    path("orders/<int:order_id>/assign-store/", backoffice.assign_store, name="assign-store"),
    path("orders/<int:order_id>/documents/<int:document_id>/", backoffice.document_file, name="document"),
]
