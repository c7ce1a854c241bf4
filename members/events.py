"""Member events for the apps above members (points rewards registration, a completed profile, verification).

The layer order lets points import members but not the reverse, so members records what happened as a domain event
in the member's transaction (domain_events); settings.DOMAIN_EVENT_SUBSCRIBERS says who reacts. Subscribers run
after commit, once each; a broker outage delays them (the sweeper picks the row up) but never loses them.
"""

from collections.abc import Callable

from domain_events.services import record_event

REGISTERED = "member.registered"
PROFILE_COMPLETED = "member.profile_completed"
IDENTITY_VERIFIED = "member.identity_verified"
QUALIFICATION_COMPLETED = "member.qualification_completed"


def publish(event: str, *, member_id: int) -> None:
    """Record ``event`` for ``member_id`` in the current transaction."""
    record_event(name=event, payload={"member_id": member_id})


# Who can say how far an invited friend has come (applied, approved, delivered, rewarded): an app above members.
_referral_status_provider: list[Callable] = []


def provide_referral_statuses(provider: Callable) -> None:
    """``provider(invitee_ids=[...])`` returns {invitee_id: status}; the last registered provider wins."""
    _referral_status_provider.append(provider)


def referral_statuses(*, invitee_ids: list[int]) -> dict[int, str]:
    if not _referral_status_provider or not invitee_ids:
        return {}
    return _referral_status_provider[-1](invitee_ids=invitee_ids)
