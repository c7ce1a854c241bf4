"""A survey link answered twice at once, on real PostgreSQL connections: one response, the other 409; and the lock
on the invitation is taken before anything is written."""

import threading

import pytest
from django.db import connection

from crm.surveys import services
from crm.surveys.exceptions import SurveyAlreadyAnswered
from crm.surveys.models import SurveyResponse
from staff_tasks.models import Task
from tests.helpers import assert_locks_rows_before_write
from tests.members.factories import MemberFactory, StoreFactory
from tests.surveys.helpers import answers, invite

pytestmark = pytest.mark.django_db(transaction=True)


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


def test_two_answers_at_once_record_one_response():
    member = MemberFactory(preferred_store=StoreFactory())
    _invitation, token = invite(member, store=member.preferred_store)
    body = answers(csat=1, nps=0)

    outcomes = _race(4, lambda: services.answer_survey(token=token, answers=body, ip=None))

    assert sorted(outcomes) == ["SurveyAlreadyAnswered"] * 3 + ["ok"]
    assert SurveyResponse.objects.count() == 1
    assert Task.objects.filter(kind="survey_follow_up").count() == 1
    assert SurveyAlreadyAnswered.code == "already_answered"


def test_the_invitation_is_locked_before_the_response_is_written():
    member = MemberFactory()
    _invitation, token = invite(member)
    with assert_locks_rows_before_write("surveys_surveyinvitation"):
        services.answer_survey(token=token, answers=answers(), ip=None)
