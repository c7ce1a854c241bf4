from celery import shared_task

from notifications import services
from notifications.sms import SmsDeliveryError


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_notification_task(self, *, notification_id: int) -> None:
    try:
        services.deliver_notification(notification_id=notification_id)
    except services.Throttled as error:
        # The shared provider limit is used up for this second: the queue drains at the limit's pace.
        raise self.retry(exc=error, countdown=1) from error
    except SmsDeliveryError as error:
        # Back-off 10 s, 20 s, 40 s … at most 5 minutes; the service gives up after NOTIFICATION_MAX_ATTEMPTS.
        raise self.retry(exc=error, countdown=min(300, 10 * 2**self.request.retries)) from error


@shared_task(acks_late=True)
def dispatch_due_notifications_task() -> int:
    return services.dispatch_due_notifications()


@shared_task(acks_late=True)
def sweep_stuck_notifications_task() -> dict:
    return services.sweep_stuck_notifications()
