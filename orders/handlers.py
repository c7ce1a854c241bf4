"""What follows an application's steps once they have committed: points for the first application, their reversal,
the referral reward on delivery. Subscribers of the order.* domain events (settings.DOMAIN_EVENT_SUBSCRIBERS);
each takes the DomainEvent row and is idempotent (points' keys are per member and event)."""

from orders.models import Order
from points import services as points_services


def award_first_application_points(event) -> None:
    order = Order.objects.select_related("member").get(pk=event.payload["order_id"])
    points_services.award_first_application(
        member_id=order.member_id, registered_at=order.member.created_at, source=f"order:{order.pk}",
        submitted_at=event.created_at,
    )  # fmt: skip


def reverse_first_application_points(event) -> None:
    order = Order.objects.get(pk=event.payload["order_id"])
    points_services.reverse_first_application(member_id=order.member_id, source=f"order:{order.pk}")


def record_referral_delivery(event) -> None:
    order = Order.objects.select_related("member").get(pk=event.payload["order_id"])
    if order.member.referred_by_id:
        points_services.record_referral_delivery(
            invitee_id=order.member_id, referrer_id=order.member.referred_by_id, source=f"order:{order.pk}"
        )
