from django.urls import path

from notifications import api

urlpatterns = [
    path("inbox/", api.InboxListApi.as_view(), name="inbox-list"),
    path("inbox/<int:message_id>/read/", api.InboxReadApi.as_view(), name="inbox-read"),
    path("preferences/", api.PreferencesApi.as_view(), name="preferences"),
]
