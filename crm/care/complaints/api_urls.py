from django.urls import path

from crm.care.complaints import api

urlpatterns = [
    path("complaints/", api.ComplaintListApi.as_view(), name="complaint-list"),
    path("complaints/<int:complaint_id>/", api.ComplaintDetailApi.as_view(), name="complaint-detail"),
    path("complaints/<int:complaint_id>/rating/", api.ComplaintRatingApi.as_view(), name="complaint-rating"),
    path("backoffice/complaints/", api.BackofficeComplaintListApi.as_view(), name="backoffice-complaint-list"),
    path(
        "backoffice/complaints/<int:complaint_id>/",
        api.BackofficeComplaintDetailApi.as_view(),
        name="backoffice-complaint-detail",
    ),
    path(
        "backoffice/complaints/<int:complaint_id>/transitions/<str:name>/",
        api.BackofficeComplaintTransitionApi.as_view(),
        name="backoffice-complaint-transition",
    ),
    path(
        "backoffice/complaints/<int:complaint_id>/pause/",
        api.BackofficeComplaintPauseApi.as_view(),
        name="backoffice-complaint-pause",
    ),
    path(
        "backoffice/complaints/<int:complaint_id>/resume/",
        api.BackofficeComplaintResumeApi.as_view(),
        name="backoffice-complaint-resume",
    ),
]
