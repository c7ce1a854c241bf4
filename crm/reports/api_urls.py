from django.urls import path

from crm.reports.api import REPORT_APIS

urlpatterns = [
    path(f"backoffice/reports/{slug}/", view.as_view(), name=f"backoffice-report-{slug}")
    for slug, view in REPORT_APIS.items()
]
