"""The whole road to the handover and what each milestone leaves behind."""

from decimal import Decimal

import pytest
from django.core import mail

from notifications.models import Notification
from orders.models import Order, OrderEvent, ReferralActivation
from tests.helpers import row_counts
from tests.members.factories import MemberFactory
from vehicles.models import OwnedVehicle

pytestmark = pytest.mark.django_db


def test_funding_creates_a_loan_whose_schedule_adds_up(cast):
    order = cast.advance(cast.new_order(), "funded")
    loan = order.loan
    installments = list(loan.installments.order_by("number"))
    assert loan.principal == order.price - order.down_payment == Decimal("90860.00")
    assert len(installments) == 36
    assert sum(item.principal for item in installments) == loan.principal
    assert sum(item.amount for item in installments) == loan.principal + loan.total_interest
    assert installments[0].amount == order.monthly_payment == Decimal("2764.14")
    assert [item.due_on.month for item in installments[:3]] != [installments[0].due_on.month] * 3


def test_handover_creates_the_members_car_and_delivers_the_unit(cast, django_capture_on_commit_callbacks):
    order = cast.advance(cast.new_order(), "ready_for_pickup")
    with django_capture_on_commit_callbacks(execute=True):
        order = cast.advance(order, "delivered")
    car = OwnedVehicle.objects.get(member=cast.member)
    assert (car.vin, car.plate, car.mileage_km) == (cast.unit.vin, "粤B·16888", 0)
    cast.unit.refresh_from_db()
    assert cast.unit.status == "delivered"
    [email] = mail.outbox
    assert email.to == ["buyer@example.com"]
    assert len(email.attachments) == 1
    assert email.attachments[0][2] == "image/png"


def test_handover_needs_a_delivery_photo_and_a_valid_plate(cast):
    from orders.exceptions import MissingDocuments
    from vehicles.exceptions import InvalidPlate

    order = cast.advance(cast.new_order(), "ready_for_pickup")
    with pytest.raises(MissingDocuments):
        cast.step(order, "hand_over", cast.store_staff, plate="粤B16888")
    cast.upload(order, "delivery_photo", actor=cast.store_staff)
    with pytest.raises(InvalidPlate):
        cast.step(order, "hand_over", cast.store_staff, plate="not a plate")
    order.refresh_from_db()
    assert order.state == "ready_for_pickup"
    assert not OwnedVehicle.objects.exists()


def test_delivery_records_the_referrer_as_activated(cast):
    referrer = MemberFactory()
    cast.member.referred_by = referrer
    cast.member.save()
    order = cast.advance(cast.new_order(), "delivered")
    activation = ReferralActivation.objects.get()
    assert (activation.referrer, activation.invitee, activation.order) == (referrer, cast.member, order)


def test_change_model_replaces_the_order_with_a_linked_submitted_one(cast):
    from tests.vehicles.factories import FinancePlanFactory

    new_plan = FinancePlanFactory(term_months=24)
    order = cast.advance(cast.new_order(), "approved")
    order = cast.step(order, "change_model", cast.member_user, trim_id=new_plan.trim_id, plan_id=new_plan.pk)
    assert order.state == "replaced"
    successor = order.replaced_by
    assert (successor.state, successor.trim, successor.plan, successor.store) == (
        "submitted", new_plan.trim, new_plan, order.store,
    )  # fmt: skip


def test_change_model_needs_an_offered_plan(cast):
    from orders.exceptions import InvalidOrderChoice

    order = cast.advance(cast.new_order(), "approved")
    before = row_counts(Order, OrderEvent, Notification)
    with pytest.raises(InvalidOrderChoice):
        cast.step(order, "change_model", cast.member_user, trim_id=cast.trim.pk, plan_id=999999)
    order.refresh_from_db()
    assert order.state == "approved"
    assert row_counts(Order, OrderEvent, Notification) == before


def test_member_is_told_each_step_and_texted_when_action_is_needed(cast, sms_outbox,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    order = cast.advance(cast.new_order(), "under_review")
    with django_capture_on_commit_callbacks(execute=True):
        order = cast.step(order, "approve", cast.reviewer)
    inbox = Notification.objects.filter(recipient=cast.member_user, channel="inbox")
    assert list(inbox.order_by("created_at").values_list("event", flat=True)) == [
        "order.submitted", "order.under_review", "order.approved",
    ]  # fmt: skip
    assert Notification.objects.get(recipient=cast.member_user, channel="sms").status == "sent"
    [sms] = sms_outbox.messages
    assert sms["to"] == str(cast.member_user.phone)
    assert order.number in sms["body"]


def test_credit_check_result_is_stored_with_the_order(cast, django_capture_on_commit_callbacks):
    order = cast.advance(cast.new_order(), "collecting_materials")
    for kind in ("id_front", "id_back", "driving_licence", "income_proof"):
        cast.upload(order, kind)
    with django_capture_on_commit_callbacks(execute=True):
        cast.step(order, "send_to_review", cast.store_staff)
    check = order.credit_checks.get()
    assert check.status == "completed"
    assert check.provider == "local"
    assert 300 <= check.score <= 849
    assert check.decision in {"pass", "refer", "decline"}


class UnavailableCreditProvider:
    """Stands in for a credit bureau that is down."""

    def check(self, **kwargs):
        from orders.credit import CreditProviderError

        raise CreditProviderError("bureau timeout")


def test_a_provider_error_leaves_the_order_in_review_with_a_retry(cast, settings, django_capture_on_commit_callbacks):
    settings.CREDIT_CHECK_PROVIDER = "tests.orders.test_journey.UnavailableCreditProvider"
    settings.CREDIT_CHECK_MAX_ATTEMPTS = 3
    order = cast.advance(cast.new_order(), "collecting_materials")
    for kind in ("id_front", "id_back", "driving_licence", "income_proof"):
        cast.upload(order, kind)
    with django_capture_on_commit_callbacks(execute=True):
        cast.step(order, "send_to_review", cast.store_staff)
    order.refresh_from_db()
    check = order.credit_checks.get()
    assert order.state == "under_review"
    assert check.status == "error"
    assert check.attempts == 3  # tried, then retried until the limit
    assert "timeout" in check.last_error

    settings.CREDIT_CHECK_PROVIDER = "orders.credit.LocalCreditProvider"
    from orders.services import run_credit_check

    assert run_credit_check(credit_check_id=check.pk).status == "completed"


def test_funnel_counts_and_conversion(cast):
    import datetime

    from django.utils import timezone

    from orders.selectors import order_funnel

    cast.advance(cast.new_order(), "approved")
    cast.advance(cast.new_order(cast.applicant()), "submitted")
    cast.new_order(cast.applicant())
    today = timezone.localdate()
    funnel = {row["state"]: row for row in order_funnel(date_from=today - datetime.timedelta(days=1), date_to=today)}
    assert funnel["draft"]["count"] == 3
    assert funnel["submitted"]["count"] == 2
    assert funnel["submitted"]["conversion"] == round(2 / 3, 4)
    assert funnel["approved"]["count"] == 1
    assert funnel["delivered"]["count"] == 0
    by_store = order_funnel(date_from=today, date_to=today, store_id=cast.other_store.pk)
    assert by_store[1]["count"] == 0
    by_channel = order_funnel(date_from=today, date_to=today, channel="partner")
    assert by_channel[0]["count"] == 0
