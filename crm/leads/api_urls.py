from django.urls import path

from crm.leads import api

urlpatterns = [
    path("leads/", api.QuickSubmitApi.as_view(), name="lead-quick-submit"),
    path("partner/leads/", api.PartnerLeadApi.as_view(), name="partner-lead-create"),
    path("backoffice/leads/", api.BackofficeLeadListApi.as_view(), name="backoffice-lead-list"),
    path("backoffice/leads/<int:lead_id>/", api.BackofficeLeadDetailApi.as_view(), name="backoffice-lead-detail"),
    path(
        "backoffice/leads/<int:lead_id>/contacts/",
        api.BackofficeLeadContactApi.as_view(),
        name="backoffice-lead-contacts",
    ),
    path(
        "backoffice/leads/<int:lead_id>/assign/", api.BackofficeLeadAssignApi.as_view(), name="backoffice-lead-assign"
    ),
]
