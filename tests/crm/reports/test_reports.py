"""Each report's numbers, exact on a known fixture; a store manager never sees another store's rows or totals; the
Excel file opens and says what the page says; formulas are neutralised; the replica router."""

import datetime
import html
import io
from decimal import Decimal

import pytest
from django.db import router
from django.utils import timezone
from openpyxl import load_workbook

from crm.reports import selectors, services
from crm.reports.excel import neutralise
from crm.reports.models import AggregateRefresh, FunnelDay, MemberValueDay
from crm.reports.router import reading_from_replica
from members.models import Member
from orders.models import Installment
from points.models import PointsAccount
from staff_tasks.models import Task
from tests.crm.reports.conftest import NOVEMBER, at, client_for, member_at
from tests.members.factories import StaffFactory

API = "/api/v1/backoffice/reports/{}/"
PAGE = "/backoffice/reports/{}/"
pytestmark = pytest.mark.django_db


def steps(body) -> dict:
    return {step["step"]: (step["count"], step["rate_from_previous"]) for step in body["steps"]}


def test_funnel_counts_each_step_for_head_office(funnel_world):
    body = client_for(funnel_world.head_office).get(API.format("funnel"), NOVEMBER).json()
    assert steps(body) == {
        "lead": (5, None), "registered": (3, "0.6000"), "profile_completed": (2, "0.6667"), "verified": (2, "1.0000"),
        "applied": (2, "1.0000"), "approved": (1, "0.5000"), "delivered": (1, "1.0000"),
    }  # fmt: skip
    by_step = {row["step"]: (row["self_service"], row["agent_guided"]) for row in body["rows"]}
    assert by_step["lead"] == (3, 2)
    assert by_step["applied"] == (1, 1)
    assert by_step["delivered"] == (1, 0)
    assert {(d["step"], d["reason"]): d["count"] for d in body["drop_outs"]} == {
        ("lead", "price"): 1, ("lead", "in_progress"): 1, ("registered", "none_recorded"): 1,
        ("applied", "credit_declined"): 1,
    }  # fmt: skip


def test_funnel_by_channel(funnel_world):
    body = client_for(funnel_world.head_office).get(API.format("funnel"), {**NOVEMBER, "channel": "call_center"}).json()
    assert [step["count"] for step in body["steps"]] == [2, 1, 1, 1, 1, 0, 0]


def test_store_manager_sees_only_their_store_in_the_funnel(funnel_world):
    manager = funnel_world.store_manager
    body = client_for(manager).get(API.format("funnel"), NOVEMBER).json()
    assert [step["count"] for step in body["steps"]] == [4, 2, 1, 1, 1, 0, 0]
    refused = client_for(manager).get(API.format("funnel"), {**NOVEMBER, "store": funnel_world.other_store.pk})
    assert refused.status_code == 403
    assert refused.json()["code"] == "store_not_visible"


def test_head_office_may_pick_a_store(funnel_world):
    store_b = {**NOVEMBER, "store": funnel_world.other_store.pk}
    body = client_for(funnel_world.head_office).get(API.format("funnel"), store_b).json()
    assert [step["count"] for step in body["steps"]] == [1, 1, 1, 1, 1, 1, 1]


def test_bad_filters_are_refused_with_a_field(funnel_world):
    client = client_for(funnel_world.head_office)
    response = client.get(API.format("funnel"), {"from": "2026-12-01", "to": "2026-11-01"})
    assert response.status_code == 400
    assert "from" in response.json()["fields"]
    assert client.get(API.format("funnel"), {"channel": "pigeon"}).status_code == 400
    assert client.get(API.format("not-returned"), {"months": "7"}).status_code == 400


def test_members_and_roleless_staff_may_not_read_reports(funnel_world, member_client):
    assert member_client.get(API.format("funnel"), NOVEMBER).status_code == 403
    roleless = StaffFactory(role="")
    assert client_for(roleless).get(API.format("funnel"), NOVEMBER).status_code == 403


def test_not_returned_lists_cars_away_for_that_long(value_world):
    client = client_for(value_world.head_office)
    six = client.get(API.format("not-returned"), {"months": 6}).json()
    assert six["count"] == 2
    assert [row["months_absent"] for row in six["results"]] == [13, 8]  # the longest away first
    twelve = client.get(API.format("not-returned"), {"months": 12}).json()
    assert twelve["count"] == 1
    mine = client_for(value_world.store_manager).get(API.format("not-returned"), {"months": 6}).json()
    assert mine["count"] == 1
    assert mine["results"][0]["store"] == value_world.store.name


def test_recall_tasks_once_per_car_and_only_in_the_actors_stores(value_world):
    manager = value_world.store_manager
    assert services.open_recall_tasks(actor=manager, months=6) == 1
    assert services.open_recall_tasks(actor=manager, months=6) == 0
    task = Task.objects.get(kind="churn_recall")
    assert task.store_id == value_world.store.pk
    assert task.subject_type == "vehicle"
    assert services.open_recall_tasks(actor=value_world.head_office, months=6) == 1  # store B's car
    assert Task.objects.filter(kind="churn_recall").count() == 2


def test_recall_tasks_from_the_page(client, value_world):
    client.force_login(value_world.store_manager)
    response = client.post("/backoffice/reports/not-returned/recall-tasks/", {"months": "6"})
    assert response.status_code == 302
    assert Task.objects.filter(kind="churn_recall", store=value_world.store).count() == 1


def test_lifetime_value_by_years_of_membership(value_world):
    body = client_for(value_world.head_office).get(API.format("lifetime-value")).json()
    rows = {row["tenure_years"]: row for row in body["rows"]}
    assert (rows[0]["members"], rows[0]["spend"]) == (3, "0.00")
    assert (rows[2]["members"], rows[2]["spend"], rows[2]["spend_per_member"]) == (1, "35000.00", "35000.00")
    assert (rows[3]["members"], rows[3]["spend"]) == (1, "5000.00")
    assert rows[1]["members"] == rows[4]["members"] == rows[5]["members"] == 0
    assert (body["total"]["members"], body["total"]["spend"]) == (5, "40000.00")
    # 35,000 over about 760 days of membership (a day either way with the time of day).
    assert Decimal(rows[2]["spend_per_year"]) in {
        (Decimal(35000) * 365 / days).quantize(Decimal("0.01")) for days in (759, 760, 761)
    }
    mine = client_for(value_world.store_manager).get(API.format("lifetime-value")).json()
    assert (mine["total"]["members"], mine["total"]["spend"]) == (4, "35000.00")


def test_lifetime_value_reads_the_nightly_aggregate_with_the_same_figures(value_world, django_assert_num_queries):
    users = (value_world.head_office, value_world.store_manager)

    def answers():
        return [client_for(user).get(API.format("lifetime-value")).json() for user in users]

    live = answers()
    # The newest member joined today, after the refresh: counted live, next to the aggregated days.
    assert services.refresh_report_aggregates()["member_value_days"] > 0
    assert MemberValueDay.objects.filter(joined_on__gte=timezone.localdate()).count() == 0
    assert answers() == live
    with django_assert_num_queries(3):  # how far the aggregate goes, the aggregated days, the members since
        selectors.lifetime_value_report(user=value_world.head_office)
    # Spend recorded after the refresh shows at the next one.
    Installment.objects.filter(status="due").update(status="paid")
    assert answers() == live
    services.refresh_member_value_days()
    assert Decimal(answers()[0]["total"]["spend"]) == Decimal(live[0]["total"]["spend"]) + 2000


def test_referral_funnel(referral_world):
    body = client_for(referral_world.head_office).get(API.format("referrals"), NOVEMBER).json()
    assert [(s["step"], s["count"]) for s in body["steps"]] == [
        ("invited", 4),
        ("verified", 3),
        ("applied", 2),
        ("delivered", 1),
    ]
    assert body["referrers"][0]["invitees"] == 4
    mine = client_for(referral_world.store_manager).get(API.format("referrals"), NOVEMBER).json()
    assert [s["count"] for s in mine["steps"]] == [3, 2, 1, 1]


def test_campaign_reach_conversion_and_return(campaign_world):
    body = client_for(campaign_world.head_office).get(API.format("campaigns"), NOVEMBER).json()
    rows = {row["name"]: row for row in body["rows"]}
    store_a = rows["双十一"]
    assert (store_a["messaged"], store_a["reached"], store_a["converted"]) == (3, 2, 1)
    assert (store_a["conversion_rate"], store_a["revenue"], store_a["cost"], store_a["roi"]) == (
        "0.5000",
        "100000.00",
        "1000.00",
        "99.0000",
    )
    assert (rows["广州车主日"]["reached"], rows["广州车主日"]["roi"]) == (1, None)
    assert (body["total"]["reached"], body["total"]["converted"], body["total"]["cost"]) == (3, 1, "1000.00")
    mine = client_for(campaign_world.store_manager).get(API.format("campaigns"), NOVEMBER).json()
    assert [row["name"] for row in mine["rows"]] == ["双十一"]
    assert mine["total"]["reached"] == 2


def test_campaigns_read_the_nightly_results_and_compute_newer_ones_live(campaign_world, django_assert_num_queries):
    from crm.models import Campaign

    live = client_for(campaign_world.head_office).get(API.format("campaigns"), NOVEMBER).json()
    assert services.refresh_report_aggregates(today=datetime.date(2026, 12, 1))["campaign_results"] == 2
    assert services.refresh_campaign_results() == 2  # a re-run rebuilds the same rows
    assert client_for(campaign_world.head_office).get(API.format("campaigns"), NOVEMBER).json() == live
    # A campaign sent after the refresh: computed live, next to the stored ones.
    Campaign.objects.create(name="新活动", subject="s", body="b", store=campaign_world.store, state="scheduled",
                            scheduled_at=at(11, 25))  # fmt: skip
    with django_assert_num_queries(3):  # campaigns, stored results, the live one
        result = selectors.campaign_report(
            user=campaign_world.head_office, date_from=datetime.date(2026, 11, 1), date_to=datetime.date(2026, 11, 30)
        )
    assert {row["name"]: row["messaged"] for row in result.rows} == {"双十一": 3, "广州车主日": 1, "新活动": 0}
    mine = client_for(campaign_world.store_manager).get(API.format("campaigns"), NOVEMBER).json()
    assert {row["name"] for row in mine["rows"]} == {"双十一", "新活动"}
    assert mine["total"]["reached"] == 2


def test_points_liability(points_world):
    body = client_for(points_world.head_office).get(API.format("points-liability")).json()
    assert (body["points_outstanding"], body["members_with_points"]) == (6550, 3)
    assert [(r["cost_points"], r["coupons"], r["value"]) for r in body["rows"]] == [
        (500, 12, "600.00"),
        (1000, 6, "720.00"),
    ]
    mine = client_for(points_world.store_manager).get(API.format("points-liability")).json()
    assert (mine["points_outstanding"], mine["members_with_points"]) == (1550, 2)
    assert [r["coupons"] for r in mine["rows"]] == [2, 1]


def test_points_liability_leaves_closed_accounts_out_and_counts_members_without_a_store_at_head_office(points_world):
    """A closed account's points are no liability (head office takes them back from every balance held, a store
    never reads them); a member without a store counts for head office only; an empty balance for nobody."""
    closed = member_at(points_world.store, created=timezone.now())
    PointsAccount.objects.update_or_create(member=closed, defaults={"balance": 1250})  # the same balance as one open
    Member.objects.filter(pk=closed.pk).update(closed_at=timezone.now())
    PointsAccount.objects.update_or_create(member=member_at(None, created=timezone.now()), defaults={"balance": 700})
    PointsAccount.objects.update_or_create(member=member_at(points_world.store, created=timezone.now()),
                                           defaults={"balance": 0})  # fmt: skip
    body = client_for(points_world.head_office).get(API.format("points-liability")).json()
    assert (body["points_outstanding"], body["members_with_points"]) == (7250, 4)
    # ⌊1250/500⌋ + ⌊300/500⌋ + ⌊5000/500⌋ + ⌊700/500⌋ = 2 + 0 + 10 + 1; per 1,000: 1 + 0 + 5 + 0.
    assert [(r["coupons"], r["value"]) for r in body["rows"]] == [(13, "650.00"), (6, "720.00")]
    mine = client_for(points_world.store_manager).get(API.format("points-liability")).json()
    assert (mine["points_outstanding"], mine["members_with_points"]) == (1550, 2)
    assert [r["coupons"] for r in mine["rows"]] == [2, 1]


def test_task_execution_is_served_at_its_address(funnel_world):
    body = client_for(funnel_world.head_office).get(API.format("task-execution"), NOVEMBER).json()
    assert set(body) >= {"rows", "stores", "total", "targets"}


@pytest.mark.parametrize("slug", ["funnel", "not-returned", "lifetime-value", "referrals", "campaigns",
                                  "points-liability", "task-execution"])  # fmt: skip
def test_every_page_renders_its_chart_and_table(client, funnel_world, slug):
    client.force_login(funnel_world.head_office)
    response = client.get(PAGE.format(slug), NOVEMBER)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="report-chart"' in content
    assert 'id="report-table"' in content
    assert "vendor/chartjs/chart.umd.js" in content


def test_the_excel_file_matches_the_page(client, funnel_world):
    client.force_login(funnel_world.head_office)
    response = client.get(PAGE.format("funnel"), {**NOVEMBER, "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = list(sheet.values)
    page = selectors.acquisition_funnel(
        user=funnel_world.head_office, date_from=datetime.date(2026, 11, 1), date_to=datetime.date(2026, 11, 30)
    )
    assert list(values[0]) == [str(column.label) for column in page.columns]
    assert [(row[0], row[1]) for row in values[1:]] == [(row["label"], row["count"]) for row in page.rows]
    assert values[2][2] == pytest.approx(0.6)


def test_excel_neutralises_formulas(client, points_world):
    client.force_login(points_world.head_office)
    response = client.get(PAGE.format("points-liability"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A2"].value == "'=抵扣券50"
    assert sheet["A2"].data_type == "s"
    assert [neutralise(v) for v in ("+1", "-1", "@a", "ok", 5)] == ["'+1", "'-1", "'@a", "ok", 5]


def test_store_manager_page_and_excel_show_only_their_store(client, points_world):
    client.force_login(points_world.store_manager)
    page = client.get(PAGE.format("points-liability")).content.decode()
    assert "1550" in page
    assert "6550" not in page
    response = client.get(PAGE.format("points-liability"), {"format": "xlsx", "store": points_world.other_store.pk})
    assert response.status_code == 403


def test_each_page_says_whether_its_figures_are_live_or_as_of_the_nightly_refresh(client, points_world):
    client.force_login(points_world.head_office)
    for slug, freshness in (
        ("points-liability", "Live: as of now."),
        ("task-execution", "As of last night's refresh, plus what came in since (read live)."),
        ("tasks", "As of last night's refresh, plus what came in since (read live)."),  # supervision's own page
        ("funnel", "As of last night's refresh, plus what came in since (read live)."),
    ):
        page = html.unescape(client.get(PAGE.format(slug), HTTP_ACCEPT_LANGUAGE="en").content.decode())
        assert f'<p class="muted" id="report-freshness">{freshness}</p>' in page, slug


def test_reports_read_from_the_replica_when_one_is_set(settings):
    assert router.db_for_read(Member) == "default"
    with reading_from_replica() as alias:
        assert alias == "default"
        assert router.db_for_read(Member) == "default"
    settings.DATABASES = {**settings.DATABASES, "replica": {**settings.DATABASES["default"]}}
    with reading_from_replica() as alias:
        assert alias == "replica"
        assert router.db_for_read(Member) == "replica"
        assert router.db_for_write(Member) == "default"
    assert router.db_for_read(Member) == "default"  # only the reports' reads
    assert router.allow_migrate("replica", "members") is False


def test_the_funnel_is_two_queries_however_many_people(funnel_world, django_assert_num_queries):
    november = {"date_from": datetime.date(2026, 11, 1), "date_to": datetime.date(2026, 11, 30)}
    with django_assert_num_queries(2):  # how far the aggregate goes, then the live query
        selectors.acquisition_funnel(user=funnel_world.head_office, **november)
    services.refresh_funnel_days(today=datetime.date(2026, 11, 20))
    with django_assert_num_queries(3):  # and the aggregated days
        selectors.acquisition_funnel(user=funnel_world.head_office, **november)


def _funnel_answer(user, **filters):
    body = client_for(user).get(API.format("funnel"), {**NOVEMBER, **filters}).json()
    return steps(body), sorted((d["step"], d["reason"], d["count"]) for d in body["drop_outs"]), body["by_channel"]


@pytest.mark.parametrize("today", [datetime.date(2026, 11, 5), datetime.date(2026, 12, 1)])
def test_the_funnel_reads_the_nightly_aggregate_with_the_same_figures(funnel_world, today):
    """Covered days (all of November, or its first four) come from the aggregate, the others live: same answer."""
    users = (funnel_world.head_office, funnel_world.store_manager)

    def answers():
        return [_funnel_answer(user) for user in users] + [_funnel_answer(funnel_world.head_office, channel="online")]

    live = answers()
    written = services.refresh_funnel_days(today=today)
    assert written > 0
    assert FunnelDay.objects.filter(came_in_on__gte=today).count() == 0
    assert services.refresh_funnel_days(today=today) == written  # a re-run rebuilds the same rows
    assert [_funnel_answer(user) for user in users] + [
        _funnel_answer(funnel_world.head_office, channel="online")
    ] == live
    assert AggregateRefresh.objects.get(name="funnel").covers_until == today


def test_the_aggregate_is_as_fresh_as_its_last_refresh(funnel_world):
    services.refresh_funnel_days(today=datetime.date(2026, 12, 1))
    before = _funnel_answer(funnel_world.head_office)[0]["delivered"]
    # The store A applicant rejected earlier gets a second application delivered.
    from orders.models import Order

    rejected = Order.objects.get(state="rejected")
    Order.objects.filter(pk=rejected.pk).update(state="delivered")
    assert _funnel_answer(funnel_world.head_office)[0]["delivered"] == before  # as of last night
    services.refresh_funnel_days(today=datetime.date(2026, 12, 1))
    assert _funnel_answer(funnel_world.head_office)[0]["delivered"][0] == before[0] + 1


def test_the_nightly_command_refreshes_every_aggregate_and_refuses_a_bad_date(funnel_world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    output = StringIO()
    call_command("refresh_report_aggregates", "--date", "2026-12-01", stdout=output)
    assert "2026-12-01" in output.getvalue()
    assert set(AggregateRefresh.objects.values_list("name", flat=True)) == {
        "funnel", "lifetime-value", "campaigns", "task-execution", "segment-days",
    }  # fmt: skip
    with pytest.raises(CommandError):
        call_command("refresh_report_aggregates", "--date", "2026-13-01")
