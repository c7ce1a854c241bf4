from django.urls import path

from crm.reports import backoffice

app_name = "reports"

urlpatterns = [
    path("", backoffice.report_index, name="index"),
    path("not-returned/recall-tasks/", backoffice.create_recall_tasks, name="recall-tasks"),
    path("<slug:slug>/", backoffice.report_page, name="report"),
]
