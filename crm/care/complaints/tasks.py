from celery import shared_task

from crm.care.complaints.services import sweep_complaint_slas


@shared_task(acks_late=True)
def sweep_complaint_slas_task() -> dict:
    """Safe to run twice: each escalation happens once."""
    return sweep_complaint_slas()
