"""Credit-check providers. Production plugs in a credit bureau; the local provider is deterministic."""

import abc
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


class CreditProviderError(Exception):
    """The provider could not answer now (timeout, outage). The check is retried; the order stays in review."""


@dataclass(frozen=True)
class CreditReport:
    provider: str
    score: int
    decision: str
    summary: str


class CreditProvider(abc.ABC):
    name = "base"

    @abc.abstractmethod
    def check(self, *, order_number: str, monthly_income_band: str, principal) -> CreditReport:
        """Implemented by each provider."""


class LocalCreditProvider(CreditProvider):
    """A stable score from the order number (300–849), and a decision from score and income: pass at 600 and above,
    refer from 500, decline below. The same order always gets the same answer."""

    name = "local"

    def check(self, *, order_number: str, monthly_income_band: str, principal) -> CreditReport:
        score = 300 + int(hashlib.sha256(order_number.encode()).hexdigest(), 16) % 550
        if monthly_income_band in {"20k_50k", "above_50k"}:
            score = min(score + 80, 849)
        decision = "pass" if score >= 600 else "refer" if score >= 500 else "decline"
        return CreditReport(provider=self.name, score=score, decision=decision, summary=f"local score {score}")


def get_credit_provider() -> CreditProvider:
    return import_string(settings.CREDIT_CHECK_PROVIDER)()
