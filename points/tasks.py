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
