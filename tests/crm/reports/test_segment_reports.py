"""Tier distribution and movement, churn rate and complaint rate: exact on a fixture read from the tier and
lifecycle history; a store manager sees only their store's rows and totals; the Excel file opens and matches."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from crm.care.complaints import services as complaint_services
from crm.care.complaints.models import Complaint
from crm.reports.models import AggregateRefresh, LifecycleDay, TierDay
from crm.reports.segment_reports import churn_report, complaint_rate_report, months_in, tier_report
from crm.reports.services import refresh_segment_days
from crm.segments.models import LifecycleChange, TierChange
from tests.crm.reports.conftest import at, client_for, member_at
from tests.helpers import run_at_once

API = "/api/v1/backoffice/reports/{}/"
PAGE = "/backoffice/reports/{}/"
PERIOD = {"from": "2026-10-01", "to": "2026-11-30"}
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    created = at(5, 1)
    a1, a2, a3, a4 = (member_at(cast.store, created=created, name=f"甲{n}") for n in range(4))
    b1 = member_at(cast.other_store, created=created, name="乙")
    tiers = [
        (a1, "2026-09-01", "normal", "gold"), (a1, "2026-10-10", "gold", "diamond"),
        (a1, "2026-12-05", "diamond", "gold"),  # after the period
        (a2, "2026-08-01", "normal", "silver"), (a2, "2026-11-05", "silver", "normal"),
        (b1, "2026-10-20", "normal", "platinum"),
    ]  # fmt: skip
    for member, day, from_tier, to_tier in tiers:
        TierChange.objects.create(member=member, from_tier=from_tier, to_tier=to_tier, spend_12_months=0,
                                  as_of=datetime.date.fromisoformat(day))  # fmt: skip
    stages = [
        (a1, "2026-06-01", "", "active"), (a1, "2026-10-15", "active", "churned"),
        (a2, "2026-06-01", "", "at_risk"), (a3, "2026-06-01", "", "lead"), (a4, "2026-10-05", "lead", "new"),
        (b1, "2026-06-01", "", "active"), (b1, "2026-11-03", "active", "churned"),
    ]  # fmt: skip
    for member, day, from_stage, to_stage in stages:
        LifecycleChange.objects.create(member=member, from_lifecycle=from_stage, to_lifecycle=to_stage,
                                       as_of=datetime.date.fromisoformat(day))  # fmt: skip
    for member, received in [
        (a1, at(10, 3)), (a2, at(10, 20)), (a2, at(11, 30, 23)), (b1, at(11, 2)),
        (a1, at(12, 1, 0)), (a1, at(9, 30, 23)),  # outside the period (local dates)
    ]:  # fmt: skip
        complaint = complaint_services.file_complaint(
            member=member, category="service", description="异响", filed_by="member", actor=member.user
        )
        Complaint.objects.filter(pk=complaint.pk).update(received_at=received, clock_started_at=received)
    cast.members = (a1, a2, a3, a4, b1)
    return cast


def _body(user, slug, **extra):
    response = client_for(user).get(API.format(slug), {**PERIOD, **extra})
    assert response.status_code == 200, response.content
    return response.json()


def test_tier_distribution_at_the_end_of_the_period_and_the_moves_in_it(world):
    body = _body(world.head_office, "tiers")
    rows = {row["tier"]: (row["members"], row["moved_up_in"], row["moved_down_in"], row["moved_out"])
            for row in body["rows"]}  # fmt: skip
    # The cast's own member registered in December: not a member at the end of November.
    assert rows == {
        "diamond": (1, 1, 0, 0), "platinum": (1, 1, 0, 0), "gold": (0, 0, 0, 1), "silver": (0, 0, 0, 1),
        "normal": (3, 0, 1, 1),
    }  # fmt: skip
    assert body["total"]["members"] == 5
    assert {row["tier"]: row["share"] for row in body["rows"]}["normal"] == "0.6000"
    months = tier_report(user=world.head_office, date_from=datetime.date(2026, 10, 1),
                         date_to=datetime.date(2026, 11, 30)).sections[0][2]  # fmt: skip
    assert months == [
        {"month": datetime.date(2026, 10, 1), "moved_up": 2, "moved_down": 0},
        {"month": datetime.date(2026, 11, 1), "moved_up": 0, "moved_down": 1},
    ]


def test_churn_rate_per_month_and_store(world):
    body = _body(world.head_office, "churn")
    rows = {(row["month"], row["store_name"]): (row["in_service"], row["churned"], row["churn_rate"])
            for row in body["rows"]}  # fmt: skip
    a, b = world.store.name, world.other_store.name
    assert rows == {
        ("2026-10-01", a): (2, 1, "0.5000"), ("2026-10-01", b): (1, 0, "0.0000"),
        ("2026-11-01", a): (2, 0, "0.0000"), ("2026-11-01", b): (1, 1, "1.0000"),
    }  # fmt: skip
    assert (body["total"]["in_service"], body["total"]["churned"], body["total"]["churn_rate"]) == (6, 2, "0.3333")
    months = churn_report(user=world.head_office, date_from=datetime.date(2026, 10, 1),
                          date_to=datetime.date(2026, 11, 30)).extra["months"]  # fmt: skip
    assert [(m["month"].day, str(m["churn_rate"])) for m in months] == [(1, "0.3333"), (1, "0.3333")]


def test_complaint_rate_per_100_members_in_service(world):
    body = _body(world.head_office, "complaint-rate")
    rows = {(row["month"], row["store_name"]): (row["complaints"], row["in_service"], row["per_100"])
            for row in body["rows"]}  # fmt: skip
    a, b = world.store.name, world.other_store.name
    assert rows == {
        ("2026-10-01", a): (2, 2, "100.00"), ("2026-10-01", b): (0, 1, "0.00"),
        ("2026-11-01", a): (1, 2, "50.00"), ("2026-11-01", b): (1, 1, "100.00"),
    }  # fmt: skip
    assert (body["total"]["complaints"], body["total"]["in_service"], body["total"]["per_100"]) == (4, 6, "66.67")


@pytest.mark.parametrize("slug", ["tiers", "churn", "complaint-rate"])
def test_a_store_manager_sees_only_their_store(world, slug):
    mine = _body(world.store_manager, slug)
    chosen = _body(world.head_office, slug, store=world.store.pk)
    assert mine["rows"] == chosen["rows"]
    assert mine["total"] == chosen["total"]
    assert world.other_store.name not in str(mine)
    response = client_for(world.store_manager).get(API.format(slug), {**PERIOD, "store": world.other_store.pk})
    assert response.status_code == 403


def test_store_manager_totals_exact(world):
    churn = _body(world.store_manager, "churn")["total"]
    assert (churn["in_service"], churn["churned"], churn["churn_rate"]) == (4, 1, "0.2500")
    tiers = _body(world.store_manager, "tiers")
    assert tiers["total"]["members"] == 4
    assert {row["tier"]: row["members"] for row in tiers["rows"]}["platinum"] == 0


def test_the_page_has_its_chart_and_the_excel_file_matches(client, world):
    client.force_login(world.head_office)
    page = client.get(PAGE.format("churn"), PERIOD)
    assert page.status_code == 200
    assert b"<canvas" in page.content
    response = client.get(PAGE.format("complaint-rate"), {**PERIOD, "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    values = list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)
    body = _body(world.head_office, "complaint-rate")
    assert [(row[1], row[2], row[3]) for row in values[1:5]] == [
        (row["store_name"], row["complaints"], row["in_service"]) for row in body["rows"]
    ]


def test_months_in_clips_to_the_period():
    assert months_in(datetime.date(2026, 1, 15), datetime.date(2026, 3, 2)) == [
        (datetime.date(2026, 1, 15), datetime.date(2026, 1, 31)),
        (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)),
        (datetime.date(2026, 3, 1), datetime.date(2026, 3, 2)),
    ]


SLUGS = ("tiers", "churn", "complaint-rate")


def _all_bodies(world) -> list:
    return [_body(user, slug) for user in (world.head_office, world.store_manager) for slug in SLUGS]


def test_the_nightly_sums_give_the_live_figures_and_the_days_since_are_read_from_the_history(world):
    live = _all_bodies(world)
    # The days before 1 November from the nightly sums, November from the history; then every day from the sums.
    for today in (datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)):
        refresh_segment_days(today=today)
        assert _all_bodies(world) == live
    # After the refresh of 1 November: a churn and a rise in November are read from the history.
    refresh_segment_days(today=datetime.date(2026, 11, 1))
    a3, a4 = world.members[2], world.members[3]
    LifecycleChange.objects.create(member=a4, from_lifecycle="new", to_lifecycle="churned",
                                   as_of=datetime.date(2026, 11, 20))  # fmt: skip
    TierChange.objects.create(member=a3, from_tier="normal", to_tier="silver", spend_12_months=0,
                              as_of=datetime.date(2026, 11, 25))  # fmt: skip
    churn = {(row["month"], row["store_name"]): (row["in_service"], row["churned"])
             for row in _body(world.head_office, "churn")["rows"]}  # fmt: skip
    assert churn[("2026-11-01", world.store.name)] == (2, 1)
    held = {row["tier"]: row["members"] for row in _body(world.head_office, "tiers")["rows"]}
    assert (held["silver"], held["normal"]) == (1, 2)


def test_a_refresh_run_twice_writes_the_same_sums(world):
    def sums():
        return (
            sorted(TierDay.objects.values_list("as_of", "store_id", "tier", "change")),
            sorted(LifecycleDay.objects.values_list("as_of", "store_id", "in_service_change", "churned")),
        )

    first = refresh_segment_days(today=datetime.date(2026, 12, 1))
    before = sums()
    assert refresh_segment_days(today=datetime.date(2026, 12, 1)) == first
    assert sums() == before
    # A member of the other store: the store manager's scope never reads their day rows.
    assert {store for _day, store, *_rest in before[1]} == {world.store.pk, world.other_store.pk}
    assert world.other_store.name not in str(_body(world.store_manager, "churn"))


def test_the_reports_run_a_fixed_number_of_queries_at_n_and_3n_members(world):
    refresh_segment_days(today=datetime.date(2026, 11, 1))

    def queries() -> list[int]:
        counts = []
        for report in (tier_report, churn_report, complaint_rate_report):
            with CaptureQueriesContext(connection) as captured:
                report(user=world.head_office, date_from=datetime.date(2026, 10, 1),
                       date_to=datetime.date(2026, 11, 30))  # fmt: skip
            counts.append(len(captured))
        return counts

    at_n = queries()
    for n in range(10):  # 5 → 15 members with history
        member = member_at(world.store if n % 2 else world.other_store, created=at(5, 1), name=f"丙{n}")
        LifecycleChange.objects.create(member=member, from_lifecycle="", to_lifecycle="active",
                                       as_of=datetime.date(2026, 6, 1 + n))  # fmt: skip
        TierChange.objects.create(member=member, from_tier="normal", to_tier="gold", spend_12_months=0,
                                  as_of=datetime.date(2026, 11, 2 + n))  # fmt: skip
    assert queries() == at_n


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_leave_one_copy(world):
    refresh_segment_days(today=datetime.date(2026, 12, 1))
    tiers, lifecycles = TierDay.objects.count(), LifecycleDay.objects.count()
    results, errors = run_at_once(lambda: refresh_segment_days(today=datetime.date(2026, 12, 1)))
    assert errors == []
    assert results == [tiers + lifecycles] * 2
    assert (TierDay.objects.count(), LifecycleDay.objects.count()) == (tiers, lifecycles)
    assert AggregateRefresh.objects.filter(name="segment-days").count() == 1
