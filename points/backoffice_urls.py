from django.urls import path

from points import backoffice

app_name = "points-backoffice"

urlpatterns = [
    path("use/", backoffice.use_service_coupon, name="use-coupon"),
]
