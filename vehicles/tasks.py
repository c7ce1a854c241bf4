from celery import shared_task

from vehicles import services
from vehicles.exceptions import ProviderUnavailable


@shared_task(acks_late=True, autoretry_for=(ProviderUnavailable,), retry_backoff=60, max_retries=5)
def confirm_aftermarket_booking_task(*, booking_id: int) -> str:
    return services.confirm_aftermarket_booking(booking_id=booking_id).status
