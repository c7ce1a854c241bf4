from django.urls import path

from crm.owner_events import views

app_name = "owner-events-member"

urlpatterns = [
    path("me/events/", views.event_list, name="list"),
    path("me/events/<int:event_id>/register/", views.register, name="register"),
    path("me/events/<int:event_id>/cancel/", views.cancel, name="cancel"),
]
