from celery import shared_task

from points import services


@shared_task(acks_late=True)
def expire_points_task() -> int:
    return services.expire_points()


@shared_task(acks_late=True)
def notify_expiring_points_task() -> int:
    return services.notify_expiring_points()


@shared_task(acks_late=True)
def release_referral_rewards_task() -> int:
    return services.release_referral_rewards()


@shared_task(acks_late=True)
def award_member_event_task(*, event: str, member_id: int) -> None:
    """Messages of this name may still sit in the broker from a release that queued member awards directly; they
    earn under the same idempotency keys as the domain-event subscribers, so nothing is earned twice."""
    from points.enums import EarnEvent

    earn_event = {
        "member.registered": (EarnEvent.REGISTRATION, "registration"),
        "member.profile_completed": (EarnEvent.PROFILE_COMPLETED, "profile_completed"),
        "member.identity_verified": (EarnEvent.IDENTITY_VERIFIED, "identity_verified"),
    }[event]
    services.earn_points(member_id=member_id, event=earn_event[0], idempotency_key=f"{earn_event[1]}:{member_id}")
