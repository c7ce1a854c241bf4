from django.urls import path

from crm.supervision import backoffice

app_name = "supervision"

urlpatterns = [
    path("", backoffice.task_execution_page, name="task-execution"),
]
