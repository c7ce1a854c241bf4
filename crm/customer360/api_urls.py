from django.urls import path

from crm.customer360 import api

urlpatterns = [
    path("backoffice/members/", api.MemberSearchApi.as_view(), name="backoffice-member-list"),
    path("backoffice/members/<int:member_id>/", api.MemberDetailApi.as_view(), name="backoffice-member-detail"),
]
