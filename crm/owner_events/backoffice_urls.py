from django.urls import path

from crm.owner_events import backoffice

app_name = "owner-events"

urlpatterns = [
    path("", backoffice.event_list, name="list"),
    path("<int:event_id>/", backoffice.event_page, name="event"),
    path("<int:event_id>/registrations/<int:registration_id>/check-in/", backoffice.check_in, name="check-in"),
    path("<int:event_id>/invite/", backoffice.invite, name="invite"),
]
