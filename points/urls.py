from django.urls import path

from points import views

app_name = "points"

urlpatterns = [
    path("me/points/", views.history, name="history"),
    path("me/rewards/", views.rewards, name="rewards"),
    path("me/rewards/<int:reward_id>/redeem/", views.redeem, name="redeem"),
    path("me/coupons/", views.coupons, name="coupons"),
]
