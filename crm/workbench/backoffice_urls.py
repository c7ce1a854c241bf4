from django.urls import path

from crm.workbench import backoffice

app_name = "workbench"

urlpatterns = [
    path("", backoffice.task_list, name="tasks"),
    path("assign/", backoffice.bulk_assign, name="bulk-assign"),
    path("<int:task_id>/", backoffice.task_page, name="task"),
    path("<int:task_id>/complete/", backoffice.complete, name="complete"),
    path("<int:task_id>/assign/", backoffice.assign, name="assign"),
]
