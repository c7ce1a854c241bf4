from django.urls import path

from crm.owner_events import api

urlpatterns = [
    path("events/", api.EventListApi.as_view(), name="event-list"),
    path("events/<int:event_id>/registrations/", api.EventRegistrationApi.as_view(), name="event-registrations"),
]
