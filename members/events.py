"""Member events for the apps above members (points rewards registration, a completed profile, verification).

The layer order lets points import members but not the reverse, so members announces what happened and the
apps above subscribe from their AppConfig.ready(). This is the one place that inverts the flow; handlers run after
the member's transaction commits and each must be idempotent (they are: points uses an idempotency key per event).
"""

from collections.abc import Callable

from django.db import transaction

REGISTERED = "member.registered"
PROFILE_COMPLETED = "member.profile_completed"
IDENTITY_VERIFIED = "member.identity_verified"

_subscribers: dict[str, list[Callable[..., None]]] = {}


def subscribe(event: str, handler: Callable[..., None]) -> None:
    handlers = _subscribers.setdefault(event, [])
    if handler not in handlers:
        handlers.append(handler)


def publish(event: str, *, member_id: int) -> None:
    for handler in _subscribers.get(event, []):
        # robust: a failing subscriber is logged and does not turn the member's committed request into an error.
        transaction.on_commit(lambda handler=handler: handler(member_id=member_id), robust=True)


# Who can say how far an invited friend has come (applied, approved, delivered, rewarded): an app above members.
_referral_status_provider: list[Callable] = []


def provide_referral_statuses(provider: Callable) -> None:
    """``provider(invitee_ids=[...])`` returns {invitee_id: status}; the last registered provider wins."""
    _referral_status_provider.append(provider)


def referral_statuses(*, invitee_ids: list[int]) -> dict[int, str]:
    if not _referral_status_provider or not invitee_ids:
        return {}
    return _referral_status_provider[-1](invitee_ids=invitee_ids)
