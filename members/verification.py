"""Real-name verification providers. Production plugs in a licensed provider; the local one is deterministic."""

import abc
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class IdentityCheckResult:
    is_match: bool
    provider: str
    reference: str = ""


class IdentityProvider(abc.ABC):
    """Checks that a real name belongs to an ID number. Implementations must not log either value."""

    name = "base"

    @abc.abstractmethod
    def check(self, *, real_name: str, id_number: str) -> IdentityCheckResult:
        """Implemented by each provider."""


class LocalIdentityProvider(IdentityProvider):
    """For demo and tests, with no outside service: every well-formed pair matches, except ID numbers whose
    sequence digits (positions 15-17) are ``999``, which this provider reports as a name mismatch."""

    name = "local"

    def check(self, *, real_name: str, id_number: str) -> IdentityCheckResult:
        return IdentityCheckResult(is_match=id_number[14:17] != "999", provider=self.name, reference="local")


def get_identity_provider() -> IdentityProvider:
    return import_string(settings.IDENTITY_VERIFICATION_PROVIDER)()
