from django.urls import path

from crm.surveys import api

urlpatterns = [
    path("surveys/<str:token>/", api.SurveyApi.as_view(), name="survey"),
]
