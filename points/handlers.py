"""Points for member events (members cannot import points, so points subscribes; see members/events.py)."""

from points import services
from points.enums import EarnEvent


def award_registration(*, member_id: int) -> None:
    services.earn_points(member_id=member_id, event=EarnEvent.REGISTRATION, idempotency_key=f"registration:{member_id}")


def award_profile_completed(*, member_id: int) -> None:
    services.earn_points(
        member_id=member_id, event=EarnEvent.PROFILE_COMPLETED, idempotency_key=f"profile_completed:{member_id}"
    )


def award_identity_verified(*, member_id: int) -> None:
    services.earn_points(
        member_id=member_id, event=EarnEvent.IDENTITY_VERIFIED, idempotency_key=f"identity_verified:{member_id}"
    )


def queue_award(event: str):
    """The subscriber for ``event``: queue the award as a task (it runs in-process in the demo and the tests)."""

    def queue(*, member_id: int) -> None:
        from common.tasks import enqueue
        from points.tasks import award_member_event_task

        enqueue(award_member_event_task, event=event, member_id=member_id)

    return queue
