from django.urls import path

from appointments import backoffice

app_name = "appointments-backoffice"

urlpatterns = [
    path("", backoffice.appointment_list, name="list"),
    path("<int:appointment_id>/<str:action>/", backoffice.act, name="act"),
]
