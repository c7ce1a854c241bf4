from django.urls import path

from points import views

app_name = "points"

urlpatterns = [
    path("me/points/", views.history, name="history"),
    path("me/rewards/", views.rewards, name="rewards"),
    path("me/rewards/<int:reward_id>/redeem/", views.redeem, name="redeem"),
    path("me/coupons/", views.coupons, name="coupons"),
    path("me/card/", views.card, name="card"),
    path("me/card/withdraw/", views.card_withdraw, name="card-withdraw"),
    path("me/card/<slug:action>/", views.card_action, name="card-action"),
]
