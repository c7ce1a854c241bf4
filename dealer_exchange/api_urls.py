from django.urls import path

from dealer_exchange import api

urlpatterns = [
    path("dealer/exports/", api.DealerExportApi.as_view(), name="dealer-export"),
]
