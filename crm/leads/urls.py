from django.urls import path

from crm.leads import views

app_name = "leads"

urlpatterns = [
    path("quick/", views.quick_submit, name="quick-submit"),
    path("quick/thanks/", views.quick_submit_done, name="quick-submit-done"),
]
