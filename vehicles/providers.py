"""Outside services around the car, behind small interfaces like the SMS gateway: traffic violations (违章查询) and
aftermarket services (后市场: car wash, maintenance packages, tyres, insurance quotes).

A setting names each provider's class (``VIOLATION_PROVIDER``, ``AFTERMARKET_PROVIDER``); production plugs in the
contracted partners' clients, the demo and the tests use the local providers below, which answer the same way every
time for the same car and never leave the machine. Production settings refuse the local providers unless
``ALLOW_DEMO_PROVIDERS`` is set."""

import abc
import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.module_loading import import_string

from vehicles.enums import AftermarketKind


class ProviderDown(Exception):
    """The provider cannot answer now (outage, timeout, quota). Callers turn it into a 503 the member can retry."""


@dataclass(frozen=True)
class Violation:
    occurred_at: datetime.datetime
    place: str
    behaviour: str
    fine: Decimal
    points: int
    handled: bool


@dataclass(frozen=True)
class AftermarketService:
    code: str
    kind: str
    name: str
    price: Decimal
    partner: str


class ViolationProvider(abc.ABC):
    name = "base"

    @abc.abstractmethod
    def list_violations(self, *, plate: str, vin: str) -> list[Violation]:
        """The car's recorded traffic violations, newest first; raise ProviderDown when it cannot answer."""


class AftermarketProvider(abc.ABC):
    name = "base"

    @abc.abstractmethod
    def list_services(self, *, city: str) -> list[AftermarketService]:
        """What can be booked in ``city``."""

    @abc.abstractmethod
    def book(self, *, reference: str, service_code: str, plate: str, booked_for: datetime.date) -> str:
        """Book a service; ``reference`` is ours and makes the call idempotent. Answers the partner's reference."""


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("|".join(parts).encode()).digest()


_LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_LOCAL_PLACES = ["深南大道与科苑路交叉口", "滨海大道后海段", "北环大道香蜜湖立交", "沙河西路白石路口"]
_LOCAL_BEHAVIOURS = [
    ("机动车违反禁止标线指示", Decimal("200.00"), 3),
    ("机动车不按规定车道行驶", Decimal("100.00"), 0),
    ("超过规定时速未达20%", Decimal("200.00"), 3),
    ("机动车违反规定停放", Decimal("150.00"), 0),
]


class LocalViolationProvider(ViolationProvider):
    """Demo and tests: up to three violations, chosen from the VIN, so a car always shows the same list. A VIN
    ending in ``0`` has none; the oldest one of each car is marked handled."""

    name = "local"

    def list_violations(self, *, plate: str, vin: str) -> list[Violation]:
        digest = _digest("violations", vin)
        count = 0 if vin.endswith("0") else 1 + digest[0] % 3
        start = datetime.datetime(2026, 1, 1, 8, tzinfo=_LOCAL_TZ)
        violations = []
        for index in range(count):
            behaviour, fine, points = _LOCAL_BEHAVIOURS[digest[1 + index] % len(_LOCAL_BEHAVIOURS)]
            violations.append(
                Violation(
                    occurred_at=start + datetime.timedelta(days=30 * index + digest[4 + index] % 28, hours=index),
                    place=_LOCAL_PLACES[digest[7 + index] % len(_LOCAL_PLACES)],
                    behaviour=behaviour,
                    fine=fine,
                    points=points,
                    handled=index == 0,
                )  # fmt: skip
            )
        return sorted(violations, key=lambda violation: violation.occurred_at, reverse=True)


_LOCAL_CATALOG = [
    AftermarketService("wash-basic", AftermarketKind.CAR_WASH, "精洗一次", Decimal("39.00"), "local"),
    AftermarketService("maint-10k", AftermarketKind.MAINTENANCE_PACKAGE, "1万公里保养套餐", Decimal("599.00"), "local"),
    AftermarketService("tyre-4", AftermarketKind.TYRES, "轮胎更换（4条）", Decimal("2680.00"), "local"),
    AftermarketService("insure-quote", AftermarketKind.INSURANCE_QUOTE, "车险比价报价", Decimal("0.00"), "local"),
]


class LocalAftermarketProvider(AftermarketProvider):
    """Demo and tests: the same four services in every city; a booking's reference is derived from ours."""

    name = "local"

    def list_services(self, *, city: str) -> list[AftermarketService]:
        return list(_LOCAL_CATALOG)

    def book(self, *, reference: str, service_code: str, plate: str, booked_for: datetime.date) -> str:
        return "LOCAL-" + _digest("booking", reference).hex()[:10].upper()


def get_violation_provider() -> ViolationProvider:
    return import_string(settings.VIOLATION_PROVIDER)()


def get_aftermarket_provider() -> AftermarketProvider:
    return import_string(settings.AFTERMARKET_PROVIDER)()
