"""Complaints, satisfaction and rescue as reports: exact numbers on a fixture, the same API answers at the same
addresses, a store manager never sees another store's rows or totals, the Excel file says what the page says."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils.translation import gettext
from openpyxl import load_workbook

from crm.care.complaints.enums import ComplaintCategory
from crm.care.complaints.models import Complaint
from crm.care.rescue.models import RescueRequest
from crm.reports import selectors
from tests.crm.reports.conftest import NOVEMBER, at, client_for
from tests.surveys.test_satisfaction_report import _responses
from tests.vehicles.factories import OwnedVehicleFactory

API = "/api/v1/backoffice/reports/{}/"
PAGE = "/backoffice/reports/{}/"
PERIOD = {"date_from": datetime.date(2026, 11, 1), "date_to": datetime.date(2026, 11, 30)}
pytestmark = pytest.mark.django_db


def complaint(cast, store, *, category, received, hours_to_close=None, met=True, open_breached=False,
              severity="general"):  # fmt: skip
    closed_at = received + datetime.timedelta(hours=hours_to_close) if hours_to_close is not None else None
    status = "closed" if closed_at else "investigating"
    sla = ("met" if met else "breached") if closed_at else ("breached" if open_breached else "on_track")
    due = received + datetime.timedelta(days=3)
    return Complaint.objects.create(
        number=f"C{Complaint.objects.count():06d}", member=cast.member, store=store, category=category,
        severity=severity, filed_by="member", description="…", received_at=received, clock_started_at=received,
        closed_at=closed_at, status=status, sla_status=sla, first_response_due=due, first_response_risk_at=due,
        resolution_due=due, resolution_risk_at=due,
    )  # fmt: skip


@pytest.fixture
def complaint_world(cast):
    """Store A: three service complaints (closed in 2 h and 10 h, one late; one open and overdue) and a billing one
    closed in 6 h; store B: two billing complaints, one closed in 24 h. One of October, left out."""
    a, b = cast.store, cast.other_store
    complaint(cast, a, category="service", received=at(11, 2), hours_to_close=2, severity="serious")
    complaint(cast, a, category="service", received=at(11, 3), hours_to_close=10, met=False)
    complaint(cast, a, category="service", received=at(11, 4), open_breached=True)
    complaint(cast, a, category="billing", received=at(11, 5), hours_to_close=6)
    complaint(cast, b, category="billing", received=at(11, 6), hours_to_close=24)
    complaint(cast, b, category="billing", received=at(11, 7))
    complaint(cast, a, category="sales", received=at(10, 20), hours_to_close=1)
    return cast


def test_complaints_per_store_and_topic_exact(complaint_world):
    result = selectors.complaint_report(user=complaint_world.head_office, **PERIOD)
    rows = {row["store"]: row for row in result.rows}
    a, b = rows[complaint_world.store.name], rows[complaint_world.other_store.name]
    figures = ("received", "closed", "met", "closed_late", "open_breached", "compliance", "average_resolution_hours")
    assert [a[name] for name in figures] == [4, 3, 2, 1, 1, Decimal("0.6667"), 6.0]
    assert [b[name] for name in figures] == [2, 1, 1, 0, 0, Decimal("1.0000"), 24.0]
    # Overall: 4 closed, 3 within the deadline; (2 + 10 + 6 + 24) / 4 = 10.5 hours.
    assert [result.total[name] for name in figures] == [6, 4, 3, 1, 1, Decimal("0.7500"), 10.5]
    [(_title, _columns, topics)] = result.sections
    assert [(t["category"], t["count"], t["serious"], t["share"]) for t in topics] == [
        ("billing", 3, 0, Decimal("0.5000")),
        ("service", 3, 1, Decimal("0.5000")),
    ]


def test_complaints_api_keeps_topics_and_stores_and_is_scoped(complaint_world):
    manager = client_for(complaint_world.store_manager).get(API.format("complaints"), NOVEMBER).json()
    assert [(t["category"], t["count"]) for t in manager["topics"]] == [("service", 3), ("billing", 1)]
    assert [s["store_id"] for s in manager["stores"]] == [complaint_world.store.pk]
    assert manager["stores"][0]["average_resolution_hours"] == 6.0
    assert manager["total"]["received"] == 4  # never store B's
    assert [row["store"] for row in manager["rows"]] == [complaint_world.store.name]
    refused = client_for(complaint_world.store_manager).get(
        API.format("complaints"), {**NOVEMBER, "store": complaint_world.other_store.pk}
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "store_not_visible")
    head = (
        client_for(complaint_world.head_office)
        .get(API.format("complaints"), {**NOVEMBER, "store": complaint_world.other_store.pk})
        .json()
    )
    assert (head["total"]["received"], head["total"]["compliance"]) == (2, "1.0000")


@pytest.fixture
def survey_world(cast):
    """As the satisfaction tests': store A's deliveries in October (CSAT 5,5,4,3,1; NPS 10,9,8,6,0) and service
    visits in November (CSAT 4, 2, none; NPS 9, none, 7); store B's one delivery in October (CSAT 5, NPS 3)."""
    _responses(cast, cast.store, "delivery", [(5, 10), (5, 9), (4, 8), (3, 6), (1, 0)])
    _responses(cast, cast.store, "service_visit", [(4, 9), (2, None), (None, 7)], day=datetime.date(2026, 11, 2))
    _responses(cast, cast.other_store, "delivery", [(5, 3)])
    _responses(cast, cast.store, "delivery", [(1, 0)], day=datetime.date(2026, 9, 30))
    return cast


THIN = gettext("Thin")
OCT_NOV = {"date_from": datetime.date(2026, 10, 1), "date_to": datetime.date(2026, 11, 30)}


def test_satisfaction_per_month_with_the_thin_mark(survey_world):
    result = selectors.satisfaction_over_time(user=survey_world.head_office, **OCT_NOV)
    months = [(r["month"], r["responses"], r["csat"], r["nps"], r["thin"]) for r in result.rows]
    # October: A's deliveries (CSAT 3/5, NPS 0) and B's one (CSAT 5, NPS 3): CSAT 4/6, NPS (2 − 3)/6.
    # November: A's service visits: CSAT 1/2, NPS 1/2.
    assert months == [
        ("2026-10", 6, Decimal("66.7"), Decimal("-16.7"), THIN),
        ("2026-11", 3, Decimal("50.0"), Decimal("50.0"), THIN),
    ]
    assert (result.total["responses"], result.total["csat"], result.total["nps"]) == (
        9,
        Decimal("62.5"),
        Decimal("0.0"),
    )
    assert result.chart.datasets[0]["data"] == [66.7, 50.0]


def test_satisfaction_for_a_store_manager_is_their_store_only(survey_world):
    result = selectors.satisfaction_over_time(user=survey_world.store_manager, **OCT_NOV)
    assert [(r["month"], r["responses"]) for r in result.rows] == [("2026-10", 5), ("2026-11", 3)]
    assert result.total["responses"] == 8
    body = (
        client_for(survey_world.store_manager)
        .get(API.format("satisfaction"), {"from": "2026-10-01", "to": "2026-11-30"})
        .json()
    )
    assert (body["responses"], body["csat"], [s["store"] for s in body["stores"]]) == (8, "57.1", ["SZ01"])
    assert [m["month"] for m in body["months"]] == ["2026-10-01", "2026-11-01"]


def rescue(cast, store, *, requested, minutes=None, status="done"):
    arrived = requested + datetime.timedelta(minutes=minutes) if minutes is not None else None
    RescueRequest.objects.create(
        member=cast.member, vehicle=OwnedVehicleFactory(member=cast.member), store=store, kind="tow", channel="app",
        location="高速 G4", requested_at=requested, arrived_at=arrived, done_at=arrived, status=status,
        created_by=cast.member_user,
    )  # fmt: skip


def test_rescue_response_times_per_store(cast):
    rescue(cast, cast.store, requested=at(11, 10), minutes=30)
    rescue(cast, cast.store, requested=at(11, 10), minutes=50)
    rescue(cast, cast.other_store, requested=at(11, 10), minutes=90)
    rescue(cast, cast.store, requested=at(11, 11), status="cancelled")
    head = selectors.rescue_response_times(user=cast.head_office, **PERIOD)
    assert [(r["store"], r["requests"], r["arrived"], r["cancelled"], r["average_minutes"]) for r in head.rows] == [
        (cast.other_store.name, 1, 1, 0, Decimal("90.0")),
        (cast.store.name, 3, 2, 1, Decimal("40.0")),
    ]
    assert (head.total["requests"], head.total["average_minutes"], head.total["longest_minutes"]) == (
        4, Decimal("56.7"), Decimal("90.0"),
    )  # fmt: skip
    manager = client_for(cast.store_manager).get(API.format("rescue"), NOVEMBER).json()
    assert ([s["store"] for s in manager["stores"]], manager["total"]["requests"]) == (["SZ01"], 3)


@pytest.mark.parametrize("slug", ["complaints", "satisfaction", "rescue"])
def test_each_page_renders_its_chart_table_and_filters(client, complaint_world, slug):
    client.force_login(complaint_world.head_office)
    response = client.get(PAGE.format(slug), NOVEMBER)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="report-chart"' in content
    assert 'id="report-table"' in content
    assert 'name="store"' in content
    client.force_login(complaint_world.store_manager)
    assert client.get(PAGE.format(slug), {"store": complaint_world.other_store.pk}).status_code == 403


def test_complaints_excel_matches_the_page_for_a_store_manager(client, complaint_world):
    client.force_login(complaint_world.store_manager)
    page = client.get(PAGE.format("complaints"), NOVEMBER).content.decode()
    assert complaint_world.other_store.name not in page
    response = client.get(PAGE.format("complaints"), {**NOVEMBER, "format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    table = list(book.worksheets[0].values)
    result = selectors.complaint_report(user=complaint_world.store_manager, **PERIOD)
    assert list(table[0]) == [str(column.label) for column in result.columns]
    assert table[1][:6] == (complaint_world.store.name, 4, 3, 2, 1, 1)
    assert table[1][6] == pytest.approx(0.6667)
    assert table[1][7] == pytest.approx(6.0)
    assert len(table) == 3  # the store's row and the total, nothing of store B
    topics = list(book.worksheets[1].values)
    labels = dict(ComplaintCategory.choices)
    assert [row[:2] for row in topics[1:]] == [(str(labels["service"]), 3), (str(labels["billing"]), 1)]


def test_care_reports_run_a_fixed_number_of_queries(complaint_world, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        selectors.complaint_report(user=complaint_world.head_office, **PERIOD)
    with django_assert_max_num_queries(2):
        selectors.rescue_response_times(user=complaint_world.head_office, **PERIOD)
    with django_assert_max_num_queries(2):
        selectors.satisfaction_over_time(user=complaint_world.head_office, **PERIOD)


def test_the_car_keeps_its_last_service_visit_for_the_not_back_report(cast):
    from vehicles.models import OwnedVehicle, ServiceRecord
    from vehicles.services import recompute_last_service_on, record_service_visit

    car = OwnedVehicleFactory(member=cast.member, delivered_on=datetime.date(2025, 1, 10))
    assert car.last_service_on is None

    def visit(reference, day):
        record_service_visit(vehicle_id=car.pk, dealer_reference=reference, serviced_on=day, mileage_km=1000,
                             description="保养", is_maintenance=False, amounts={})  # fmt: skip

    visit("V1", datetime.date(2025, 8, 1))
    visit("V0", datetime.date(2025, 3, 1))  # an older visit imported late does not move it back
    assert OwnedVehicle.objects.get(pk=car.pk).last_service_on == datetime.date(2025, 8, 1)
    ServiceRecord.objects.filter(dealer_reference="V1").delete()
    recompute_last_service_on(vehicle_ids=[car.pk])
    assert OwnedVehicle.objects.get(pk=car.pk).last_service_on == datetime.date(2025, 3, 1)
