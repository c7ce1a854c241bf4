from celery import shared_task
from django.conf import settings

from dealer_exchange.services import scan_export_folder


@shared_task(acks_late=True)
def scan_dealer_exports_task() -> int:
    """Apply the exports the dealer system dropped in DEALER_EXPORT_DIR (nothing when it is not set)."""
    return len(scan_export_folder(directory=settings.DEALER_EXPORT_DIR))
