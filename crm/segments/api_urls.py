from django.urls import path

from crm.segments import api

urlpatterns = [
    path("backoffice/members/<int:member_id>/tags/", api.MemberTagsApi.as_view(), name="backoffice-member-tags"),
]
