from django.urls import path

from vehicles import api

urlpatterns = [
    path("catalog/models/", api.CatalogModelListApi.as_view(), name="catalog-models"),
    path("catalog/plans/", api.CatalogPlanListApi.as_view(), name="catalog-plans"),
]
