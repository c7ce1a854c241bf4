import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("member_center")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_database_connections(task=None, **_kwargs) -> None:
    """Around each task what Django does around each request: drop a connection that broke or outlived
    CONN_MAX_AGE and health-check the next use; a healthy one is kept (CELERY_DB_REUSE_MAX). Eager tasks run inside
    the caller's request or transaction and leave its connection alone."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
