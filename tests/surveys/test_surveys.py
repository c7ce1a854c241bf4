"""Surveys: the one-time link (read, answer once, expired 410, bad values 400, rate limit), what sends one (a
handover, a closed complaint, a service visit), the return-visit task filled in during the call, versions, and the
follow-up task a low score opens."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from crm.surveys import services
from crm.surveys.enums import QuestionKind
from crm.surveys.models import Choice, Question, Questionnaire, SurveyAnswer, SurveyInvitation, SurveyResponse
from crm.surveys.selectors import active_questionnaire, member_survey_scores, questions_of
from domain_events.services import dispatch_event, record_event
from members.services import issue_access_token
from notifications.models import Notification
from orders.enums import OrderState
from staff_tasks.models import Task
from staff_tasks.services import open_task
from tests.members.factories import MemberFactory
from tests.surveys.helpers import answers, invite, questions
from tests.vehicles.factories import OwnedVehicleFactory
from vehicles.services import record_service_visit

pytestmark = pytest.mark.django_db


def _url(token: str) -> str:
    return f"/api/v1/surveys/{token}/"


def _nothing_answered():
    assert not SurveyResponse.objects.exists()
    assert not SurveyAnswer.objects.exists()
    assert not SurveyInvitation.objects.filter(answered_at__isnull=False).exists()
    assert not Task.objects.filter(kind="survey_follow_up").exists()


def test_an_invitation_sends_a_one_time_link_to_the_inbox_and_by_sms(cast, settings):
    settings.SITE_URL = "https://mc.example.com"
    invitation, token = invite(cast.member, store=cast.store)
    assert len(token) >= 40
    assert invitation.token_hash != token
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=14)
    rows = {row.channel: row for row in Notification.objects.filter(event="survey.invitation")}
    assert set(rows) == {"inbox", "sms"}
    assert rows["inbox"].link == f"/s/{token}/"
    assert f"https://mc.example.com/s/{token}/" in rows["sms"].body
    # The same trigger and subject again sends nothing more.
    assert (
        services.invite_member(trigger="delivery", member=cast.member, store_id=cast.store.pk, subject="order:1")
        is None
    )
    assert Notification.objects.filter(event="survey.invitation").count() == 2


def test_the_link_shows_the_questionnaire_without_sign_in(cast):
    _invitation, token = invite(cast.member)
    response = APIClient().get(_url(token))
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "提车满意度回访"
    assert [q["kind"] for q in body["questions"]] == ["csat", "nps", "multiple", "text"]
    assert [q["required"] for q in body["questions"]] == [True, True, False, False]
    assert len(body["questions"][2]["choices"]) == 4
    assert body["questions"][0]["choices"] is None
    assert APIClient().get(_url("no-such-token")).status_code == 404


def test_one_answer_per_token(cast):
    invitation, token = invite(cast.member, store=cast.store)
    first = APIClient().post(_url(token), {"answers": answers(csat=4, nps=9)}, format="json")
    assert first.status_code == 201, first.json()
    response = SurveyResponse.objects.get()
    assert (response.csat, response.nps, response.choice_score, response.store, response.member) == (
        4, 9, 2, cast.store, cast.member,
    )  # fmt: skip
    assert SurveyAnswer.objects.filter(response=response).count() == 5  # csat, nps, two choices, text
    again = APIClient().post(_url(token), {"answers": answers()}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_answered")
    assert APIClient().get(_url(token)).json()["code"] == "already_answered"
    assert SurveyResponse.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.answered_at is not None


def test_an_expired_link_is_410(cast):
    invitation, token = invite(cast.member)
    with time_machine.travel(invitation.expires_at + datetime.timedelta(seconds=1)):
        read = APIClient().get(_url(token))
        answer = APIClient().post(_url(token), {"answers": answers()}, format="json")
    assert (read.status_code, read.json()["code"]) == (410, "survey_expired")
    assert (answer.status_code, answer.json()["code"]) == (410, "survey_expired")
    _nothing_answered()


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda body, q: body.__setitem__(0, {"question": q["csat"][0].pk, "value": 6}), id="csat-6"),
        pytest.param(lambda body, q: body.__setitem__(0, {"question": q["csat"][0].pk, "value": 0}), id="csat-0"),
        pytest.param(lambda body, q: body.__setitem__(1, {"question": q["nps"][0].pk, "value": 11}), id="nps-11"),
        pytest.param(lambda body, q: body.__setitem__(1, {"question": q["nps"][0].pk, "value": True}), id="nps-bool"),
        pytest.param(lambda body, q: body.__setitem__(1, {"question": q["nps"][0].pk, "value": "x"}), id="nps-text"),
        pytest.param(lambda body, q: body.pop(0), id="required-missing"),
        pytest.param(lambda body, q: body.append({"question": 999999, "value": 1}), id="unknown-question"),
        pytest.param(lambda body, q: body.append(dict(body[0])), id="twice"),
        pytest.param(
            lambda body, q: body.__setitem__(
                2,
                {
                    "question": q["multiple"][0].pk,
                    "choices": [Choice.objects.exclude(question=q["multiple"][0]).first().pk],
                },
            ),
            id="foreign-choice",
        ),  # fmt: skip
        pytest.param(
            lambda body, q: body.__setitem__(
                2, {"question": q["multiple"][0].pk, "choices": [q["multiple"][0].choices.first().pk] * 2}
            ),
            id="choice-twice",
        ),  # fmt: skip
        pytest.param(
            lambda body, q: body.__setitem__(3, {"question": q["text"][0].pk, "text": "长" * 2001}), id="long"
        ),
    ],
)
def test_bad_answers_are_400_and_nothing_is_recorded(cast, spoil):
    _invitation, token = invite(cast.member)
    body = answers()
    spoil(body, questions())
    response = APIClient().post(_url(token), {"answers": body}, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid_answers"
    _nothing_answered()


def test_answers_must_be_a_list(cast):
    _invitation, token = invite(cast.member)
    for body in ({"answers": {"a": 1}}, {"answers": "x"}, {}):
        assert APIClient().post(_url(token), body, format="json").status_code == 400
    _nothing_answered()


def test_answering_is_rate_limited_per_address(cast, settings):
    settings.SURVEY_REQUESTS_PER_IP_HOURLY = 3
    client = APIClient()
    for _attempt in range(3):
        assert client.post(_url("guess"), {"answers": []}, format="json").status_code == 404
    limited = client.post(_url("guess"), {"answers": []}, format="json")
    assert (limited.status_code, limited.json()["code"]) == (429, "too_many_requests")
    _invitation, token = invite(cast.member)
    assert client.post(_url(token), {"answers": answers()}, format="json").status_code == 429
    _nothing_answered()


def test_a_detractor_opens_one_follow_up_task_for_the_store(cast):
    _invitation, token = invite(cast.member, store=cast.store)
    response = APIClient().post(_url(token), {"answers": answers(csat=3, nps=6, text="交车等太久")}, format="json")
    assert response.status_code == 201
    task = Task.objects.get(kind="survey_follow_up")
    assert (task.store, task.member, task.subject_type, task.subject_id, task.status) == (
        cast.store, cast.member, "member", cast.member.pk, "open",
    )  # fmt: skip
    assert "6/10" in task.title
    assert "交车等太久" in task.script
    # Answering again is refused and opens nothing more.
    APIClient().post(_url(token), {"answers": answers(nps=0)}, format="json")
    assert Task.objects.filter(kind="survey_follow_up").count() == 1


@pytest.mark.parametrize(("csat", "nps", "opens"), [(2, 9, True), (3, 7, False), (5, 10, False), (1, 0, True)])
def test_which_scores_open_a_follow_up(cast, csat, nps, opens):
    _invitation, token = invite(cast.member, store=cast.store)
    APIClient().post(_url(token), {"answers": answers(csat=csat, nps=nps)}, format="json")
    assert Task.objects.filter(kind="survey_follow_up").count() == (1 if opens else 0)


def test_a_handover_sends_the_delivery_survey(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = cast.advance(cast.new_order(), OrderState.DELIVERED)
    invitation = SurveyInvitation.objects.get()
    assert (invitation.trigger, invitation.subject, invitation.store, invitation.member) == (
        "delivery", f"order:{order.pk}", cast.store, cast.member,
    )  # fmt: skip
    assert Notification.objects.filter(event="survey.invitation", recipient=cast.member_user).count() == 2


def test_a_closed_complaint_sends_the_complaint_survey_once(cast):
    event = record_event(
        name="complaint.closed",
        payload={"complaint_id": 41, "member_id": cast.member.pk, "store_id": cast.other_store.pk},
    )
    assert dispatch_event(event_id=event.pk) == "handled"
    invitation = SurveyInvitation.objects.get()
    assert (invitation.trigger, invitation.subject, invitation.store) == ("complaint_closed", "complaint:41",
                                                                          cast.other_store)  # fmt: skip
    assert invitation.questionnaire == active_questionnaire(trigger="complaint_closed")
    # The same event recorded again (a redelivery) sends nothing more.
    again = record_event(name="complaint.closed", payload=event.payload)
    dispatch_event(event_id=again.pk)
    assert SurveyInvitation.objects.count() == 1
    assert Notification.objects.filter(event="survey.invitation").count() == 2


def test_a_service_visit_sends_the_service_survey(cast, django_capture_on_commit_callbacks):
    car = OwnedVehicleFactory(member=cast.member)
    with django_capture_on_commit_callbacks(execute=True):
        record = record_service_visit(
            vehicle_id=car.pk, dealer_reference="DLR-1", serviced_on=datetime.date(2026, 6, 1), mileage_km=5000,
            description="保养", is_maintenance=True, amounts={"customer_amount": Decimal("800")},
        )  # fmt: skip
    invitation = SurveyInvitation.objects.get()
    assert (invitation.trigger, invitation.subject, invitation.store) == (
        "service_visit", f"service_record:{record.pk}", cast.store,  # the member's own store: no handover here
    )  # fmt: skip


def test_nothing_is_sent_without_a_questionnaire_in_use(cast):
    Questionnaire.objects.update(is_active=False)
    assert services.invite_member(trigger="delivery", member=cast.member, store_id=None, subject="order:9") is None
    assert not SurveyInvitation.objects.exists()
    assert not Notification.objects.exists()


def _return_visit(cast):
    return open_task(kind="return_visit", title="交车 7 天回访", store=cast.store, member=cast.member,
                     due_at=timezone.now())  # fmt: skip


def test_the_agent_fills_the_questionnaire_inside_the_return_visit_task(cast):
    task = _return_visit(cast)
    staff = APIClient()
    staff.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=cast.store_staff)}")
    body = {"outcome": "reached", "answers": answers(csat=2, nps=8, trigger="return_visit")}
    response = staff.post(f"/api/v1/backoffice/tasks/{task.pk}/complete/", body, format="json")
    assert response.status_code == 200, response.json()
    survey = SurveyResponse.objects.get()
    assert (survey.trigger, survey.csat, survey.nps, survey.answered_by, survey.invitation.channel) == (
        "return_visit", 2, 8, cast.store_staff, "call",
    )  # fmt: skip
    # A CSAT of 2 opens the follow-up for the store.
    assert Task.objects.filter(kind="survey_follow_up", store=cast.store).count() == 1


def test_bad_answers_in_the_task_refuse_the_completion(cast):
    task = _return_visit(cast)
    staff = APIClient()
    staff.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=cast.store_staff)}")
    body = {"outcome": "reached", "answers": answers(csat=9, trigger="return_visit")}
    response = staff.post(f"/api/v1/backoffice/tasks/{task.pk}/complete/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_answers")
    task.refresh_from_db()
    assert task.status == "open"
    unreached = {"outcome": "no_answer", "answers": answers(trigger="return_visit")}
    assert staff.post(f"/api/v1/backoffice/tasks/{task.pk}/complete/", unreached, format="json").status_code == 400
    _nothing_answered()
    # Without answers the call is completed as before.
    assert staff.post(f"/api/v1/backoffice/tasks/{task.pk}/complete/", {"outcome": "no_answer"}).status_code == 200


def test_the_task_page_shows_the_questionnaire_and_records_it(cast, client):
    task = _return_visit(cast)
    client.force_login(cast.store_staff)
    page = client.get(f"/backoffice/tasks/{task.pk}/").content.decode()
    assert 'id="task-questionnaire"' in page
    by_kind = questions("return_visit")
    csat, single = by_kind[QuestionKind.CSAT][0], by_kind[QuestionKind.SINGLE][0]
    refused = client.post(f"/backoffice/tasks/{task.pk}/complete/", {"outcome": "reached", f"q{csat.pk}": "5"})
    assert refused.status_code == 400  # the required single choice is missing
    form = {"outcome": "reached", f"q{csat.pk}": "5", f"q{single.pk}": str(single.choices.first().pk)}
    assert client.post(f"/backoffice/tasks/{task.pk}/complete/", form).status_code == 302
    assert SurveyResponse.objects.get().csat == 5


def test_an_answered_questionnaire_is_never_edited_in_place(cast, client):
    _invitation, token = invite(cast.member)
    APIClient().post(_url(token), {"answers": answers()}, format="json")
    answered = active_questionnaire(trigger="delivery")
    client.force_login(cast.head_office.__class__.objects.create_superuser(username="root", password="x" * 12))
    change = client.post(f"/admin/surveys/questionnaire/{answered.pk}/change/", {"title": "改了"})
    assert change.status_code == 403
    new = client.post(f"/admin/surveys/questionnaire/{answered.pk}/new-version/")
    copy = Questionnaire.objects.get(code="delivery", version=2)
    assert new["Location"] == f"/admin/surveys/questionnaire/{copy.pk}/change/"
    assert (copy.is_active, copy.title) == (False, answered.title)
    assert [(q.kind, q.text) for q in questions_of(questionnaire=copy)] == [
        (q.kind, q.text) for q in questions_of(questionnaire=answered)
    ]
    assert Choice.objects.filter(question__questionnaire=copy).count() == 4
    services.activate_questionnaire(questionnaire_id=copy.pk)
    assert active_questionnaire(trigger="delivery") == copy
    answered.refresh_from_db()
    assert (answered.is_active, answered.title) == (False, "提车满意度回访")
    # A question cannot be added to the answered version either.
    question = {"questionnaire": answered.pk, "position": 9, "kind": "text", "text": "新问题", "is_required": ""}
    added = client.post("/admin/surveys/question/add/", question)
    assert added.status_code == 200
    assert not Question.objects.filter(text="新问题").exists()


def test_the_link_page_on_a_phone(cast, client):
    _invitation, token = invite(cast.member)
    page = client.get(f"/s/{token}/")
    assert page.status_code == 200
    by_kind = questions()
    csat, nps = by_kind[QuestionKind.CSAT][0], by_kind[QuestionKind.NPS][0]
    refused = client.post(f"/s/{token}/", {f"q{csat.pk}": "5"})
    assert refused.status_code == 400
    assert client.post(f"/s/{token}/", {f"q{csat.pk}": "5", f"q{nps.pk}": "10"}).status_code == 200
    assert SurveyResponse.objects.get().nps == 10
    assert client.get(f"/s/{token}/").status_code == 409
    assert client.get("/s/unknown/").status_code == 404


def test_member_survey_scores(cast):
    other = MemberFactory()
    for member, csat, nps, subject in ((cast.member, 5, 10, "a"), (cast.member, 3, 4, "b"), (other, 4, 9, "c")):
        _invitation, token = invite(member, subject=subject)
        services.answer_survey(token=token, answers=answers(csat=csat, nps=nps))
    scores = member_survey_scores()
    mine = scores[cast.member.pk]
    assert (mine.responses, mine.average_csat, mine.lowest_csat, mine.average_nps, mine.lowest_nps) == (
        2, Decimal("4.00"), 3, Decimal("7.00"), 4,
    )  # fmt: skip
    assert mine.is_detractor
    assert not scores[other.pk].is_detractor
    assert set(member_survey_scores(member_ids=[other.pk])) == {other.pk}
