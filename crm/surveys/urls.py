from django.urls import path

from crm.surveys import views

app_name = "surveys"

urlpatterns = [
    path("s/<str:token>/", views.survey_page, name="answer"),
]
