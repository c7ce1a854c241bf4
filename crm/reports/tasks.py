from celery import shared_task

from crm.reports.services import refresh_report_aggregates


@shared_task(acks_late=True)
def refresh_report_aggregates_task() -> dict:
    return refresh_report_aggregates()
