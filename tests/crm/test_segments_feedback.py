"""Complaints and survey answers in the segments: the churn reasons (an open complaint, a poorly rated one, a
detractor answer within the feedback window) and the "complained this quarter" tag appear and disappear with the
data; head office's weights and window apply."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from crm.care.complaints import services as complaint_services
from crm.care.complaints.models import Complaint, ComplaintRating
from crm.segments.compute import months_before
from crm.segments.models import MemberSegment, MemberTag, SegmentRules
from crm.segments.services import compute_segments
from crm.surveys.defaults import ensure_default_questionnaires
from crm.surveys.models import SurveyInvitation, SurveyResponse
from crm.surveys.selectors import active_questionnaire
from tests.members.factories import MemberFactory
from tests.vehicles.factories import OwnedVehicleFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = datetime.date(2026, 6, 30)
FEEDBACK_REASONS = {"open_complaint", "poorly_rated_complaint", "detractor_answer"}


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def _member():
    return OwnedVehicleFactory(member=MemberFactory(), delivered_on=datetime.date(2025, 1, 10)).member


def _complaint(member, *, received_on: datetime.date, closed=False) -> Complaint:
    complaint = complaint_services.file_complaint(
        member=member, category="service", description="保养后异响", filed_by="member", actor=member.user
    )
    received = _at(received_on)
    Complaint.objects.filter(pk=complaint.pk).update(
        received_at=received, clock_started_at=received, status="closed" if closed else "received",
        closed_at=received + datetime.timedelta(days=2) if closed else None,
    )  # fmt: skip
    return complaint


def _rate(complaint, *, score: int, on: datetime.date) -> None:
    rating = ComplaintRating.objects.create(complaint=complaint, score=score)
    ComplaintRating.objects.filter(pk=rating.pk).update(created_at=_at(on))


def _answer(member, *, on: datetime.date, csat=None, nps=None) -> None:
    ensure_default_questionnaires()
    questionnaire = active_questionnaire(trigger="service_visit")
    number = SurveyInvitation.objects.count()
    invitation = SurveyInvitation.objects.create(
        questionnaire=questionnaire, member=member, trigger="service_visit", channel="link", subject=f"t:{number}",
        token_hash=f"{number:064d}", dedupe_key=f"t:{number}", expires_at=_at(on), answered_at=_at(on),
    )  # fmt: skip
    SurveyResponse.objects.create(
        invitation=invitation, questionnaire=questionnaire, member=member, trigger="service_visit", csat=csat,
        nps=nps, answered_by=member.user, answered_at=_at(on),
    )  # fmt: skip


def _feedback_reasons(member, as_of=AS_OF) -> set[str]:
    compute_segments(as_of=as_of)
    return set(MemberSegment.objects.get(member=member).churn_reason_codes) & FEEDBACK_REASONS


def _tags(member) -> set[str]:
    return set(MemberTag.objects.filter(member=member).values_list("tag__code", flat=True))


def test_an_open_complaint_is_a_reason_until_it_is_closed():
    member = _member()
    complaint = _complaint(member, received_on=datetime.date(2026, 6, 1))
    assert _feedback_reasons(member) == {"open_complaint"}
    # Received after the as-of day: not yet a reason on that day.
    assert _feedback_reasons(member, as_of=datetime.date(2026, 5, 31)) == set()
    Complaint.objects.filter(pk=complaint.pk).update(status="closed", closed_at=timezone.now())
    assert _feedback_reasons(member) == set()


def test_a_poorly_rated_complaint_counts_within_the_window_and_a_fair_rating_never():
    poor, fair = _member(), _member()
    _rate(_complaint(poor, received_on=datetime.date(2026, 4, 1), closed=True), score=2, on=datetime.date(2026, 4, 5))
    _rate(_complaint(fair, received_on=datetime.date(2026, 4, 1), closed=True), score=3, on=datetime.date(2026, 4, 5))
    assert _feedback_reasons(poor) == {"poorly_rated_complaint"}
    assert _feedback_reasons(fair) == set()
    # Three months and a day after 5 April the rating has left the (default, 3-month) window…
    assert _feedback_reasons(poor, as_of=datetime.date(2026, 7, 6)) == set()
    # …unless head office widens it.
    SegmentRules.objects.filter(pk=SegmentRules.current().pk).update(feedback_months=6)
    assert _feedback_reasons(poor, as_of=datetime.date(2026, 7, 6)) == {"poorly_rated_complaint"}


@pytest.mark.parametrize(
    ("csat", "nps", "detractor"),
    [(None, 6, True), (None, 7, False), (2, None, True), (3, None, False), (5, 0, True), (4, 9, False)],
)
def test_a_detractor_answer_is_nps_up_to_6_or_csat_up_to_2(csat, nps, detractor):
    member = _member()
    _answer(member, on=datetime.date(2026, 6, 20), csat=csat, nps=nps)
    assert _feedback_reasons(member) == ({"detractor_answer"} if detractor else set())


def test_a_detractor_answer_leaves_the_score_when_it_leaves_the_window():
    member = _member()
    _answer(member, on=datetime.date(2026, 3, 30), nps=3)  # 3 months before 30 June: the window's first day
    assert _feedback_reasons(member) == {"detractor_answer"}
    assert _feedback_reasons(member, as_of=datetime.date(2026, 7, 1)) == set()


def test_the_feedback_reasons_add_their_weights_and_head_office_can_change_them():
    member = _member()
    complaint = _complaint(member, received_on=datetime.date(2026, 6, 1))
    _rate(_complaint(member, received_on=datetime.date(2026, 5, 1), closed=True), score=1, on=datetime.date(2026, 5, 9))
    _answer(member, on=datetime.date(2026, 6, 2), nps=2)
    compute_segments(as_of=AS_OF)
    segment = MemberSegment.objects.get(member=member)
    base = {"no_service_visit": 30, "no_sign_in": 15}
    assert set(segment.churn_reason_codes) == {*base, *FEEDBACK_REASONS}
    assert segment.churn_score == sum(base.values()) + 20 + 20 + 15
    SegmentRules.objects.filter(pk=1).update(churn_weights={"open_complaint": 5, "detractor_answer": 0})
    compute_segments(as_of=AS_OF)
    segment.refresh_from_db()
    assert segment.churn_score == sum(base.values()) + 5 + 20 + 0
    assert complaint.pk


def test_complained_this_quarter_follows_the_calendar_quarter():
    member, quiet = _member(), _member()
    _complaint(member, received_on=datetime.date(2026, 4, 1), closed=True)
    compute_segments(as_of=AS_OF)
    assert "complained_this_quarter" in _tags(member)
    assert "complained_this_quarter" not in _tags(quiet)
    # A new quarter begins on 1 July: the tag goes the night the data no longer says so.
    compute_segments(as_of=datetime.date(2026, 7, 1))
    assert "complained_this_quarter" not in _tags(member)
    # Before the complaint was received it was not there either.
    compute_segments(as_of=datetime.date(2026, 3, 31))
    assert "complained_this_quarter" not in _tags(member)


def test_months_before_keeps_the_day_or_takes_the_month_s_last():
    assert months_before(datetime.date(2026, 6, 30), 3) == datetime.date(2026, 3, 30)
    assert months_before(datetime.date(2026, 5, 31), 3) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2026, 2, 15), 14) == datetime.date(2024, 12, 15)
