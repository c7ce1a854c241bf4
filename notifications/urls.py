from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("me/messages/", views.inbox, name="inbox"),
    path("me/messages/<int:message_id>/", views.message_detail, name="message"),
    path("me/notifications/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
