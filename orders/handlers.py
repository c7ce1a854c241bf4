"""What follows an application's steps once they have committed: points for the first application, their reversal,
the referral reward on delivery, the call after a model change. Subscribers of the order.* domain events
(settings.DOMAIN_EVENT_SUBSCRIBERS); each takes the DomainEvent row and is idempotent (points' keys are per member
and event; the call's task key is per new application)."""

from django.utils import timezone

from members import cards as card_services
from orders.models import Order
from points import services as points_services
from staff_tasks import services as task_services


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


def open_model_change_call(event) -> None:
    """A member who changed the model is called at once, so the sale is not lost: a task due now for the new
    application's store (or head office's unassigned queue when it has none). Once per new application."""
    order = Order.objects.select_related("member").get(pk=event.payload["order_id"])
    task_services.open_rule_task(
        rule_code="model_change_call", context={"name": order.member.name or order.member.real_name,
                                                "number": order.number},
        due_at=timezone.now(), store=order.store, member=order.member, subject_type="order", subject_id=order.pk,
        dedupe_key=f"rule:model_change_call:order:{order.pk}",
    )  # fmt: skip


def issue_membership_card(event) -> None:
    """The first delivery makes the member a card holder; a member who already holds a card keeps it."""
    order = Order.objects.get(pk=event.payload["order_id"])
    card_services.issue_card(member_id=order.member_id, note=f"delivery of order {order.number}", if_missing=True)
