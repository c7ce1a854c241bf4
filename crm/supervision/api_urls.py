from django.urls import path

from crm.supervision import api

urlpatterns = [
    path(
        "backoffice/reports/task-execution/",
        api.TaskExecutionReportApi.as_view(),
        name="backoffice-report-task-execution",
    ),
]
