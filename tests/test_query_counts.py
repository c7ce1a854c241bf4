"""Every list the product shows — the member's API lists and pages, the back-office queue, the admin changelists —
costs the same number of queries for N rows as for 3N rows, so a query per row (N+1) shows up here. The exact count
is pinned too, so any change to it is seen and reviewed. Admin changelists are read as head office (all stores)."""

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from members.services import issue_access_token
from notifications.services import queue_notification
from points import services as points_services
from staff_tasks.services import open_task
from tests.members.factories import MemberFactory, StaffFactory, StoreFactory
from tests.orders.factories import LoanFactory, OrderDocumentFactory, OrderEventFactory, OrderFactory
from tests.points.factories import RewardFactory
from tests.vehicles.factories import FinancePlanFactory, OwnedVehicleFactory

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


def loan(cast):
    # The loan's application is delivered (ended), so the member may have many beside their one open application.
    return LoanFactory(order__member=cast.member, order__store=cast.store, order__state="delivered")


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


def invitee(cast):
    friend = MemberFactory(referred_by=cast.member, name=f"好友{next(UNIQUE)}")
    OrderFactory(member=friend, store=cast.store, state="submitted")
    return friend


@dataclass(frozen=True)
class ListCase:
    name: str
    url: Callable  # cast → the URL
    make: Callable  # cast → one more row of the list
    viewer: str  # "member" (API token or session), "store_staff", "head_office", "admin", "anonymous"
    api: bool
    shown: Callable | None = None  # a row → text the page must show for it (pages)


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
    ListCase("api stores", lambda cast: "/api/v1/stores/", lambda cast: StoreFactory(), "anonymous", True),
    ListCase("api back-office orders", lambda cast: "/api/v1/backoffice/orders/", submitted_order, "store_staff", True),
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
    ListCase("page invite", lambda cast: "/me/invite/", invitee, "member", False, lambda row: str(row.user.phone)[-4:]),
    ListCase(
        "page catalog",
        lambda cast: "/cars/",
        lambda cast: FinancePlanFactory(),
        "anonymous",
        False,
        lambda row: row.trim.car_model.name,
    ),
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
        "back-office tasks",
        lambda cast: "/backoffice/tasks/?queue=unassigned",
        store_task,
        "store_staff",
        False,
        lambda row: row.title,
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
        "admin points entries",
        lambda cast: "/admin/points/pointsentry/",
        points_entry,
        "head_office",
        False,
        lambda row: row.reason,
    ),
    ListCase("admin coupons", lambda cast: "/admin/points/coupon/", coupon, "head_office", False, lambda row: row.code),
    ListCase(
        "admin notifications",
        lambda cast: "/admin/notifications/notification/",
        message,
        "head_office",
        False,
        lambda row: row.event,
    ),
    ListCase(
        "admin owned cars",
        lambda cast: "/admin/vehicles/ownedvehicle/",
        lambda cast: OwnedVehicleFactory(member=cast.member),
        "admin",
        False,
        lambda row: row.plate,
    ),
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
    "page dashboard": 10,
    "page orders": 5,
    "page loans": 6,
    "page messages": 6,
    "page points": 9,
    "page rewards": 8,
    "page coupons": 5,
    "page cars": 6,
    "page invite": 7,
    "page catalog": 3,
    # The back office's pages also count my open tasks due today for the top bar's Tasks link.
    # The queue also counts its views (open work, waiting on me, overdue) in one query.
    "back-office queue": 9,
    "back-office tasks": 8,
    "admin orders": 11,
    "admin members": 11,
    "admin points entries": 13,
    "admin coupons": 10,
    # The event filter lists the catalog's events by name, no longer the distinct event codes of the outbox's rows.
    "admin notifications": 11,
    "admin owned cars": 7,
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
