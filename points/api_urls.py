from django.urls import path

from points import api

urlpatterns = [
    path("points/", api.PointsSummaryApi.as_view(), name="points-summary"),
    path("points/entries/", api.PointsEntryListApi.as_view(), name="points-entries"),
    path("rewards/", api.RewardListApi.as_view(), name="reward-list"),
    path("redemptions/", api.RedemptionCreateApi.as_view(), name="redemption-create"),
    path("coupons/", api.CouponListApi.as_view(), name="coupon-list"),
]
