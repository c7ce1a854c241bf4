from django.urls import path

from members.staff_sign_in import staff_sign_in, staff_sign_out
from orders import backoffice

app_name = "backoffice"

urlpatterns = [
    path("", backoffice.order_queue, name="queue"),
    path("sign-in/", staff_sign_in, name="sign-in"),
    path("sign-out/", staff_sign_out, name="sign-out"),
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
    path("orders/<int:order_id>/bank-card/", backoffice.record_bank_card, name="bank-card"),
    path(
        "orders/<int:order_id>/down-payment-coupon/", backoffice.apply_down_payment_coupon, name="down-payment-coupon"
    ),
    path(
        "orders/<int:order_id>/documents/<int:document_id>/review/", backoffice.review_document, name="review-document"
    ),
    path("orders/<int:order_id>/expected-arrival/", backoffice.record_expected_arrival, name="expected-arrival"),
    path("orders/<int:order_id>/store/", backoffice.reassign_store, name="reassign-store"),
    path("orders/<int:order_id>/credit-override/", backoffice.agree_despite_credit_decline, name="credit-override"),
    path("orders/<int:order_id>/assign-store/", backoffice.assign_store, name="assign-store"),
    path("orders/<int:order_id>/documents/<int:document_id>/", backoffice.document_file, name="document"),
]
