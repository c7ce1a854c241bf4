from celery import shared_task
from django.conf import settings

from orders import repayment_import, services
from orders.credit import CreditProviderError


@shared_task(bind=True, acks_late=True, max_retries=None)
def run_credit_check_task(self, *, credit_check_id: int) -> None:
    try:
        services.run_credit_check(credit_check_id=credit_check_id)
    except CreditProviderError as error:
        if self.request.retries + 1 >= settings.CREDIT_CHECK_MAX_ATTEMPTS:
            return  # left in "error": the reviewer sees it and can run the check again
        raise self.retry(exc=error, countdown=min(120, 15 * 2**self.request.retries)) from error


@shared_task(acks_late=True)
def email_delivery_documents_task(*, order_id: int) -> None:
    """Queues the delivery e-mail through the outbox (idempotent); the handover itself queues it in its own
    transaction, so this only serves messages still in the broker and manual re-queues."""
    services.queue_delivery_documents_email(order_id=order_id)


@shared_task(acks_late=True)
def requeue_pending_credit_checks_task() -> int:
    return services.requeue_pending_credit_checks()


@shared_task(acks_late=True)
def apply_repayment_file_task(*, repayment_import_id: int) -> None:
    """Safe to run twice: a file already applied or rejected is left as it is."""
    repayment_import.apply_repayment_file(repayment_import_id=repayment_import_id)
