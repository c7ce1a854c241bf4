"""Every step name, from every state, through every door (the member's API and pages, the staff API, the back office
and the admin's transition buttons and forms) answers with a page or a 4xx, never a server error.

One order per state (and the states an application may be in without a store); each attempt runs in a savepoint that
is rolled back, so every attempt starts from the same order. Failures are collected, so one run lists them all."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from members.services import issue_access_token
from orders import services
from orders.enums import OrderState
from orders.models import Order
from orders.state_machine import TRANSITION_ACTORS
from tests.members.factories import StaffFactory

pytestmark = pytest.mark.django_db

# Every step, plus names that are not steps: one unknown, and methods of the model that must never be reachable.
NAMES = [*TRANSITION_ACTORS, "no_such_step", "save", "delete"]
ORDERS = [(state.value, False) for state in OrderState] + [("draft", True), ("submitted", True), ("terminated", True)]
SIDE_ROADS = {
    "needs_materials": ("under_review", "request_materials", "reviewer"),
    "rejected": ("under_review", "reject", "reviewer"),
    "awaiting_vehicle": ("approved", "wait_for_vehicle", "store_staff"),
    "terminated": ("submitted", "terminate", "call_center"),
    "replaced": ("approved", "change_model", "member"),
}


# The admin's change form posts its (read-only) inlines' management forms along with the button.
ADMIN_INLINES = {
    "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0",
    "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0",
}  # fmt: skip


# Where a request that is not signed in is sent.
SIGN_IN_PAGES = ("/admin/login/", "/backoffice/sign-in/", "/sign-in/")


def build(cast, state: str, storeless: bool) -> Order:
    member = cast.applicant(preferred_store=None, city="拉萨") if storeless else cast.applicant()
    if state == "draft" and not storeless:  # a draft has a store only when the member named one
        return services.create_order(
            member=member, trim_id=cast.trim.pk, plan_id=cast.plan.pk, actor=member.user, store_id=cast.store.pk
        )
    order = cast.new_order(member)
    if state in SIDE_ROADS:
        before, name, who = SIDE_ROADS[state]
        order = cast.advance(order, before)
        actor = member.user if who == "member" else getattr(cast, who)
        order = cast.step(order, name, actor, reason="原因", trim_id=cast.trim.pk, plan_id=cast.plan.pk)
    else:
        order = cast.advance(order, state)
    assert (order.state, order.store_id is None) == (state, storeless)
    return order


def step_data(cast) -> dict:
    signing_at = timezone.localtime() + datetime.timedelta(days=3)
    return {"reason": "测试原因", "vin": "", "signing_at": signing_at.strftime("%Y-%m-%dT%H:%M"), "plate": "粤B12345",
            "trim": cast.trim.pk, "plan": cast.plan.pk}  # fmt: skip


def first_staff_role(name: str) -> str | None:
    roles = sorted(str(role) for role in TRANSITION_ACTORS.get(name, ()) if role != "member")
    return roles[0] if roles else None


@pytest.mark.parametrize(("state", "storeless"), ORDERS, ids=[f"{s}{'-storeless' if x else ''}" for s, x in ORDERS])
def test_no_step_from_this_state_is_a_server_error(cast, client, state, storeless):
    order = build(cast, state, storeless)
    superuser = StaffFactory(username="root", role="admin", is_superuser=True)
    by_role = {
        "store_staff": cast.store_staff, "store_manager": cast.store_manager, "reviewer": cast.reviewer,
        "finance": cast.finance, "call_center": cast.call_center, "head_office": cast.head_office,
    }  # fmt: skip
    # Tokens and sessions are written before the savepoints: one written inside would be rolled back with it.
    tokens = {user.pk: issue_access_token(user=user) for user in [order.member.user, superuser, *by_role.values()]}

    def api(user):
        api_client = APIClient()
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens[user.pk]}")
        return api_client

    signed_in = {}

    def sign_in(user):
        if signed_in.get("user") != user.pk:
            client.force_login(user)
            signed_in["user"] = user.pk

    data = step_data(cast)
    member = order.member.user
    failures = []

    def attempt(door, name, path, payload, *, api_user=None, page_user=None):
        """POST ``payload`` to ``path`` as ``api_user`` (Bearer token, JSON) or ``page_user`` (session, form)."""
        if page_user is not None:
            sign_in(page_user)
        try:
            with transaction.atomic():
                if api_user is not None:
                    response = api(api_user).post(path, payload, format="json")
                else:
                    response = client.post(path, payload)
                transaction.set_rollback(True)
        except Exception as error:  # noqa: BLE001  (collected and reported below)
            failures.append(f"{door} {name}: {type(error).__name__}: {error}")
            return
        if response.status_code >= 500:
            failures.append(f"{door} {name}: {response.status_code}")
        elif api_user is not None and response.status_code >= 400 and "code" not in response.json():
            failures.append(f"{door} {name}: {response.status_code} without a code")
        elif response.status_code == 401 or response.get("Location", "").startswith(SIGN_IN_PAGES):
            failures.append(f"{door} {name}: not signed in")  # the attempt never reached the step

    for name in NAMES:
        staff_api_path = f"/api/v1/backoffice/orders/{order.pk}/transitions/{name}/"
        step_page = f"/backoffice/orders/{order.pk}/steps/{name}/"
        attempt("member API", name, f"/api/v1/orders/{order.pk}/transitions/{name}/", data, api_user=member)
        attempt("member page", name, f"/me/orders/{order.pk}/steps/{name}/", data, page_user=member)
        role = first_staff_role(name)
        for actor in [superuser, *([by_role[role]] if role else [])]:
            who = actor.role
            attempt(f"staff API ({who})", name, staff_api_path, data, api_user=actor)
            attempt(f"back office ({who})", name, step_page, data, page_user=actor)
            button = {**ADMIN_INLINES, "_fsm_transition_to": name}
            attempt(f"admin button ({who})", name, f"/admin/orders/order/{order.pk}/change/", button, page_user=actor)
            form_path = f"/admin/orders/order/{order.pk}/transition/{name}/"
            attempt(f"admin form ({who})", name, form_path, data, page_user=actor)
        # Without the data some steps take: a refusal that names what is missing, not an error.
        attempt("staff API without data", name, staff_api_path, {}, api_user=superuser)
        attempt("back office without data", name, step_page, {}, page_user=superuser)
    # And every page that shows the order opens.
    sign_in(member)
    assert client.get(f"/me/orders/{order.pk}/").status_code == 200
    assert api(member).get(f"/api/v1/orders/{order.pk}/").status_code == 200
    sign_in(superuser)
    assert client.get(f"/backoffice/orders/{order.pk}/").status_code == 200
    assert client.get(f"/admin/orders/order/{order.pk}/change/").status_code == 200
    assert api(superuser).get(f"/api/v1/backoffice/orders/{order.pk}/").status_code == 200
    waiting = order.is_unassigned
    assert client.get(f"/admin/orders/unassignedorder/{order.pk}/change/").status_code == (200 if waiting else 302)
    assert failures == []
    order.refresh_from_db()
    assert (order.state, order.store_id is None) == (state, storeless)  # every attempt was rolled back


def test_the_admin_button_the_sweep_presses_takes_the_step(cast, client):
    """The sweep's admin-button request is the real one: it moves an order when the step is allowed."""
    order = cast.advance(cast.new_order(), "submitted")
    client.force_login(StaffFactory(username="root", role="admin", is_superuser=True))
    response = client.post(
        f"/admin/orders/order/{order.pk}/change/", {**ADMIN_INLINES, "_fsm_transition_to": "start_collecting"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "collecting_materials"
