from django.urls import path

from vehicles import api

urlpatterns = [
    path("catalog/models/", api.CatalogModelListApi.as_view(), name="catalog-models"),
    path("catalog/plans/", api.CatalogPlanListApi.as_view(), name="catalog-plans"),
    path("catalog/plans/<int:plan_id>/quote/", api.CatalogPlanQuoteApi.as_view(), name="catalog-plan-quote"),
    path("vehicles/", api.VehicleListApi.as_view(), name="vehicle-list"),
    path("vehicles/<int:vehicle_id>/", api.VehicleDetailApi.as_view(), name="vehicle-detail"),
    path("vehicles/<int:vehicle_id>/violations/", api.VehicleViolationListApi.as_view(), name="vehicle-violations"),
    path("aftermarket/services/", api.AftermarketServiceListApi.as_view(), name="aftermarket-services"),
    path("aftermarket/bookings/", api.AftermarketBookingListApi.as_view(), name="aftermarket-bookings"),
]
