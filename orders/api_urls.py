from django.urls import path

from orders import api, money_api

urlpatterns = [
    path("orders/", api.OrderListApi.as_view(), name="order-list"),
    path("orders/<int:order_id>/", api.OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<int:order_id>/transitions/<str:name>/", api.OrderTransitionApi.as_view(), name="order-transition"),
    path("orders/<int:order_id>/documents/", api.OrderDocumentListApi.as_view(), name="order-documents"),
    path(
        "orders/<int:order_id>/documents/<int:document_id>/file/",
        api.OrderDocumentFileApi.as_view(),
        name="order-document-file",
    ),
    path("loans/", api.LoanListApi.as_view(), name="loan-list"),
    path(
        "loans/installments/<int:installment_id>/coupon/",
        money_api.InstallmentCouponApi.as_view(),
        name="installment-coupon",
    ),
    path(
        "backoffice/installments/<int:installment_id>/payments/",
        money_api.InstallmentPaymentApi.as_view(),
        name="backoffice-installment-payments",
    ),
    path("backoffice/orders/", api.BackofficeOrderListApi.as_view(), name="backoffice-order-list"),
    path("backoffice/orders/<int:order_id>/", api.BackofficeOrderDetailApi.as_view(), name="backoffice-order-detail"),
    path(
        "backoffice/orders/<int:order_id>/transitions/<str:name>/",
        api.BackofficeOrderTransitionApi.as_view(),
        name="backoffice-order-transition",
    ),
    path(
        "backoffice/orders/<int:order_id>/credit-override/",
        api.BackofficeCreditOverrideApi.as_view(),
        name="backoffice-order-credit-override",
    ),
    path(
        "backoffice/orders/<int:order_id>/assign-store/",
        api.BackofficeOrderAssignStoreApi.as_view(),
        name="backoffice-order-assign-store",
    ),
    path(
        "backoffice/orders/<int:order_id>/documents/",
        api.BackofficeOrderDocumentListApi.as_view(),
        name="backoffice-order-documents",
    ),
]
