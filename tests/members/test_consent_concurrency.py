"""Consents under concurrent requests, on real PostgreSQL connections."""

import threading

import pytest
from django.db import connection

from members.consents import ConsentSource, grant_consents
from members.models import Consent
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)

SOURCE = ConsentSource(ip_address="203.0.113.9", user_agent="test", channel="api")


def _race(workers: int, target) -> list:
    barrier = threading.Barrier(workers)
    outcomes = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            target()
            outcome = "ok"
        except Exception as error:  # noqa: BLE001  (a lost race shows as its error's name)
            outcome = type(error).__name__
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _unused in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_the_same_agreement_sent_six_times_at_once_is_recorded_once(settings):
    member = MemberFactory(consents=False)
    settings.POLICY_VERSIONS = {**settings.POLICY_VERSIONS, "privacy_policy": "2026-11"}

    outcomes = _race(6, lambda: grant_consents(member=member, kinds=["privacy_policy"], source=SOURCE))

    assert outcomes == ["ok"] * 6
    assert list(Consent.objects.filter(member=member).values_list("kind", "version")) == [("privacy_policy", "2026-11")]
