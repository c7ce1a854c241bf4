"""Complaints under concurrency, on PostgreSQL with real connections: two sweeps at once escalate each complaint
once per level; two staff taking the same step (or a member rating twice) at once through the API: one wins, the other
gets a 409."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from rest_framework.test import APIClient

from crm.care.complaints import services
from crm.care.complaints.models import Complaint, ComplaintEvent, ComplaintRating
from members.services import issue_access_token
from notifications.models import Notification
from staff_tasks.models import Task

pytestmark = pytest.mark.django_db(transaction=True)
MONDAY = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Shanghai


def race(*calls):
    """Run the calls at the same moment, each in its own thread and connection; their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001  (the test asserts on what happened)
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _file(cast, count=1):
    with time_machine.travel(MONDAY, tick=False):
        return [
            services.file_complaint(
                member=cast.applicant(), category="service", description="保养后异响", filed_by="member", actor=None
            )  # fmt: skip
            for _index in range(count)
        ]


def test_two_sweeps_at_once_escalate_each_complaint_once_per_level(cast, settings):
    settings.COMPLAINT_HEAD_OFFICE_AFTER_HOURS = 24
    complaints = _file(cast, count=3)
    late = MONDAY + datetime.timedelta(days=7)

    outcomes = race(
        lambda: services.sweep_complaint_slas(now=late),
        lambda: services.sweep_complaint_slas(now=late + datetime.timedelta(seconds=1)),
    )
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert sum(outcome["escalated_store_complaints"] for outcome in outcomes) == 3
    assert Task.objects.filter(store=cast.store, kind="complaint_follow_up").count() == 3
    assert Notification.objects.filter(event="complaint.escalated_store", recipient=cast.store_manager).count() == 3

    later = late + datetime.timedelta(hours=25)
    outcomes = race(
        lambda: services.sweep_complaint_slas(now=later),
        lambda: services.sweep_complaint_slas(now=later),
    )
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert sum(outcome["escalated_head_office_complaints"] for outcome in outcomes) == 3
    assert Task.objects.filter(store__isnull=True, kind="complaint_follow_up").count() == 3
    assert Notification.objects.filter(event="complaint.escalated_head_office", recipient=cast.head_office).count() == 3
    assert set(
        Complaint.objects.filter(pk__in=[c.pk for c in complaints]).values_list("escalation_level", flat=True)
    ) == {2}


def _post_step(user, complaint, name):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=user)}")
    return client.post(f"/api/v1/backoffice/complaints/{complaint.pk}/transitions/{name}/", {"note": "已记录"},
                       format="json")  # fmt: skip


def test_two_staff_taking_the_same_step_at_once_one_wins_the_other_gets_409(cast):
    [complaint] = _file(cast)

    responses = race(
        lambda: _post_step(cast.store_staff, complaint, "record"),
        lambda: _post_step(cast.store_manager, complaint, "record"),
    )
    assert sorted(response.status_code for response in responses) == [200, 409]
    refused = next(response for response in responses if response.status_code == 409)
    assert refused.json()["code"] == "transition_not_allowed"
    assert ComplaintEvent.objects.filter(complaint=complaint, transition="record").count() == 1
    assert Complaint.objects.get(pk=complaint.pk).status == "recorded"


def test_two_supervisors_closing_at_once_close_it_once(cast):
    [complaint] = _file(cast)
    actors = {
        "record": cast.store_staff, "investigate": cast.store_staff, "propose_solution": cast.store_manager,
        "notify_member": cast.store_staff, "execute": cast.store_staff, "follow_up": cast.call_center,
    }  # fmt: skip
    for name, actor in actors.items():
        services.apply_transition(complaint_id=complaint.pk, name=name, actor=actor, note="备注")

    responses = race(
        lambda: _post_step(cast.store_manager, complaint, "close"),
        lambda: _post_step(cast.head_office, complaint, "close"),
    )
    assert sorted(response.status_code for response in responses) == [200, 409]
    assert ComplaintEvent.objects.filter(complaint=complaint, transition="close").count() == 1
    closed = Complaint.objects.get(pk=complaint.pk)
    assert (closed.status, closed.closed_at is not None) == ("closed", True)


def test_two_ratings_at_once_one_is_kept_the_other_is_409(cast):
    [complaint] = _file(cast)
    road = [("record", cast.store_staff), ("investigate", cast.store_staff), ("propose_solution", cast.store_manager),
            ("notify_member", cast.store_staff), ("execute", cast.store_staff), ("follow_up", cast.call_center),
            ("close", cast.store_manager)]  # fmt: skip
    for name, actor in road:
        services.apply_transition(complaint_id=complaint.pk, name=name, actor=actor, note="备注")
    member_user = complaint.member.user

    def rate(score):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=member_user)}")
        return client.post(f"/api/v1/complaints/{complaint.pk}/rating/", {"score": score}, format="json")

    responses = race(lambda: rate(5), lambda: rate(2))
    assert sorted(response.status_code for response in responses) == [201, 409]
    assert ComplaintRating.objects.filter(complaint=complaint).count() == 1
