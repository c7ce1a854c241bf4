from django.urls import path

from crm.customer360 import backoffice

app_name = "customer360"

urlpatterns = [
    path("", backoffice.member_search, name="search"),
    path("card/", backoffice.card_lookup, name="card-lookup"),
    path("<int:member_id>/", backoffice.member_page, name="member"),
]
