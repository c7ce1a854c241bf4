"""CSAT and NPS exact on a fixture, per store, per trigger and per month, with the thin mark; scoped to the store."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from crm.surveys.defaults import ensure_default_questionnaires
from crm.surveys.models import SurveyInvitation, SurveyResponse
from crm.surveys.selectors import active_questionnaire, satisfaction_report
from members.services import issue_access_token

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _responses(cast, store, trigger, scores, *, day=datetime.date(2026, 10, 15)):
    ensure_default_questionnaires()
    questionnaire = active_questionnaire(trigger=trigger)
    at = datetime.datetime.combine(day, datetime.time(10), tzinfo=SHANGHAI)
    for csat, nps in scores:
        number = SurveyInvitation.objects.count()
        invitation = SurveyInvitation.objects.create(
            questionnaire=questionnaire, member=cast.member, store=store, trigger=trigger, channel="link",
            subject=f"t:{number}", token_hash=f"{number:064d}", dedupe_key=f"t:{number}", expires_at=at,
            answered_at=at,
        )  # fmt: skip
        SurveyResponse.objects.create(invitation=invitation, questionnaire=questionnaire, member=cast.member,
                                      store=store, trigger=trigger, csat=csat, nps=nps, answered_by=cast.member_user,
                                      answered_at=at)  # fmt: skip


@pytest.fixture
def fixture(cast):
    # Store A, deliveries: CSAT 5,5,4,3,1 → 3/5 satisfied = 60.0; NPS 10,9,8,6,0 → (2 − 2)/5 = 0.0.
    _responses(cast, cast.store, "delivery", [(5, 10), (5, 9), (4, 8), (3, 6), (1, 0)])
    # Store A, service visits: CSAT 4, 2, none; NPS 9, none, 7 → CSAT 1/2 = 50.0; NPS (1 − 0)/2 = 50.0.
    _responses(cast, cast.store, "service_visit", [(4, 9), (2, None), (None, 7)], day=datetime.date(2026, 11, 2))
    # Store B: CSAT 5; NPS 3 → 100.0 and −100.0.
    _responses(cast, cast.other_store, "delivery", [(5, 3)])
    # Outside the period: left out.
    _responses(cast, cast.store, "delivery", [(1, 0)], day=datetime.date(2026, 9, 30))


def test_csat_and_nps_exact(cast, fixture):
    report = satisfaction_report(user=cast.head_office, date_from=datetime.date(2026, 10, 1),
                                 date_to=datetime.date(2026, 11, 30))  # fmt: skip
    total = report.total
    # CSAT: satisfied 5,5,4 + 4 + 5 = 5 of 8 answers; NPS: promoters 10,9 + 9 = 3, detractors 6,0 + 3 = 3, of 8.
    assert (total.responses, total.csat_answers, total.csat, total.nps_answers, total.nps) == (
        9, 8, Decimal("62.5"), 8, Decimal("0.0"),
    )  # fmt: skip
    assert total.is_thin
    stores = {row.store_code: (row.responses, row.csat, row.nps) for row in report.stores}
    # Store A: CSAT 4 of 7 (5,5,4,4); NPS promoters 10,9,9 − detractors 6,0 = 1 of 7.
    assert stores == {"SZ01": (8, Decimal("57.1"), Decimal("14.3")), "GZ01": (1, Decimal("100.0"), Decimal("-100.0"))}
    triggers = {row.trigger: (row.responses, row.csat, row.nps) for row in report.triggers}
    assert triggers == {
        "delivery": (6, Decimal("66.7"), Decimal("-16.7")),
        "service_visit": (3, Decimal("50.0"), Decimal("50.0")),
    }
    months = {row.month: row.responses for row in report.months}
    assert months == {datetime.date(2026, 10, 1): 6, datetime.date(2026, 11, 1): 3}


def test_thirty_answers_are_no_longer_thin(cast):
    _responses(cast, cast.store, "delivery", [(5, 10)] * 30)
    report = satisfaction_report(user=cast.head_office, date_from=datetime.date(2026, 10, 1),
                                 date_to=datetime.date(2026, 10, 31))  # fmt: skip
    assert (report.total.responses, report.total.is_thin, report.total.csat, report.total.nps) == (
        30, False, Decimal("100.0"), Decimal("100.0"),
    )  # fmt: skip


def test_the_api_is_scoped_to_the_store(cast, fixture):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=cast.store_manager)}")
    body = client.get("/api/v1/backoffice/reports/satisfaction/?from=2026-10-01&to=2026-11-30").json()
    assert (body["responses"], body["csat"], body["nps"], body["thin"]) == (8, "57.1", "14.3", True)
    assert [row["store"] for row in body["stores"]] == ["SZ01"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=cast.other_store_staff)}")
    body = client.get("/api/v1/backoffice/reports/satisfaction/?from=2026-10-01&to=2026-11-30").json()
    assert (body["responses"], body["csat"], body["stores"]) == (1, "100.0", [{
        "store": "GZ01", "store_name": cast.other_store.name, "csat": "100.0", "nps": "-100.0", "responses": 1,
        "csat_answers": 1, "nps_answers": 1, "thin": True}])  # fmt: skip
    assert client.get("/api/v1/backoffice/reports/satisfaction/?from=2026-11-30&to=2026-10-01").status_code == 400
    assert client.get("/api/v1/backoffice/reports/satisfaction/?trigger=x").status_code == 400
    member = APIClient()
    member.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=cast.member_user)}")
    assert member.get("/api/v1/backoffice/reports/satisfaction/").status_code == 403
