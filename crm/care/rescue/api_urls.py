from django.urls import path

from crm.care.rescue import api

urlpatterns = [
    path("rescue/", api.RescueListApi.as_view(), name="rescue-list"),
    path("rescue/<int:rescue_id>/", api.RescueDetailApi.as_view(), name="rescue-detail"),
    path("rescue/<int:rescue_id>/cancel/", api.RescueCancelApi.as_view(), name="rescue-cancel"),
    path("backoffice/rescue/", api.BackofficeRescueListApi.as_view(), name="backoffice-rescue-list"),
    path("backoffice/rescue/<int:rescue_id>/", api.BackofficeRescueDetailApi.as_view(), name="backoffice-rescue"),
    path(
        "backoffice/rescue/<int:rescue_id>/transitions/<str:name>/",
        api.BackofficeRescueTransitionApi.as_view(),
        name="backoffice-rescue-transition",
    ),
]
