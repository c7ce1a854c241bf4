"""Car life on the embedded demo database (SQLite): the demo seeds cards and events there, the events list counts
places, check-in earns through the ORM ledger, cards follow tiers and a withdrawal forfeits what it stated. Run in a
subprocess with the demo's settings, on a new SQLite file."""

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
call_command("seed_demo", verbosity=0)
from crm.owner_events import selectors, services
from members import cards
from members.models import Member, User
from points import services as points_services
from points.selectors import get_balance
car_club = next(event for event in selectors.list_upcoming_events() if event.kind == "car_club")
assert (car_club.places_taken, car_club.waiting) == (3, 1), (car_club.places_taken, car_club.waiting)
registration = car_club.registrations.filter(status="registered").first()
clerk = User.objects.get(username="store.sz")
services.check_in(registration_id=registration.pk, staff=clerk)
member = registration.member
Member.objects.filter(pk=member.pk).update(tier="diamond")
assert cards.upgrade_cards_to_tiers() >= 1
balance = get_balance(member_id=member.pk)
card = points_services.withdraw_membership(member_id=member.pk, points_stated=balance)
print(card.status, card.level, get_balance(member_id=member.pk))
"""


def test_car_life_runs_on_the_demo_sqlite_database(demo_sqlite, tmp_path):
    env = sqlite_demo_env(tmp_path)
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["withdrawn", "diamond", "0"]
