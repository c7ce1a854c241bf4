"""Real-name verification providers. Production plugs in a licensed provider; the local one is deterministic.

A provider answers one question for a name and an ID number together: do they belong to the same person? The
answer is ``match``, ``no_match`` or ``unavailable`` (the provider cannot check now: outage, timeout, quota)."""

import abc
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from members.enums import IdentityCheckOutcome


@dataclass(frozen=True)
class IdentityCheckResult:
    outcome: IdentityCheckOutcome
    provider: str
    reference: str = ""

    @property
    def is_match(self) -> bool:
        return self.outcome == IdentityCheckOutcome.MATCH


class IdentityProvider(abc.ABC):
    """Checks that a real name belongs to an ID number. Implementations must not log either value, and answer
    ``unavailable`` rather than raise when they cannot check."""

    name = "base"

    @abc.abstractmethod
    def check(self, *, real_name: str, id_number: str) -> IdentityCheckResult:
        """Implemented by each provider: ``real_name`` and ``id_number`` arrive validated and normalized."""


class LocalIdentityProvider(IdentityProvider):
    """For demo and tests, with no outside service: "no match" exactly when the ID number's sequence code
    (digits 15-17) is ``000``, "match" for every other pair. It never answers "unavailable"."""

    name = "local"
    NO_MATCH_SEQUENCE = "000"

    def check(self, *, real_name: str, id_number: str) -> IdentityCheckResult:
        outcome = (
            IdentityCheckOutcome.NO_MATCH if id_number[14:17] == self.NO_MATCH_SEQUENCE else IdentityCheckOutcome.MATCH
        )
        return IdentityCheckResult(outcome=outcome, provider=self.name, reference="local")


def get_identity_provider() -> IdentityProvider:
    return import_string(settings.IDENTITY_VERIFICATION_PROVIDER)()
