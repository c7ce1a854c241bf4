from django.urls import path

from appointments import views

app_name = "appointments"

urlpatterns = [
    path("me/appointments/", views.my_appointments, name="mine"),
    path("me/appointments/new/", views.book, name="book"),
    path("me/appointments/<int:appointment_id>/cancel/", views.cancel, name="cancel"),
]
