from django.urls import path

from crm.reports import backoffice

# Its own namespace: the page is linked as ``supervision:task-execution``.
app_name = "supervision"

urlpatterns = [
    path("", backoffice.task_execution_page, name="task-execution"),
]
