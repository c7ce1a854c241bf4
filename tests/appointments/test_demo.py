import pytest
from django.core.management import call_command

from appointments.models import Appointment
from vehicles.models import InsurancePolicy

pytestmark = pytest.mark.django_db


def test_the_demo_shows_policies_inspections_and_bookings_once(capsys):
    call_command("seed_demo")
    counts = (Appointment.objects.count(), InsurancePolicy.objects.count())
    call_command("seed_demo")
    assert counts[0] > 0
    assert counts[1] > 0
    assert (Appointment.objects.count(), InsurancePolicy.objects.count()) == counts
