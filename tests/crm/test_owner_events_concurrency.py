"""Racing registrations for the last places and a cancellation racing new registrations, on PostgreSQL with real
connections: capacity holds, and a freed place goes to exactly one member."""

import datetime

import pytest
from django.utils import timezone

from crm.owner_events import services
from crm.owner_events.models import EventRegistration, OwnerEvent
from tests.members.factories import MemberFactory, StoreFactory
from tests.points.test_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def _event(capacity: int) -> OwnerEvent:
    starts_at = timezone.now() + datetime.timedelta(days=3)
    return OwnerEvent.objects.create(
        title="试驾日", kind="test_drive", store=StoreFactory(), place="店内", starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2), capacity=capacity,
    )  # fmt: skip


def test_twenty_racing_registrations_fill_three_places_and_wait_in_line():
    event = _event(capacity=3)
    members = [MemberFactory() for _ in range(20)]

    outcomes = run_at_once(
        [
            lambda member=member: services.register_for_event(member_id=member.pk, event_id=event.pk)
            for member in members
        ]
    )

    assert [kind for kind, _value in outcomes] == ["ok"] * 20
    statuses = list(EventRegistration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses.count("registered") == 3
    assert statuses.count("waitlisted") == 17


def test_a_cancellation_racing_new_registrations_gives_the_freed_place_once():
    event = _event(capacity=2)
    holders = [MemberFactory() for _ in range(2)]
    waiting = MemberFactory()
    for member in [*holders, waiting]:
        services.register_for_event(member_id=member.pk, event_id=event.pk)
    newcomers = [MemberFactory() for _ in range(8)]

    calls = [lambda: services.cancel_registration(member_id=holders[0].pk, event_id=event.pk)]
    calls += [
        lambda member=member: services.register_for_event(member_id=member.pk, event_id=event.pk)
        for member in newcomers
    ]
    run_at_once(calls)

    registered = set(
        EventRegistration.objects.filter(event=event, status="registered").values_list("member_id", flat=True)
    )
    assert registered == {holders[1].pk, waiting.pk}
    assert EventRegistration.objects.filter(event=event, status="waitlisted").count() == 8
