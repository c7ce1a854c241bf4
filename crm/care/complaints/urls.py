from django.urls import path

from crm.care.complaints import views

app_name = "complaints"

urlpatterns = [
    path("me/complaints/", views.complaint_list, name="list"),
    path("me/complaints/new/", views.complaint_new, name="new"),
    path("me/complaints/<int:complaint_id>/", views.complaint_detail, name="detail"),
]
