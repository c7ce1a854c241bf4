from django.urls import path

from appointments import api

urlpatterns = [
    path("appointments/", api.AppointmentListApi.as_view(), name="appointment-list"),
]
