from django.urls import path

from crm.care.rescue import views

app_name = "rescue"

urlpatterns = [
    path("me/rescue/", views.rescue_home, name="home"),
    path("me/rescue/<int:rescue_id>/", views.rescue_detail, name="detail"),
    path("me/rescue/<int:rescue_id>/cancel/", views.rescue_cancel, name="cancel"),
]
