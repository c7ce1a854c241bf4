"""Row locks for the task app, taken only by its services, always in primary-key order."""

from staff_tasks.models import Task


def task_qs_select_for_update():
    return Task.objects.order_by("pk").select_for_update(of=("self",))
