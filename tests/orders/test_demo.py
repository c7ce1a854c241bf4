import pytest
from django.core.management import call_command

from orders.enums import OrderState
from orders.models import Order
from vehicles.models import FinancePlan, VehicleUnit

pytestmark = pytest.mark.django_db


def test_seed_demo_has_an_application_in_every_state_and_is_idempotent(settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    counts = {state: Order.objects.filter(state=state).count() for state in OrderState.values}
    call_command("seed_demo")

    assert all(count >= 1 for count in counts.values()), counts
    assert {state: Order.objects.filter(state=state).count() for state in OrderState.values} == counts
    assert FinancePlan.objects.filter(is_active=True).count() == 18
    assert VehicleUnit.objects.filter(status="delivered").count() == 1
    assert "/backoffice/" in capsys.readouterr().out
