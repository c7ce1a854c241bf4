"""Finance and stores at the money screens: payments and early settlement on the order page, the admin's payment
form and repayment-file upload with its progress, the down-payment coupon at signing."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orders import repayments
from orders.models import Payment, RepaymentImport
from points import services as points_services
from points.enums import EarnEvent, RewardKind
from points.exceptions import CouponNotUsable
from tests.orders.cast import Cast, login
from tests.points.factories import RewardFactory


def test_finance_records_a_payment_on_the_order_page(cast, funded):
    installment = funded.loan.installments.get(number=1)
    client = login(cast.finance)
    page = client.get(f"/backoffice/orders/{funded.pk}/").content.decode()
    assert "Record payment" in page
    assert "Early settlement" in page
    response = client.post(
        f"/backoffice/orders/{funded.pk}/installments/{installment.pk}/payments/",
        {"amount": str(installment.amount), "paid_on": installment.due_on.isoformat(), "reference": "BO-1"},
        follow=True,
    )
    assert "Payment recorded. Paid" in response.content.decode()
    installment.refresh_from_db()
    assert (installment.status, installment.paid_amount) == ("paid", installment.amount)


def test_store_staff_cannot_record_payments(cast, funded):
    installment = funded.loan.installments.get(number=1)
    client = login(cast.store_staff)
    assert "Record payment" not in client.get(f"/backoffice/orders/{funded.pk}/").content.decode()
    response = client.post(
        f"/backoffice/orders/{funded.pk}/installments/{installment.pk}/payments/",
        {"amount": "1.00", "paid_on": installment.due_on.isoformat(), "reference": "BO-1"},
        follow=True,
    )
    assert "Only finance may record payments." in response.content.decode()
    assert not Payment.objects.exists()


def test_payment_form_rejects_a_bad_amount(cast, funded):
    installment = funded.loan.installments.get(number=1)
    response = login(cast.finance).post(
        f"/backoffice/orders/{funded.pk}/installments/{installment.pk}/payments/",
        {"amount": "abc", "paid_on": "2026-11-01", "reference": "BO-1"}, follow=True,
    )  # fmt: skip
    assert "Enter a number." in response.content.decode()
    assert not Payment.objects.exists()


def test_finance_settles_early_from_the_order_page(cast, funded):
    response = login(cast.finance).post(
        f"/backoffice/orders/{funded.pk}/settlement/", {"paid_on": "2026-11-01", "reference": "SETTLE"}, follow=True
    )
    assert "The loan is settled; every installment is paid." in response.content.decode()
    assert set(funded.loan.installments.values_list("status", flat=True)) == {"paid"}


def test_admin_records_a_payment_through_the_service(cast, funded):
    installment = funded.loan.installments.get(number=1)
    client = login(cast.finance)
    body = {"installment": installment.pk, "amount": str(installment.amount + 1), "paid_on": "2026-11-01",
            "reference": "ADM-1"}  # fmt: skip
    over = client.post("/admin/orders/payment/add/", body)
    assert f"At most ¥{installment.amount} is still due on this installment." in over.content.decode()
    body["amount"] = "100.00"
    client.post("/admin/orders/payment/add/", body)
    installment.refresh_from_db()
    assert (installment.status, installment.paid_amount) == ("partly_paid", Decimal("100.00"))


def test_admin_upload_applies_the_file_and_shows_progress(cast, funded, django_capture_on_commit_callbacks):
    installment = funded.loan.installments.get(number=1)
    client = login(cast.finance)
    content = f"reference,contract,installment,amount,paid_on\nF1,{funded.number},1,{installment.amount},2026-11-01\n"
    upload = SimpleUploadedFile("repayments.csv", content.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/orders/repaymentimport/add/", {"file": upload})
    repayment_import = RepaymentImport.objects.get()
    assert repayment_import.status == "done"
    response = client.get(f"/admin/orders/repaymentimport/{repayment_import.pk}/change/")
    assert '<progress id="repayment-progress-bar" max="100" value="100"' in response.content.decode()
    progress = client.get(f"/admin/orders/repaymentimport/{repayment_import.pk}/progress/").json()
    assert (progress["status"], progress["percent"], progress["applied"]) == ("done", 100, 1)
    installment.refresh_from_db()
    assert installment.status == "paid"
    # The imported payment names no recorder of its own; the payments list shows the file's uploader.
    payment = Payment.objects.get(reference="F1")
    assert (payment.recorded_by_id, payment.repayment_import_id) == (None, repayment_import.pk)
    rows = client.get("/admin/orders/payment/").content.decode()
    assert f'<td class="field-recorder">{cast.finance}</td>' in rows


def test_store_staff_does_not_see_repayment_files(cast):
    client = login(cast.store_staff)
    assert client.get("/admin/orders/repaymentimport/").status_code == 403


def _down_payment_coupon(member, face_value):
    points_services.earn_points(
        member_id=member.pk, event=EarnEvent.CAMPAIGN, idempotency_key=f"dp{member.pk}", points=5000
    )
    reward = RewardFactory(kind=RewardKind.DOWN_PAYMENT_COUPON, cost_points=3000, face_value=Decimal(face_value))
    return points_services.redeem_reward(
        member_id=member.pk, reward_id=reward.pk, idempotency_key=f"dp{member.pk}"
    ).coupon


def test_store_applies_a_down_payment_coupon_at_signing_capped(cast: Cast, settings):
    settings.DOWN_PAYMENT_COUPON_CAP = "3000.00"
    coupon = _down_payment_coupon(cast.member, "5000.00")
    order = cast.advance(cast.new_order(), "contract_scheduled")
    response = login(cast.store_staff).post(
        f"/backoffice/orders/{order.pk}/down-payment-coupon/", {"coupon": coupon.code}, follow=True
    )
    assert "Coupon applied: ¥3000.00 off the down payment." in response.content.decode()
    order.refresh_from_db()
    assert (order.down_payment_coupon_code, order.down_payment_deduction) == (coupon.code, Decimal("3000.00"))


def test_down_payment_coupon_only_at_signing_and_only_the_members(cast: Cast):
    order = cast.advance(cast.new_order(), "approved")
    coupon = _down_payment_coupon(cast.member, "1000.00")
    with pytest.raises(repayments.DownPaymentCouponNotAllowed):
        repayments.apply_down_payment_coupon(order_id=order.pk, coupon_code=coupon.code, actor=cast.store_staff)
    other = cast.applicant()
    other_coupon = _down_payment_coupon(other, "1000.00")
    order = cast.advance(order, "signed")
    with pytest.raises(CouponNotUsable):
        repayments.apply_down_payment_coupon(order_id=order.pk, coupon_code=other_coupon.code, actor=cast.store_staff)
    with pytest.raises(repayments.OrderNotFound):
        repayments.apply_down_payment_coupon(order_id=order.pk, coupon_code=coupon.code, actor=cast.other_store_staff)
    order.refresh_from_db()
    assert order.down_payment_deduction == 0
