from celery import shared_task
from django.utils import timezone

from crm.services import run_reminders


@shared_task(acks_late=True)
def run_reminders_task() -> dict:
    return run_reminders(day=timezone.localdate())
