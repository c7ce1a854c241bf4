from celery import shared_task

from crm.reports.services import refresh_funnel_days


@shared_task(acks_late=True)
def refresh_report_aggregates_task() -> int:
    return refresh_funnel_days()
