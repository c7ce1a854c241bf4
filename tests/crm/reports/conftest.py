"""A known little world for the reports: store A (SZ01) and store B (GZ01), November 2026 (local)."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from crm.leads.models import Lead
from crm.models import Campaign
from members.models import Member
from members.services import issue_access_token
from notifications.models import Notification
from orders.models import Installment, Loan, Order, OrderEvent, ReferralActivation
from points.models import PointsAccount, Reward
from tests.members.factories import MemberFactory
from tests.orders.factories import OrderFactory
from tests.vehicles.factories import OwnedVehicleFactory
from vehicles.services import record_service_visit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


def at(month, day, hour=10, year=2026):
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=user)}")
    return client


def member_at(store, *, created, complete=False, verified=False, referred_by=None, name="会员"):
    profile = {"name": name, "gender": "male", "birthday": datetime.date(1990, 1, 1), "city": "深圳"}
    member = MemberFactory(preferred_store=store, verified=verified, referred_by=referred_by,
                           **(profile if complete else {"name": name}))  # fmt: skip
    Member.objects.filter(pk=member.pk).update(created_at=created)
    member.refresh_from_db()
    return member


def lead_at(*, store, created, channel="call_center", status="new", member=None, assignee=None, lost_reason=""):
    lead = Lead.objects.create(
        name="线索", phone=f"+8613{Lead.objects.count():09d}", channel=channel, status=status, store=store,
        member=member, assignee=assignee, lost_reason=lost_reason, last_enquiry_at=created,
    )  # fmt: skip
    Lead.objects.filter(pk=lead.pk).update(created_at=created)
    return lead


def walk(order, *states, reason_code=""):
    """Events taking ``order`` through ``states``; the order ends in the last one."""
    previous = "draft"
    for state in states:
        OrderEvent.objects.create(order=order, transition="step", from_state=previous, to_state=state,
                                  reason_code=reason_code if state in ("rejected", "terminated") else "")  # fmt: skip
        previous = state
    Order.objects.filter(pk=order.pk).update(state=previous)


@pytest.fixture
def funnel_world(cast):
    """Store A: a declined lead (price), an open lead, a self-registered member who stopped at registering, and a
    guided lead whose application was rejected (credit declined). Store B: an online member with a delivered car.
    One lead of October, out of the period."""
    a, b = cast.store, cast.other_store
    lead_at(store=a, created=at(11, 2), status="not_interested", lost_reason="price", assignee=cast.call_center)
    lead_at(store=a, created=at(11, 3), channel="web_quick_submit")
    member_at(a, created=at(11, 4))
    guided = member_at(a, created=at(11, 6), complete=True, verified=True)
    lead_at(store=a, created=at(11, 5), status="converted", member=guided, assignee=cast.call_center)
    walk(OrderFactory(member=guided, store=a), "submitted", "under_review", "rejected", reason_code="credit_declined")
    delivered = member_at(b, created=at(11, 8), complete=True, verified=True)
    walk(OrderFactory(member=delivered, store=b), "submitted", "approved", "delivered")
    lead_at(store=a, created=at(10, 31), status="not_interested", lost_reason="other")
    return cast


@pytest.fixture
def value_world(cast):
    """Spend: in store A a member of 2+ years (service 1,000 paid by them, 500 by insurance — not counted; down
    payment 30,000 on a delivered car; two installments paid of 2,000 and one due); a new member with nothing.
    In store B a member of 3+ years with 5,000 of service."""
    today = timezone.localdate()
    a, b = cast.store, cast.other_store
    old = member_at(a, created=timezone.now() - datetime.timedelta(days=365 * 2 + 30), complete=True)
    member_at(a, created=timezone.now() - datetime.timedelta(days=10))
    far = member_at(b, created=timezone.now() - datetime.timedelta(days=365 * 3 + 40))
    car = OwnedVehicleFactory(member=old, delivered_on=today - datetime.timedelta(days=400))
    paid = {"customer_amount": Decimal("1000.00"), "insurance_amount": Decimal("500.00")}
    record_service_visit(vehicle_id=car.pk, dealer_reference="R1", serviced_on=today - datetime.timedelta(days=250),
                         mileage_km=10000, description="保养", is_maintenance=False, amounts=paid)  # fmt: skip
    order = OrderFactory(member=old, store=a, state="delivered", down_payment=Decimal("30000.00"))
    loan = Loan.objects.create(order=order, principal=Decimal("90000"), annual_rate=Decimal("0.05"), term_months=36,
                               monthly_payment=Decimal("2000"), total_interest=Decimal("1000"),
                               disbursed_at=timezone.now())  # fmt: skip
    for number, status in ((1, "paid"), (2, "paid"), (3, "due")):
        Installment.objects.create(loan=loan, number=number, due_on=today, principal=Decimal("1800"),
                                   interest=Decimal("200"), amount=Decimal("2000.00"), status=status)  # fmt: skip
    far_car = OwnedVehicleFactory(member=far, delivered_on=today - datetime.timedelta(days=800))
    record_service_visit(vehicle_id=far_car.pk, dealer_reference="R2",
                         serviced_on=today - datetime.timedelta(days=400), mileage_km=30000, description="维修",
                         is_maintenance=False, amounts={"customer_amount": Decimal("5000.00")})  # fmt: skip
    # A car delivered two months ago and never serviced: not "not back" yet.
    OwnedVehicleFactory(member=member_at(a, created=timezone.now()), delivered_on=today - datetime.timedelta(days=60))
    return cast


@pytest.fixture
def points_world(cast):
    """Balances: store A 1,250 and 300; store B 5,000. Rewards: 500 points (face 50), 1,000 points (face 120)."""
    for store, balance in ((cast.store, 1250), (cast.store, 300), (cast.other_store, 5000)):
        PointsAccount.objects.update_or_create(member=member_at(store, created=timezone.now()),
                                               defaults={"balance": balance})  # fmt: skip
    Reward.objects.all().update(is_active=False)
    Reward.objects.create(name="=抵扣券50", kind="repayment_coupon", cost_points=500, face_value=Decimal("50"))
    Reward.objects.create(name="保养券", kind="service_coupon", cost_points=1000, face_value=Decimal("120"))
    return cast


@pytest.fixture
def referral_world(cast):
    """A referrer in store A brings three members in November (one verified and applied and delivered, one
    verified only, one nothing) and one in store B who applied."""
    referrer = member_at(cast.store, created=at(1, 5), name="推荐人")
    one = member_at(cast.store, created=at(11, 2), verified=True, referred_by=referrer)
    order = OrderFactory(member=one, store=cast.store)
    walk(order, "submitted", "approved", "delivered")
    ReferralActivation.objects.create(referrer=referrer, invitee=one, order=order)
    member_at(cast.store, created=at(11, 3), verified=True, referred_by=referrer)
    member_at(cast.store, created=at(11, 4), referred_by=referrer)
    other = member_at(cast.other_store, created=at(11, 5), verified=True, referred_by=referrer)
    walk(OrderFactory(member=other, store=cast.other_store), "submitted")
    return cast


@pytest.fixture
def campaign_world(cast):
    """Store A's campaign (cost 1,000) messaged three members: two delivered, one of whom applied within the
    window (car price 100,000, delivered) and one 40 days later; store B's campaign without a cost."""
    campaign = Campaign.objects.create(name="双十一", subject="s", body="b", store=cast.store, state="scheduled",
                                       scheduled_at=at(11, 10), cost=Decimal("1000.00"))  # fmt: skip
    members = [member_at(cast.store, created=at(1, 1)) for _ in range(3)]
    for member, status in zip(members, ("sent", "sent", "failed"), strict=True):
        Notification.objects.create(recipient=member.user, event=campaign.event, channel="sms", subject="s",
                                    body="b", dedupe_key=f"c:{member.pk}", status=status)  # fmt: skip
    converted = OrderFactory(member=members[0], store=cast.store, state="delivered", price=Decimal("100000.00"))
    late = OrderFactory(member=members[1], store=cast.store, state="submitted")
    Order.objects.filter(pk=converted.pk).update(created_at=at(11, 20))
    Order.objects.filter(pk=late.pk).update(created_at=at(12, 25))
    other = Campaign.objects.create(name="广州车主日", subject="s", body="b", store=cast.other_store,
                                    state="scheduled", scheduled_at=at(11, 12))  # fmt: skip
    Notification.objects.create(recipient=member_at(cast.other_store, created=at(1, 1)).user, event=other.event,
                                channel="sms", subject="s", body="b", dedupe_key="c:b", status="sent")  # fmt: skip
    return cast
