"""Points for member events (members cannot import points; settings.DOMAIN_EVENT_SUBSCRIBERS routes the events
here). Each takes the DomainEvent row and is idempotent by its points key, like every earn."""

from points import services
from points.enums import EarnEvent


def award_registration(event) -> None:
    member_id = event.payload["member_id"]
    services.earn_points(member_id=member_id, event=EarnEvent.REGISTRATION, idempotency_key=f"registration:{member_id}")


def award_profile_completed(event) -> None:
    member_id = event.payload["member_id"]
    services.earn_points(
        member_id=member_id, event=EarnEvent.PROFILE_COMPLETED, idempotency_key=f"profile_completed:{member_id}"
    )


def award_identity_verified(event) -> None:
    member_id = event.payload["member_id"]
    services.earn_points(
        member_id=member_id, event=EarnEvent.IDENTITY_VERIFIED, idempotency_key=f"identity_verified:{member_id}"
    )


def award_qualification_completed(event) -> None:
    member_id = event.payload["member_id"]
    services.earn_points(
        member_id=member_id,
        event=EarnEvent.QUALIFICATION_COMPLETED,
        idempotency_key=f"qualification_completed:{member_id}",
    )
