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


@shared_task(bind=True, acks_late=True, max_retries=5)
def award_member_event_task(self, *, event: str, member_id: int) -> None:
    """Points for a member event, off the request that caused it (sign-up stays fast). Idempotent by its key."""
    from points import handlers

    handler = {
        "member.registered": handlers.award_registration,
        "member.profile_completed": handlers.award_profile_completed,
        "member.identity_verified": handlers.award_identity_verified,
    }[event]
    try:
        handler(member_id=member_id)
    except Exception as error:
        raise self.retry(exc=error, countdown=30 * (self.request.retries + 1)) from error
