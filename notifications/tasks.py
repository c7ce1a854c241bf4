from celery import shared_task

from notifications import services
from notifications.sms import SmsDeliveryError


@shared_task(bind=True, acks_late=True, max_retries=5)
def deliver_notification_task(self, *, notification_id: int) -> None:
    try:
        services.deliver_notification(notification_id=notification_id)
    except SmsDeliveryError as error:
        raise self.retry(exc=error, countdown=min(300, 10 * 2**self.request.retries)) from error
