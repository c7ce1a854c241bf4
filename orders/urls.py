from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("cars/", views.catalog, name="catalog"),
    path("cars/trims/<int:trim_id>/", views.choose_plan, name="choose-plan"),
    path("cars/trims/<int:trim_id>/apply/", views.apply, name="apply"),
    path("me/orders/", views.order_list, name="list"),
    path("me/loans/", views.loans, name="loans"),
    path(
        "me/loans/installments/<int:installment_id>/coupon/", views.apply_installment_coupon, name="installment-coupon"
    ),
    path("me/orders/<int:order_id>/", views.order_detail, name="detail"),
    path("me/orders/<int:order_id>/steps/<str:name>/", views.take_step, name="step"),
    path("me/orders/<int:order_id>/documents/<int:document_id>/", views.document_file, name="document"),
]
