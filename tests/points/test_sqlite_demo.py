"""The embedded demo database (SQLite) has no ledger functions: there the ORM code of points.services earns and
redeems. Run in a subprocess with the demo's settings, on a new SQLite file."""

import subprocess
import sys
from pathlib import Path

from tests.helpers import sqlite_demo_env

ROOT = Path(__file__).resolve().parents[2]


SQLITE_SCRIPT = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from members.services import register_member
from points import database_ledger, services
from points.enums import EarnEvent, RewardKind
from points.models import Reward
from points.selectors import find_ledger_violations
assert not database_ledger.in_use()
member = register_member(phone="13900000001")
services.earn_points(member_id=member.pk, event=EarnEvent.CAMPAIGN, idempotency_key="sqlite", points=500)
reward = Reward.objects.create(name="t", kind=RewardKind.SERVICE_COUPON, cost_points=100)
redemption = services.redeem_reward(member_id=member.pk, reward_id=reward.pk, idempotency_key="sqlite")
assert find_ledger_violations() == []
import datetime
from points.models import PointsLot
expires_on = PointsLot.objects.order_by("expires_on").first().expires_on
assert services.notify_expiring_points(today=expires_on - datetime.timedelta(days=30)) == 1
print(redemption.balance, redemption.is_new)
"""


def test_on_the_demo_sqlite_database_the_orm_code_earns_and_redeems(demo_sqlite, tmp_path):
    env = sqlite_demo_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # Registration's 100 points, 500 earned, 100 spent.
    assert result.stdout.split()[-2:] == ["500", "True"]
