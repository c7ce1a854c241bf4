"""On the embedded demo database (SQLite): the care reminders (tyres included) run, a policy rolls the renewal
forward, a booking takes its slot and a full slot is refused. A subprocess with the demo's settings, a new file."""

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import sqlite_demo_env

ROOT = Path(__file__).resolve().parents[2]

SQLITE_SCRIPT = r"""
import datetime, json
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

assert connection.vendor == "sqlite"
call_command("migrate", verbosity=0)
from appointments.models import ServiceCapacity
from appointments.services import book_appointment
from common.exceptions import DomainError
from notifications.models import Notification
from tests.members.factories import MemberFactory, StoreFactory
from tests.vehicles.factories import OwnedVehicleFactory
from vehicles.reminders import run_vehicle_reminders
from vehicles.services import record_insurance_policy

car = OwnedVehicleFactory(member=MemberFactory(name="王先生"), delivered_on=datetime.date(2021, 6, 1),
                          tyres_due_on=datetime.date(2026, 6, 1), tyres_due_km=50000,
                          insurance_due_on=datetime.date(2026, 6, 1))
runs = [sum(run_vehicle_reminders(day=datetime.date(2026, 5, 25)).values()) for _ in range(2)]
tyres = Notification.objects.get(event="vehicle.tyres_due", channel="inbox").body
record_insurance_policy(vehicle_id=car.pk, insurer="人保", policy_number="P1", starts_on=datetime.date(2026, 6, 1),
                        ends_on=datetime.date(2027, 6, 1), source="staff")
renewal = sum(run_vehicle_reminders(day=datetime.date(2027, 5, 25)).values())
store = StoreFactory()
ServiceCapacity.objects.create(store=store, cars_per_slot=1)
tomorrow = timezone.localdate() + datetime.timedelta(days=1)
book_appointment(member_id=car.member_id, vehicle_id=car.pk, store_id=store.pk, kind="maintenance", date=tomorrow,
                 slot=datetime.time(10))
other = OwnedVehicleFactory()
try:
    book_appointment(member_id=other.member_id, vehicle_id=other.pk, store_id=store.pk, kind="repair", date=tomorrow,
                     slot=datetime.time(10))
    refused = ""
except DomainError as error:
    refused = error.code
print(json.dumps({"runs": runs, "tyres": tyres, "renewal": renewal, "refused": refused}, ensure_ascii=False))
"""


def test_on_sqlite_care_reminders_roll_forward_and_bookings_hold_the_capacity(demo_sqlite, tmp_path):
    env = sqlite_demo_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    # Tyres and insurance, in-app and SMS, the 7-day reminder; the second run adds nothing.
    assert answer["runs"] == [4, 0]
    assert "6月1日" in answer["tyres"]
    assert answer["renewal"] == 2
    assert answer["refused"] == "slot_full"
