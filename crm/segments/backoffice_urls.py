from django.urls import path

from crm.segments import backoffice

app_name = "segments"

urlpatterns = [
    path("<int:member_id>/tags/<str:action>/", backoffice.change_member_tag, name="member-tag"),
]
