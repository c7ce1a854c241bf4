"""Subscribers of vehicles' domain events (settings.DOMAIN_EVENT_SUBSCRIBERS): each takes the DomainEvent row and
is idempotent."""

from points.services import award_service_spend
from vehicles.models import ServiceRecord


def award_service_spend_points(event) -> None:
    """Points for a service bill by who paid; the dealer reference is the points key, so it earns once."""
    record = ServiceRecord.objects.select_related("vehicle").get(pk=event.payload["service_record_id"])
    award_service_spend(
        member_id=record.vehicle.member_id,
        record_reference=f"service_record:{record.dealer_reference}",
        spend_by_type={
            "customer": record.customer_amount, "insurance": record.insurance_amount,
            "manufacturer": record.manufacturer_amount, "internal": record.internal_amount,
        },
    )  # fmt: skip
