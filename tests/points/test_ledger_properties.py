"""Random sequences of earn / redeem / expire / adjust / reverse with time moving forward: after every step the
ledger holds together and the balance is what a simple model of lots says it should be."""

import datetime
import itertools

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.exceptions import DomainError
from points import services
from points.enums import EarnEvent
from points.models import PointsEntry
from points.selectors import find_ledger_violations, get_balance
from tests.members.factories import MemberFactory
from tests.points.factories import RewardFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_code")]

operations = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(1, 500)),
        st.tuples(st.just("redeem"), st.integers(1, 800)),
        st.tuples(st.just("adjust"), st.integers(-300, 300).filter(bool)),
        st.tuples(st.just("reverse"), st.integers(0, 20)),
        st.tuples(st.just("days_pass"), st.integers(1, 400)),
        st.tuples(st.just("expire"), st.just(0)),
    ),
    min_size=1,
    max_size=25,
)

_keys = itertools.count()


class LotModel:
    """What the ledger should hold: lots with remaining points and expiry, consumed oldest-expiry first."""

    def __init__(self):
        self.lots = []  # [remaining, expires_on, earn_key]

    @property
    def balance(self):
        return sum(lot[0] for lot in self.lots)

    def add(self, points, expires_on, key=None):
        self.lots.append([points, expires_on, key])
        self.lots.sort(key=lambda lot: lot[1])  # stable: ties keep creation order, as the ledger does (pk)

    def take(self, points, first_key=None):
        order = sorted(self.lots, key=lambda lot: lot[2] != first_key) if first_key else self.lots
        for lot in order:
            taken = min(lot[0], points)
            lot[0] -= taken
            points -= taken

    def expire(self, today):
        for lot in self.lots:
            if lot[1] < today:
                lot[0] = 0


class LedgerRun:
    """Applies one generated step to the real ledger and to the model."""

    def __init__(self, *, member, actor, clock):
        self.member, self.actor, self.clock = member, actor, clock
        self.model = LotModel()
        self.earned = []

    def balance(self) -> int:
        return get_balance(member_id=self.member.pk)

    def earn(self, points):
        key = f"prop:earn:{next(_keys)}"
        services.earn_points(member_id=self.member.pk, event=EarnEvent.CAMPAIGN, idempotency_key=key, points=points)
        self.model.add(points, timezone.localdate() + relativedelta(months=24), key)
        self.earned.append((key, points))

    def redeem(self, cost):
        reward = RewardFactory(cost_points=cost)
        refused = _refusal(
            lambda: services.redeem_reward(
                member_id=self.member.pk, reward_id=reward.pk, idempotency_key=f"p{next(_keys)}"
            )
        )
        assert refused == ("insufficient_points" if self.model.balance < cost else None)
        if refused is None:
            self.model.take(cost)

    def adjust(self, points):
        entries = []
        refused = _refusal(
            lambda: entries.append(
                services.adjust_points(member_id=self.member.pk, points=points, reason="property", actor=self.actor)
            )
        )
        assert refused == ("insufficient_points" if self.model.balance < -points else None)
        if refused is None and points > 0:
            self.model.add(points, entries[0].lot.expires_on)
        elif refused is None:
            self.model.take(-points)

    def reverse(self, index):
        if not self.earned:
            return
        key, points = self.earned[index % len(self.earned)]
        before = self.balance()
        services.reverse_earned_points(idempotency_key=key, reason="property")
        # A reversal takes min(earned, balance), from its own lot first; a second one takes nothing.
        taken = before - self.balance()
        assert taken in (0, min(points, before))
        self.model.take(taken, first_key=key)

    def days_pass(self, days):
        self.clock.shift(datetime.timedelta(days=days))

    def expire(self, _value):
        today = timezone.localdate()
        services.expire_points(today=today)
        self.model.expire(today)


def _refusal(call) -> str | None:
    try:
        call()
    except DomainError as error:
        return error.code
    return None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_ledger_invariants_hold_after_every_step(points_admin, steps):
    member = MemberFactory()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        run = LedgerRun(member=member, actor=points_admin, clock=clock)
        for action, value in steps:
            getattr(run, action)(value)
            assert find_ledger_violations() == []
            assert run.balance() == run.model.balance >= 0
            assert sum(PointsEntry.objects.filter(account__member=member).values_list("points", flat=True)) == (
                run.model.balance
            )
