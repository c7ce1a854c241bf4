"""Every list the product shows — the member's API lists and pages, the back-office queue, the admin changelists —
costs the same number of queries for N rows as for 3N rows, so a query per row (N+1) shows up here. The exact count
is pinned too, so any change to it is seen and reviewed. Admin changelists are read as head office (all stores)."""

import datetime
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from appointments.services import book_appointment
from crm.care.rescue import services as rescue_services
from crm.owner_events.models import OwnerEvent
from crm.owner_events.services import register_for_event
from crm.segments.models import MemberSegment, MemberTag, Tag
from crm.surveys import services as survey_services
from dealer_exchange.services import apply_dealer_export
from members.cards import issue_card
from members.services import issue_access_token
from notifications.services import queue_notification
from orders.models import Payment, RepaymentImport
from points import services as points_services
from staff_tasks.services import open_task
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory
from tests.orders.factories import LoanFactory, OrderDocumentFactory, OrderEventFactory, OrderFactory
from tests.points.factories import RewardFactory
from tests.surveys.helpers import answers as survey_answers
from tests.vehicles.factories import FinancePlanFactory, OwnedVehicleFactory
from vehicles.services import book_aftermarket_service, record_insurance_policy

pytestmark = pytest.mark.django_db

N = 2
# Distinct names and keys for the rows a test makes.
UNIQUE = itertools.count(1)


def submitted_order(cast):
    """An open application at store A, from its own applicant: a member has one open application at a time."""
    applicant = cast.applicant()
    order = OrderFactory(member=applicant, store=cast.store, state="submitted")
    OrderEventFactory(order=order, actor=applicant.user)
    return order


def past_order(cast):
    """One more of the cast member's applications: ended (rejected), beside their one open application."""
    order = OrderFactory(member=cast.member, store=cast.store, state="rejected")
    OrderEventFactory(order=order, actor=cast.member_user)
    return order


def store_task(cast):
    return open_task(
        kind="return_visit", title=f"回访 {next(UNIQUE)}", store=cast.store,
        member=MemberFactory(preferred_store=cast.store), due_at=timezone.now(),
    )  # fmt: skip


def car_not_back(cast):
    """A car of store A delivered 400 days ago and never serviced: on the not-returned report."""
    owner = MemberFactory(preferred_store=cast.store)
    return OwnedVehicleFactory(member=owner, delivered_on=timezone.localdate() - datetime.timedelta(days=400))


def member_in_service(cast):
    """A member of store A active since last month: counted in this month's churn base."""
    from crm.segments.models import LifecycleChange

    member = MemberFactory(preferred_store=cast.store)
    LifecycleChange.objects.create(member=member, from_lifecycle="", to_lifecycle="active",
                                   as_of=timezone.localdate() - datetime.timedelta(days=40))  # fmt: skip
    return member


def complaint_of_a_new_store(cast):
    """A complaint at one more store: one more row of the complaints report (head office sees every store)."""
    from crm.care.complaints.services import file_complaint

    member = MemberFactory(preferred_store=StoreFactory())
    return file_complaint(member=member, category="billing", description=f"多收费 {next(UNIQUE)}", filed_by="member",
                          actor=member.user)  # fmt: skip


def rescue_of_a_new_store(cast):
    """A rescue reached in 30 minutes, at one more store: one more row of the rescue report."""
    from crm.care.rescue.models import RescueRequest

    now = timezone.now()
    return RescueRequest.objects.create(
        member=cast.member, vehicle=OwnedVehicleFactory(member=cast.member), store=StoreFactory(), kind="tow",
        channel="app", location="高速", requested_at=now, arrived_at=now + datetime.timedelta(minutes=30),
        done_at=now + datetime.timedelta(minutes=90), status="done", created_by=cast.member_user,
    )  # fmt: skip


def survey_response_of_a_new_store(cast):
    invitation, token = survey_services.invite_member(
        trigger="delivery", member=cast.member, store_id=StoreFactory().pk, subject=f"query-count:{next(UNIQUE)}"
    )
    return survey_services.answer_survey(token=token, answers=survey_answers(csat=4, nps=9))


def loan(cast):
    # The loan's application is delivered (ended), so the member may have many beside their one open application.
    return LoanFactory(order__member=cast.member, order__store=cast.store, order__state="delivered")


def payment(cast):
    installment = loan(cast).installments.get(number=1)
    return Payment.objects.create(
        installment=installment, amount="10.00", paid_on=installment.due_on, reference=f"QC-{next(UNIQUE)}",
        source="recorded",
    )  # fmt: skip


def repayment_file(cast):
    return RepaymentImport.objects.create(file="repayments/qc.csv", original_name=f"还款{next(UNIQUE)}.csv")


def message(cast):
    number = next(UNIQUE)
    [row] = queue_notification(
        recipient_id=cast.member_user.pk, event=f"test.{number}", subject=f"消息 {number}", body="正文",
        dedupe_key=f"query-count:{number}",
    )  # fmt: skip
    return row


def points_entry(cast):
    return points_services.adjust_points(
        member_id=cast.member.pk, points=100, reason=f"补偿 {next(UNIQUE)}", actor=cast.head_office
    )


def coupon(cast):
    points_services.adjust_points(member_id=cast.member.pk, points=1000, reason="兑换用", actor=cast.head_office)
    return points_services.redeem_reward(
        member_id=cast.member.pk, reward_id=RewardFactory().pk, idempotency_key=f"query-count-{next(UNIQUE)}"
    ).coupon


def rescue(cast):
    """A rescue for one more of the cast member's cars, moved one step (so its timeline has two steps)."""
    car = OwnedVehicleFactory(member=cast.member)
    row = rescue_services.request_rescue(member=cast.member, vehicle_id=car.pk, kind="tow", actor=cast.member_user,
                                         location=f"高速 K{next(UNIQUE)}")  # fmt: skip
    return rescue_services.apply_rescue_transition(rescue_id=row.pk, name="dispatch", actor=cast.store_staff)


def survey_response(cast):
    invitation, token = survey_services.invite_member(
        trigger="delivery", member=cast.member, store_id=cast.store.pk, subject=f"query-count:{next(UNIQUE)}"
    )
    return survey_services.answer_survey(token=token, answers=survey_answers(csat=5, nps=10))


def invitee(cast):
    friend = MemberFactory(referred_by=cast.member, name=f"好友{next(UNIQUE)}")
    OrderFactory(member=friend, store=cast.store, state="submitted")
    return friend


def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


def appointment(cast):
    """A booking of one more of the member's cars at store A tomorrow, spread over the day's slots."""
    car = OwnedVehicleFactory(member=cast.member)
    return book_appointment(
        member_id=cast.member.pk, vehicle_id=car.pk, store_id=cast.store.pk, kind="maintenance", date=tomorrow(),
        slot=datetime.time(9 + next(UNIQUE) % 9),
    )  # fmt: skip


def insurance_policy(cast):
    car = OwnedVehicleFactory(member=cast.member)
    return record_insurance_policy(
        vehicle_id=car.pk, insurer="平安保险", policy_number=f"PDAA{next(UNIQUE)}", starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2027, 1, 1), source="staff",
    )  # fmt: skip


def dealer_import(cast):
    return apply_dealer_export(export={"customers": []}, source="api", reference=f"dms-export-{next(UNIQUE)}")


def owner_event(cast, **fields):
    starts_at = timezone.now() + datetime.timedelta(days=5)
    event = OwnerEvent.objects.create(
        title=f"车友会 {next(UNIQUE)}", kind="car_club", store=cast.store, place="门店", starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2), capacity=1, **fields,
    )  # fmt: skip
    for _member in range(2):
        register_for_event(member_id=MemberFactory().pk, event_id=event.pk)
    return event


def the_event(cast):
    if not hasattr(cast, "query_count_event"):
        cast.query_count_event = owner_event(cast)
    return cast.query_count_event


def event_registration(cast):
    member = MemberFactory(name=f"车主{next(UNIQUE)}", preferred_store=cast.store)
    return register_for_event(member_id=member.pk, event_id=the_event(cast).pk)


def aftermarket_booking(cast):
    car = OwnedVehicleFactory(member=cast.member)
    return book_aftermarket_service(
        member_id=cast.member.pk, vehicle_id=car.pk, service_code="wash-basic", booked_for=timezone.localdate(),
        actor=cast.member_user,
    )  # fmt: skip


def membership_card(cast):
    return issue_card(member_id=MemberFactory(preferred_store=cast.store).pk)


@dataclass(frozen=True)
class ListCase:
    name: str
    url: Callable  # cast → the URL
    make: Callable  # cast → one more row of the list
    viewer: str  # "member" (API token or session), "store_staff", "head_office", "admin", "anonymous"
    api: bool
    shown: Callable | None = None  # a row → text the page must show for it (pages)


def store_complaint(cast):
    """An open complaint at store A, from its own member, with a photo-less description."""
    from crm.care.complaints.services import file_complaint

    member = cast.applicant()
    return file_complaint(member=member, category="service", description=f"异响 {next(UNIQUE)}", filed_by="member",
                          actor=member.user)  # fmt: skip


def member_complaint(cast):
    from crm.care.complaints.services import file_complaint

    return file_complaint(member=cast.member, category="billing", description=f"多收费 {next(UNIQUE)}",
                          filed_by="member", actor=cast.member_user)  # fmt: skip


def segmented_member(cast):
    """A member of the store, tagged by staff, with the segments a nightly run would have written."""
    member = MemberFactory(preferred_store=cast.store, name=f"会员{next(UNIQUE)}")
    MemberSegment.objects.create(member=member, as_of=timezone.localdate(), lifecycle="lead")
    tag = Tag.objects.get(code="prefers_ev")
    MemberTag.objects.create(member=member, tag=tag, source="staff", added_by=cast.head_office, added_at=timezone.now())
    return member


def order_documents_url(cast):
    return f"/api/v1/orders/{cast.query_count_order.pk}/documents/"


CASES = [
    # The member's API lists.
    ListCase("api orders", lambda cast: "/api/v1/orders/", past_order, "member", True),
    ListCase(
        "api order documents",
        order_documents_url,
        lambda cast: OrderDocumentFactory(order=cast.query_count_order, uploaded_by=cast.member_user),
        "member",
        True,
    ),
    ListCase("api loans", lambda cast: "/api/v1/loans/", loan, "member", True),
    ListCase("api inbox", lambda cast: "/api/v1/inbox/", message, "member", True),
    ListCase("api points entries", lambda cast: "/api/v1/points/entries/", points_entry, "member", True),
    ListCase("api rewards", lambda cast: "/api/v1/rewards/", lambda cast: RewardFactory(), "member", True),
    ListCase("api coupons", lambda cast: "/api/v1/coupons/", coupon, "member", True),
    ListCase(
        "api vehicles",
        lambda cast: "/api/v1/vehicles/",
        lambda cast: OwnedVehicleFactory(member=cast.member),
        "member",
        True,
    ),
    ListCase("api referrals", lambda cast: "/api/v1/me/referrals/", invitee, "member", True),
    ListCase("api events", lambda cast: "/api/v1/events/", owner_event, "member", True),
    ListCase(
        "api aftermarket bookings", lambda cast: "/api/v1/aftermarket/bookings/", aftermarket_booking, "member", True
    ),
    ListCase(
        "api catalog models",
        lambda cast: "/api/v1/catalog/models/",
        lambda cast: FinancePlanFactory(),
        "anonymous",
        True,
    ),
    ListCase(
        "api catalog plans",
        lambda cast: f"/api/v1/catalog/plans/?trim={cast.trim.pk}",
        lambda cast: FinancePlanFactory(trim=cast.trim),
        "anonymous",
        True,
    ),
    ListCase("api appointments", lambda cast: "/api/v1/appointments/", appointment, "member", True),
    ListCase("api stores", lambda cast: "/api/v1/stores/", lambda cast: StoreFactory(), "anonymous", True),
    ListCase("api back-office orders", lambda cast: "/api/v1/backoffice/orders/", submitted_order, "store_staff", True),
    ListCase("api rescue", lambda cast: "/api/v1/rescue/", rescue, "member", True),
    ListCase("api back-office rescue", lambda cast: "/api/v1/backoffice/rescue/", rescue, "store_staff", True),
    ListCase("api complaints", lambda cast: "/api/v1/complaints/", member_complaint, "member", True),
    ListCase(
        "api back-office complaints",
        lambda cast: "/api/v1/backoffice/complaints/",
        store_complaint,
        "store_staff",
        True,
    ),
    ListCase(
        "api back-office members by segment",
        lambda cast: "/api/v1/backoffice/members/?lifecycle=lead&tag=prefers_ev",
        segmented_member,
        "store_staff",
        True,
    ),
    # The member's pages.
    # The dashboard shows the latest application only, whatever the number of orders.
    ListCase("page dashboard", lambda cast: "/me/", past_order, "member", False, lambda row: 'id="panel-'),
    ListCase("page orders", lambda cast: "/me/orders/", past_order, "member", False, lambda row: row.number),
    ListCase("page loans", lambda cast: "/me/loans/", loan, "member", False, lambda row: f'data-loan="{row.pk}"'),
    ListCase("page messages", lambda cast: "/me/messages/", message, "member", False, lambda row: row.subject),
    ListCase("page points", lambda cast: "/me/points/", points_entry, "member", False, lambda row: row.reason),
    ListCase(
        "page rewards",
        lambda cast: "/me/rewards/",
        lambda cast: RewardFactory(),
        "member",
        False,
        lambda row: row.name,
    ),
    ListCase("page coupons", lambda cast: "/me/coupons/", coupon, "member", False, lambda row: row.code),
    ListCase(
        "page cars",
        lambda cast: "/me/cars/",
        lambda cast: OwnedVehicleFactory(member=cast.member),
        "member",
        False,
        lambda row: row.plate,
    ),
    ListCase(
        "page appointments",
        lambda cast: "/me/appointments/",
        appointment,
        "member",
        False,
        lambda row: f'data-appointment="{row.pk}"',
    ),  # fmt: skip
    ListCase(
        "page complaints",
        lambda cast: "/me/complaints/",
        member_complaint,
        "member",
        False,
        lambda row: row.number,
    ),
    ListCase("page invite", lambda cast: "/me/invite/", invitee, "member", False, lambda row: str(row.user.phone)[-4:]),
    ListCase(
        "page catalog",
        lambda cast: "/cars/",
        lambda cast: FinancePlanFactory(),
        "anonymous",
        False,
        lambda row: row.trim.car_model.name,
    ),
    ListCase("page rescue", lambda cast: "/me/rescue/", rescue, "member", False, lambda row: f'data-rescue="{row.pk}"'),
    # The back office's queue.
    ListCase(
        "back-office queue",
        lambda cast: "/backoffice/",
        submitted_order,
        "store_staff",
        False,
        lambda row: row.number,
    ),
    ListCase(
        "api report not-returned",
        lambda cast: "/api/v1/backoffice/reports/not-returned/?months=6",
        car_not_back,
        "store_manager",
        True,
    ),
    ListCase(
        "report not-returned",
        lambda cast: "/backoffice/reports/not-returned/?months=6",
        car_not_back,
        "store_manager",
        False,
        lambda row: row.plate,
    ),
    # The care reports: one row per store.
    ListCase(
        "report complaints",
        lambda cast: "/backoffice/reports/complaints/",
        complaint_of_a_new_store,
        "head_office",
        False,
        lambda row: row.store.name,
    ),  # fmt: skip
    ListCase(
        "report rescue",
        lambda cast: "/backoffice/reports/rescue/",
        rescue_of_a_new_store,
        "head_office",
        False,
        lambda row: row.store.name,
    ),  # fmt: skip
    ListCase(
        "report satisfaction",
        lambda cast: "/backoffice/reports/satisfaction/",
        survey_response_of_a_new_store,
        "head_office",
        False,
        lambda row: row.store.name,
    ),  # fmt: skip
    ListCase(
        "report churn",
        lambda cast: "/backoffice/reports/churn/",
        member_in_service,
        "store_manager",
        False,
        lambda row: row.preferred_store.name,
    ),
    ListCase(
        "report complaint rate",
        lambda cast: "/backoffice/reports/complaint-rate/",
        store_complaint,
        "store_manager",
        False,
        lambda row: row.store.name,
    ),
    ListCase(
        "report points liability",
        lambda cast: "/backoffice/reports/points-liability/",
        lambda cast: RewardFactory(name=f"抵扣券 {next(UNIQUE)}"),
        "head_office",
        False,
        lambda row: row.name,
    ),
    ListCase(
        "back-office tasks",
        lambda cast: "/backoffice/tasks/?queue=unassigned",
        store_task,
        "store_staff",
        False,
        lambda row: row.title,
    ),
    ListCase(
        "back-office appointments",
        lambda cast: f"/backoffice/appointments/?date={tomorrow().isoformat()}",
        appointment,
        "store_staff",
        False,
        lambda row: f'data-appointment="{row.pk}"',
    ),  # fmt: skip
    ListCase(
        "back-office complaints",
        lambda cast: "/backoffice/complaints/",
        store_complaint,
        "store_staff",
        False,
        lambda row: row.number,
    ),
    # The call center's admin changelists, as head office (owned cars: head office has no permission for them, so
    # as an administrator).
    ListCase(
        "admin orders",
        lambda cast: "/admin/orders/order/",
        submitted_order,
        "head_office",
        False,
        lambda row: row.number,
    ),
    ListCase(
        "admin members",
        lambda cast: "/admin/members/member/",
        lambda cast: MemberFactory(name=f"会员{next(UNIQUE)}"),
        "head_office",
        False,
        lambda row: row.name,
    ),
    ListCase(
        "admin member segments",
        lambda cast: "/admin/segments/membersegment/",
        segmented_member,
        "head_office",
        False,
        lambda row: row.name,
    ),
    ListCase(
        "admin member tags",
        lambda cast: "/admin/segments/membertag/?source=staff",
        segmented_member,
        "head_office",
        False,
        lambda row: row.name,
    ),
    ListCase(
        "admin points entries",
        lambda cast: "/admin/points/pointsentry/",
        points_entry,
        "head_office",
        False,
        lambda row: row.reason,
    ),
    ListCase(
        "admin complaints",
        lambda cast: "/admin/complaints/complaint/",
        store_complaint,
        "head_office",
        False,
        lambda row: row.number,
    ),
    ListCase("admin coupons", lambda cast: "/admin/points/coupon/", coupon, "head_office", False, lambda row: row.code),
    ListCase(
        "admin payments", lambda cast: "/admin/orders/payment/", payment, "finance", False, lambda row: row.reference
    ),
    ListCase(
        "admin repayment files",
        lambda cast: "/admin/orders/repaymentimport/",
        repayment_file,
        "finance",
        False,
        lambda row: row.original_name,
    ),  # fmt: skip
    ListCase(
        "admin notifications",
        lambda cast: "/admin/notifications/notification/",
        message,
        "head_office",
        False,
        lambda row: row.event,
    ),
    ListCase("page events", lambda cast: "/me/events/", owner_event, "member", False, lambda row: row.title),
    ListCase(
        "page car services",
        lambda cast: "/me/car-services/",
        aftermarket_booking,
        "member",
        False,
        lambda row: row.vehicle.plate,
    ),  # fmt: skip
    ListCase(
        "back-office events",
        lambda cast: "/backoffice/events/",
        owner_event,
        "store_staff",
        False,
        lambda row: row.title,
    ),  # fmt: skip
    ListCase(
        "back-office event registrations",
        lambda cast: f"/backoffice/events/{the_event(cast).pk}/",
        event_registration,
        "store_staff",
        False,
        lambda row: row.member.name,
    ),  # fmt: skip
    ListCase(
        "admin membership cards",
        lambda cast: "/admin/members/membershipcard/",
        membership_card,
        "head_office",
        False,
        lambda row: row.number,
    ),  # fmt: skip
    ListCase(
        "admin owner events",
        lambda cast: "/admin/owner_events/ownerevent/",
        owner_event,
        "head_office",
        False,
        lambda row: row.title,
    ),  # fmt: skip
    ListCase(
        "back-office open rescues",
        lambda cast: "/backoffice/tasks/",
        rescue,
        "store_staff",
        False,
        lambda row: f'data-rescue="{row.pk}"',
    ),
    ListCase(
        "back-office rescue",
        lambda cast: "/backoffice/rescue/",
        rescue,
        "store_staff",
        False,
        lambda row: f'data-rescue="{row.pk}"',
    ),
    ListCase(
        "admin rescue",
        lambda cast: "/admin/rescue/rescuerequest/",
        rescue,
        "head_office",
        False,
        lambda row: row.vehicle.plate,
    ),
    ListCase(
        "admin survey responses",
        lambda cast: "/admin/surveys/surveyresponse/",
        survey_response,
        "admin",
        False,
        lambda row: f"/admin/surveys/surveyresponse/{row.pk}/change/",
    ),
    ListCase(
        "admin owned cars",
        lambda cast: "/admin/vehicles/ownedvehicle/",
        lambda cast: OwnedVehicleFactory(member=cast.member),
        "admin",
        False,
        lambda row: row.plate,
    ),
    ListCase(
        "admin appointments",
        lambda cast: "/admin/appointments/appointment/",
        appointment,
        "admin",
        False,
        lambda row: row.vehicle.plate,
    ),  # fmt: skip
    ListCase(
        "admin insurance policies",
        lambda cast: "/admin/vehicles/insurancepolicy/",
        insurance_policy,
        "admin",
        False,
        lambda row: row.policy_number,
    ),  # fmt: skip
    ListCase(
        "admin dealer imports",
        lambda cast: "/admin/dealer_exchange/dealerimportrun/",
        dealer_import,
        "head_office",
        False,
        lambda row: row.reference,
    ),  # fmt: skip
]


# The pinned cost of one request for each list, whatever the number of rows: the same at N and at 3N.
QUERIES = {
    "api orders": 4,
    "api order documents": 5,
    "api loans": 5,
    "api inbox": 5,
    "api points entries": 4,
    "api rewards": 5,
    "api coupons": 4,
    "api vehicles": 5,
    "api referrals": 5,
    "api catalog models": 4,
    "api catalog plans": 2,
    "api stores": 1,
    "api back-office orders": 3,
    "api complaints": 4,
    "api back-office complaints": 3,
    "api back-office members by segment": 3,
    "page dashboard": 10,
    "page orders": 5,
    # The bills page also lists the member's usable repayment-deduction coupons (one query).
    "page loans": 7,
    "page messages": 6,
    "page points": 10,  # with the tier benefit
    "page rewards": 8,
    "page coupons": 5,
    "page cars": 6,
    "page complaints": 5,
    "page invite": 7,
    "page catalog": 3,
    # The back office's pages also count my open tasks due today for the top bar's Tasks link; the queue also counts
    # its views (open work, waiting on me, overdue) in one query.
    "back-office queue": 9,
    # … and the store's open rescues above the tasks.
    "back-office tasks": 9,
    "back-office complaints": 8,
    "api report not-returned": 3,
    "report not-returned": 7,
    # One query a month of the period (this month here), the store names; the complaints one more.
    "report churn": 8,
    "report complaint rate": 9,
    "report points liability": 7,
    "report complaints": 7,
    "report rescue": 6,
    "report satisfaction": 6,
    "admin orders": 11,
    "admin members": 11,
    "admin member segments": 9,
    "admin member tags": 11,
    "admin points entries": 13,
    "admin complaints": 9,
    "admin coupons": 10,
    "admin payments": 7,
    "admin repayment files": 7,
    # The event filter lists the catalog's events by name, no longer the distinct event codes of the outbox's rows.
    "admin notifications": 11,
    "admin owned cars": 7,
    "api appointments": 4,
    "page appointments": 5,
    "back-office appointments": 7,
    "admin appointments": 7,
    "admin insurance policies": 7,
    "admin dealer imports": 9,
    "api rescue": 5,
    "api back-office rescue": 4,
    "page rescue": 8,
    "back-office open rescues": 8,
    "back-office rescue": 7,
    "admin rescue": 10,
    "admin survey responses": 8,
    "api events": 4,
    "api aftermarket bookings": 4,
    "page events": 5,
    "page car services": 7,
    "back-office events": 6,
    # … with the invitation form, whose tag list is one query.
    "back-office event registrations": 7,
    "admin membership cards": 9,
    "admin owner events": 10,
}


def client_for(case: ListCase, cast, client):
    if case.viewer == "anonymous":
        return APIClient() if case.api else client
    if case.viewer == "admin":
        user = StaffFactory(username="query-count-admin", role="admin", is_superuser=True)
    else:
        user = cast.member_user if case.viewer == "member" else getattr(cast, case.viewer)
    if case.api:
        api_client = APIClient()
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=user)}")
        return api_client
    client.force_login(user)
    return client


def listed(response, case: ListCase) -> int | None:
    if not case.api:
        return None
    body = response.json()
    if isinstance(body, list):
        return len(body)
    return len(body["invitees"]) if "invitees" in body else body["count"]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_list_costs_the_same_queries_for_n_and_3n_rows(case, cast, client, django_assert_num_queries):
    cast.query_count_order = OrderFactory(member=cast.member, store=cast.store, state="submitted")
    viewer = client_for(case, cast, client)
    viewer.get(case.url(cast))  # warm up: the session, the language, caches filled on a first visit
    before = listed(viewer.get(case.url(cast)), case)
    seen = []
    for rows in (N, 3 * N):
        made = [case.make(cast) for _row in range(rows - len(seen))]
        seen += made
        with django_assert_num_queries(QUERIES[case.name]):
            response = viewer.get(case.url(cast))
        assert response.status_code == 200
        if case.api:
            assert listed(response, case) == before + rows
        else:
            page = response.content.decode()
            for row in seen:
                assert case.shown(row) in page, case.shown(row)
