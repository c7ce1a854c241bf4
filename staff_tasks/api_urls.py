from django.urls import path

from staff_tasks import api

urlpatterns = [
    path("backoffice/tasks/", api.TaskListApi.as_view(), name="backoffice-task-list"),
    path("backoffice/tasks/<int:task_id>/complete/", api.TaskCompleteApi.as_view(), name="backoffice-task-complete"),
    path("backoffice/tasks/<int:task_id>/assign/", api.TaskAssignApi.as_view(), name="backoffice-task-assign"),
]
