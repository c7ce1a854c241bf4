"""The money endpoints: finance records payments, members see their installments and put a coupon on one."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from orders.models import Payment
from points import services as points_services
from points.enums import EarnEvent, RewardKind
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory
from tests.orders.factories import LoanFactory
from tests.points.factories import RewardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(db):
    return LoanFactory(order__store=StoreFactory(code="SZ07"))


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def payments_url(installment) -> str:
    return f"/api/v1/backoffice/installments/{installment.pk}/payments/"


def test_finance_records_a_part_payment_then_the_same_reference_again(loan):
    finance = client_for(StaffFactory(role="finance"))
    installment = loan.installments.get(number=1)
    body = {"amount": "1000.00", "paid_on": "2026-11-01", "reference": "BANK-77"}
    response = finance.post(payments_url(installment), body, format="json")
    assert response.status_code == 201
    expected = {"id": installment.pk, "due_on": installment.due_on.isoformat(), "amount": "2764.14",
                "paid_amount": "1000.00", "status": "partly_paid"}  # fmt: skip
    assert {key: response.json()[key] for key in expected} == expected
    again = finance.post(payments_url(installment), body, format="json")
    assert again.status_code == 200
    assert again.json()["paid_amount"] == "1000.00"
    assert Payment.objects.count() == 1


def test_overpayment_is_400_and_records_nothing(loan):
    finance = client_for(StaffFactory(role="finance"))
    installment = loan.installments.get(number=1)
    response = finance.post(
        payments_url(installment), {"amount": "2764.15", "paid_on": "2026-11-01", "reference": "B1"}, format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "overpayment"
    assert response.json()["detail"] == "At most ¥2764.14 is still due on this installment."
    assert not Payment.objects.exists()


def test_full_payment_is_paid(loan):
    finance = client_for(StaffFactory(role="finance"))
    installment = loan.installments.get(number=1)
    response = finance.post(
        payments_url(installment), {"amount": "2764.14", "paid_on": "2026-11-01", "reference": "B1"}, format="json"
    )
    assert (response.status_code, response.json()["status"]) == (201, "paid")


def test_store_staff_may_not_record_payments(loan):
    staff = client_for(StaffFactory(role="store_staff", store=loan.order.store))
    response = staff.post(
        payments_url(loan.installments.get(number=1)), {"amount": "1", "paid_on": "2026-11-01", "reference": "B"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 403
    assert not Payment.objects.exists()


def test_invalid_amount_is_a_field_error(loan):
    finance = client_for(StaffFactory(role="finance"))
    response = finance.post(
        payments_url(loan.installments.get(number=1)), {"amount": "-5", "paid_on": "x", "reference": ""},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"amount", "paid_on", "reference"}


def test_member_sees_installments_with_paid_amount_and_status(loan):
    member = client_for(loan.order.member.user)
    body = member.get("/api/v1/loans/").json()
    installment = body["results"][0]["installments"][0]
    assert {key: installment[key] for key in ("id", "amount", "paid_amount", "status")} == {
        "id": loan.installments.get(number=1).pk, "amount": "2764.14", "paid_amount": "0.00", "status": "due",
    }  # fmt: skip


def _repayment_coupon(member, face_value="200.00"):
    points_services.earn_points(
        member_id=member.pk, event=EarnEvent.CAMPAIGN, idempotency_key=f"test:{member.pk}", points=1000
    )
    reward = RewardFactory(kind=RewardKind.REPAYMENT_COUPON, cost_points=500, face_value=Decimal(face_value))
    return points_services.redeem_reward(member_id=member.pk, reward_id=reward.pk, idempotency_key="k").coupon


def test_member_applies_a_deduction_coupon_to_the_next_installment(loan):
    coupon = _repayment_coupon(loan.order.member)
    member = client_for(loan.order.member.user)
    installment = loan.installments.get(number=1)
    response = member.post(f"/api/v1/loans/installments/{installment.pk}/coupon/", {"coupon": coupon.code})
    assert response.status_code == 200
    assert (response.json()["deduction"], response.json()["amount_due"]) == ("200.00", "2564.14")
    coupon.refresh_from_db()
    assert (coupon.status, coupon.used_for) == ("used", f"installment:{installment.pk}")
    # The same coupon on the second installment: refused, nothing changes.
    second = loan.installments.get(number=2)
    again = member.post(f"/api/v1/loans/installments/{second.pk}/coupon/", {"coupon": coupon.code})
    assert (again.status_code, again.json()["code"]) == (409, "coupon_not_usable")
    second.refresh_from_db()
    assert second.deduction == 0


def test_member_cannot_touch_someone_elses_installment(loan):
    stranger = MemberFactory()
    coupon = _repayment_coupon(stranger)
    response = client_for(stranger.user).post(
        f"/api/v1/loans/installments/{loan.installments.get(number=1).pk}/coupon/", {"coupon": coupon.code}
    )
    assert response.status_code == 404
    coupon.refresh_from_db()
    assert coupon.status == "active"


def test_plans_api_shows_the_cost_beside_the_monthly_payment(api_client):
    from tests.vehicles.factories import FinancePlanFactory

    plan = FinancePlanFactory(trim__guide_price=Decimal("129800.00"), fees=Decimal("2000.00"))
    response = api_client.get(f"/api/v1/catalog/plans/?trim={plan.trim_id}")
    row = response.json()["results"][0]
    assert {key: row[key] for key in ("monthly_payment", "annual_percentage_rate", "total_interest", "fees",
                                      "total_cost")} == {
        "monthly_payment": "2764.14", "annual_percentage_rate": "7.50", "total_interest": "8648.90",
        "fees": "2000.00", "total_cost": "10648.90",
    }  # fmt: skip
