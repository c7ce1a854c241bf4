from celery import shared_task

from members import services
from notifications.sms import SmsDeliveryError


@shared_task(bind=True, acks_late=True, max_retries=3)
def deliver_sign_in_code_task(self, *, phone: str, code: str) -> None:
    try:
        services.deliver_sign_in_code(phone=phone, code=code)
    except SmsDeliveryError as error:
        # A code lives five minutes: retry soon or not at all.
        if error.is_retryable:
            raise self.retry(exc=error, countdown=5 * (self.request.retries + 1)) from error
        raise


@shared_task
def purge_expired_retained_identities_task() -> int:
    from members.personal_data import purge_expired_retained_identities

    return purge_expired_retained_identities()


@shared_task
def purge_unusable_access_tokens_task() -> int:
    from members.services import purge_unusable_access_tokens

    return purge_unusable_access_tokens()
