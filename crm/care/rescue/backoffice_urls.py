from django.urls import path

from crm.care.rescue import backoffice

app_name = "rescue-backoffice"

urlpatterns = [
    path("", backoffice.rescue_list, name="list"),
    path("<int:rescue_id>/", backoffice.rescue_page, name="rescue"),
    path("<int:rescue_id>/<str:name>/", backoffice.rescue_step, name="step"),
]
