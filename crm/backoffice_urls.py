from django.urls import path

from crm import backoffice

app_name = "crm-backoffice"

urlpatterns = [
    path("weather-care/", backoffice.weather_care_page, name="weather-care"),
]
