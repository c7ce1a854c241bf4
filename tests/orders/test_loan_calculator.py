"""The loan calculator's free choice: a down payment (yuan or a share of the price) and a term within the plan's
range. The plan page, the quote API and the quote the application records agree to the fen; the loan runs over the
chosen term; a choice outside the range is a 400 or a form error that says what is allowed, in both languages."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from orders import services
from orders.forms import LoanChoiceForm
from orders.models import Order
from tests.members.factories import MemberFactory
from tests.vehicles.factories import FinancePlanFactory
from vehicles.finance import LoanChoice

pytestmark = pytest.mark.django_db

FIGURES = ("down_payment", "term_months", "monthly_payment", "total_interest", "fees", "annual_percentage_rate")


@pytest.fixture
def plan():
    # ¥129,800 at 6 % a year with ¥2,000 of fees; 20 %–60 % down; 36 months, or 12, 24 or 48.
    return FinancePlanFactory(
        trim__guide_price=Decimal("129800.00"), annual_rate=Decimal("0.0600"), fees=Decimal("2000.00"),
        down_payment_ratio=Decimal("0.300"), min_down_payment_ratio=Decimal("0.200"),
        max_down_payment_ratio=Decimal("0.600"), term_months=36, allowed_terms="12,24,48",
    )  # fmt: skip


def _page_figures(html: str) -> dict:
    """The figures the plan page shows, and the choice its apply form would send."""

    def text(element_id):
        return re.search(rf'id="{element_id}">([^<]*)<', html).group(1)

    def hidden(element_id):
        return re.search(rf'id="{element_id}" value="([^"]*)"', html).group(1)

    def amount(value):
        return Decimal(value.replace("¥", "").replace(",", ""))

    return {
        "down_payment": amount(text("quote-down")),
        "term_months": int(text("quote-term")),
        "monthly_payment": amount(text("monthly-payment")),
        "total_interest": amount(text("quote-interest")),
        "fees": amount(text("quote-fees")),
        "annual_percentage_rate": Decimal(text("quote-apr").rstrip("%")),
        "apply": (hidden("apply-plan"), hidden("apply-down"), hidden("apply-term")),
    }


@pytest.mark.parametrize(
    "choice",
    [
        ("45000", {"down_payment": "45000"}, 24),
        ("35%", {"down_payment_ratio": "0.35"}, 48),
        ("¥25,960.50", {"down_payment": "25960.50"}, 12),
        ("77880", {"down_payment": "77880"}, 36),  # the highest: 60 %
    ],
)
def test_page_api_and_recorded_quote_agree_to_the_fen(client, api_client, plan, choice):
    typed, api_query, term = choice
    page = client.get(
        f"/cars/trims/{plan.trim_id}/", {"plan": plan.pk, "down_payment": typed, "term_months": term}
    ).content.decode()
    shown = _page_figures(page)
    api = api_client.get(f"/api/v1/catalog/plans/{plan.pk}/quote/", {**api_query, "term_months": term})
    assert api.status_code == 200, api.json()
    quoted = api.json()

    member = MemberFactory(verified=True)
    client.force_login(member.user)
    plan_id, down_payment, term_months = shown["apply"]
    client.post(
        f"/cars/trims/{plan.trim_id}/apply/",
        {"plan": plan_id, "down_payment": down_payment, "term_months": term_months},
    )
    order = member.orders.get()

    recorded = {field: getattr(order, field) for field in FIGURES}
    assert {field: shown[field] for field in FIGURES} == recorded
    assert {field: Decimal(str(quoted[field])) for field in FIGURES} == {
        field: Decimal(value) for field, value in recorded.items()
    }
    assert Decimal(quoted["total_cost"]) == order.total_interest + order.fees
    assert order.price - order.down_payment == Decimal(quoted["principal"])


def test_a_hand_worked_choice(api_client, plan):
    # ¥45,000 down leaves ¥84,800 at 0.5 % a month over 24 months: 84,800 × 0.005 × 1.005²⁴ / (1.005²⁴ − 1)
    # = ¥3,758.39 a month (3,758.3877 rounded). Paid back on ¥82,800 in hand (the fees, ¥2,000, come off at signing),
    # those 24 payments are an internal rate of 0.6966 % a month: 8.36 % a year instead of 6.00 %.
    quoted = api_client.get(f"/api/v1/catalog/plans/{plan.pk}/quote/?down_payment=45000&term_months=24").json()
    assert (quoted["principal"], quoted["monthly_payment"], quoted["annual_percentage_rate"]) == (
        "84800.00", "3758.39", "8.36",
    )  # fmt: skip
    assert (quoted["down_payment_min"], quoted["down_payment_max"], quoted["term_choices"]) == (
        "25960.00", "77880.00", [12, 24, 36, 48],
    )  # fmt: skip


def test_the_loan_runs_over_the_chosen_term(cast):
    cast.plan.min_down_payment_ratio, cast.plan.max_down_payment_ratio = Decimal("0.2"), Decimal("0.5")
    cast.plan.allowed_terms = "24,48"
    cast.plan.save()
    order = services.create_order(
        member=cast.member, trim_id=cast.trim.pk, plan_id=cast.plan.pk, actor=cast.member_user,
        choice=LoanChoice(down_payment_ratio=Decimal("0.45"), term_months=48),
    )  # fmt: skip
    order = cast.advance(order, "funded")
    loan = order.loan
    assert (loan.term_months, loan.installments.count()) == (48, 48)
    assert loan.principal == order.price - order.down_payment
    assert (loan.monthly_payment, loan.total_interest) == (order.monthly_payment, order.total_interest)


def test_out_of_range_choice_is_a_400_in_both_languages(api_client, plan):
    url = f"/api/v1/catalog/plans/{plan.pk}/quote/"
    low = api_client.get(url, {"down_payment": "20000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert low.status_code == 400
    assert low.json()["code"] == "down_payment_out_of_range"
    assert low.json()["detail"] == (
        "The down payment for this plan is between ¥25,960 and ¥77,880 (20% to 60% of the price), in yuan and fen."
    )
    zh = api_client.get(url, {"down_payment_ratio": "0.7"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 400
    assert zh.json()["detail"] == "此方案的首付须在 ¥25,960 至 ¥77,880 之间（车价的 20% 至 60%），以元和分计。"

    term = api_client.get(url, {"term_months": "60"}, HTTP_ACCEPT_LANGUAGE="en")
    assert (term.status_code, term.json()["code"]) == (400, "term_not_offered")
    assert term.json()["detail"] == "This plan is offered over 12, 24, 36, 48 months."
    assert api_client.get(url, {"term_months": "60"}).json()["detail"] == "此方案可选期限为 12, 24, 36, 48 个月。"

    both = api_client.get(url, {"down_payment": "30000", "down_payment_ratio": "0.3"}, HTTP_ACCEPT_LANGUAGE="en")
    assert both.status_code == 400
    assert both.json()["fields"]["down_payment"] == ["Give the down payment in yuan or as a ratio, not both."]
    assert api_client.get("/api/v1/catalog/plans/999999/quote/").status_code == 404


def test_out_of_range_application_is_refused_and_records_nothing(client, api_client, plan):
    member = MemberFactory(verified=True)
    api_client.force_authenticate(member.user)
    response = api_client.post(
        "/api/v1/orders/", {"trim": plan.trim_id, "plan": plan.pk, "down_payment": "90000"}, format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert (response.status_code, response.json()["code"]) == (400, "down_payment_out_of_range")

    client.force_login(member.user)
    response = client.post(
        f"/cars/trims/{plan.trim_id}/apply/", {"plan": plan.pk, "down_payment": "10%", "term_months": "36"},
        HTTP_ACCEPT_LANGUAGE="en", follow=True,
    )  # fmt: skip
    # Back on the plan page with the choice filled in and the reason shown.
    assert response.redirect_chain[-1][0].startswith(f"/cars/trims/{plan.trim_id}/?plan={plan.pk}&down_payment=10")
    html = response.content.decode()
    assert "between ¥25,960 and ¥77,880" in html
    assert 'id="apply-button" disabled' in html
    assert not Order.objects.filter(member=member).exists()

    created = api_client.post(
        "/api/v1/orders/", {"trim": plan.trim_id, "plan": plan.pk, "down_payment_ratio": "0.5", "term_months": 12},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201
    assert (created.json()["down_payment"], created.json()["plan"]["term_months"]) == ("64900.00", 12)


def test_the_page_without_a_script_shows_the_form_error(client, plan):
    page = client.get(
        f"/cars/trims/{plan.trim_id}/", {"plan": plan.pk, "down_payment": "lots", "term_months": "36"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()  # fmt: skip
    assert "Enter the down payment in yuan (for example 45000) or as a share of the price (for example 30%)." in page
    assert re.search(r'id="monthly-payment">—<', page)
    # The plan's range and terms are on the page before anything is typed.
    first = client.get(f"/cars/trims/{plan.trim_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "From ¥25,960 to ¥77,880 (20% to 60% of the price)" in first
    assert re.findall(r'<option value="(\d+)"( selected)?>', first) == [
        ("12", ""), ("24", ""), ("36", " selected"), ("48", ""),
    ]  # fmt: skip
    assert _page_figures(first)["apply"] == (str(plan.pk), "38940.00", "36")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("45000", LoanChoice(down_payment=Decimal("45000"))),
        ("¥45,000.50", LoanChoice(down_payment=Decimal("45000.50"))),
        ("32.5%", LoanChoice(down_payment_ratio=Decimal("0.325"))),
        ("", LoanChoice()),
    ],
)
def test_the_down_payment_is_read_in_yuan_or_as_a_share(typed, expected):
    form = LoanChoiceForm({"down_payment": typed})
    assert form.is_valid(), form.errors
    assert form.to_choice() == expected


@pytest.mark.parametrize("typed", ["-1", "45000.123", "95%", "12.25%", "abc", "NaN"])
def test_a_down_payment_that_is_no_amount_is_a_form_error(typed):
    form = LoanChoiceForm({"down_payment": typed})
    assert not form.is_valid()
    assert "down_payment" in form.errors


def test_the_plan_checks_its_own_range():
    plan = FinancePlanFactory.build(
        down_payment_ratio=Decimal("0.1"), min_down_payment_ratio=Decimal("0.2"), allowed_terms="12,120"
    )
    with pytest.raises(ValidationError) as error:
        plan.clean()
    assert set(error.value.message_dict) == {"down_payment_ratio", "allowed_terms"}


def test_a_model_change_takes_the_new_plans_choice_or_refuses_it(client, cast, plan):
    client.force_login(cast.member_user)
    order = cast.advance(cast.new_order(), "approved")
    step = f"/me/orders/{order.pk}/steps/change_model/"
    refused = client.post(
        step, {"trim": plan.trim_id, "plan": plan.pk, "down_payment": "20000", "term_months": "24"},
        HTTP_ACCEPT_LANGUAGE="en", follow=True,
    )  # fmt: skip
    assert "between ¥25,960 and ¥77,880" in refused.content.decode()
    order.refresh_from_db()
    assert order.state == "approved"

    client.post(step, {"trim": plan.trim_id, "plan": plan.pk, "down_payment": "45000.00", "term_months": "24"})
    order.refresh_from_db()
    new_order = order.replaced_by
    assert (new_order.down_payment, new_order.term_months, new_order.monthly_payment) == (
        Decimal("45000.00"), 24, Decimal("3758.39"),
    )  # fmt: skip
