"""A call-center agent starts an application for a member from the member's admin page."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from orders.models import Order, OrderEvent
from tests.vehicles.factories import FinancePlanFactory

pytestmark = pytest.mark.django_db


def start_url(member):
    return reverse("admin:orders_order_start_for_member", args=[member.pk])


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_the_member_page_links_to_the_form(client, cast):
    client.force_login(cast.call_center)
    response = client.get(reverse("admin:members_member_change", args=[cast.member.pk]))
    assert response.status_code == 200
    assert start_url(cast.member) in response.content.decode()


def test_the_member_page_has_no_link_for_a_role_that_may_not_start(client, cast):
    client.force_login(cast.reviewer)
    response = client.get(reverse("admin:members_member_change", args=[cast.member.pk]))
    assert response.status_code == 200
    assert start_url(cast.member) not in response.content.decode()


def test_an_agent_starts_a_draft_for_a_member(client, cast):
    client.force_login(cast.call_center)
    assert client.get(start_url(cast.member)).status_code == 200
    response = client.post(
        start_url(cast.member), {"trim": cast.trim.pk, "plan": cast.plan.pk, "store": "SZ01"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:orders_order_change", args=[order.pk])
    assert messages_of(response) == [("success", f"Application {order.number} started for the member.")]
    assert (order.member, order.trim, order.plan, order.store, order.state, order.created_by) == (
        cast.member,
        cast.trim,
        cast.plan,
        cast.store,
        "draft",
        cast.call_center,
    )
    assert order.channel == cast.member.channel
    quote = cast.plan.quote()
    assert (order.price, order.down_payment, order.monthly_payment) == (
        quote.price,
        quote.down_payment,
        quote.monthly_payment,
    )
    assert order.price == Decimal("129800.00")
    assert OrderEvent.objects.count() == 0  # a draft has no step yet; created_by records the agent


def test_a_second_open_application_is_refused_naming_the_open_one(client, cast):
    open_order = cast.new_order()
    client.force_login(cast.call_center)
    response = client.post(
        start_url(cast.member), {"trim": cast.trim.pk, "plan": cast.plan.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    open_url = reverse("admin:orders_order_change", args=[open_order.pk])
    assert messages_of(response) == [
        (
            "error",
            "You already have an application in progress. Please continue with it, or cancel it before starting a "
            f'new one. <a href="{open_url}">Open the application</a>',
        )
    ]
    assert f'<a href="{open_url}">' in response.content.decode()
    assert list(Order.objects.values_list("pk", flat=True)) == [open_order.pk]


def test_a_store_clerk_of_another_store_gets_404(client, cast):
    client.force_login(cast.other_store_staff)
    assert client.get(start_url(cast.member)).status_code == 404
    response = client.post(start_url(cast.member), {"trim": cast.trim.pk, "plan": cast.plan.pk})
    assert response.status_code == 404
    assert not Order.objects.exists()


def test_a_store_clerk_starts_one_at_their_own_store_for_a_member_they_see(client, cast):
    client.force_login(cast.store_staff)
    response = client.post(start_url(cast.member), {"trim": cast.trim.pk, "plan": cast.plan.pk})
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.member, order.store, order.created_by) == (cast.member, cast.store, cast.store_staff)


def test_a_store_clerk_cannot_start_one_at_another_store(client, cast):
    client.force_login(cast.store_staff)
    response = client.post(
        start_url(cast.member),
        {"trim": cast.trim.pk, "plan": cast.plan.pk, "store": "GZ01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"store": ["You can start applications only at your own store."]}
    assert not Order.objects.exists()


def test_an_agent_without_a_store_code_leaves_the_store_to_submit(client, cast):
    client.force_login(cast.call_center)
    response = client.post(start_url(cast.member), {"trim": cast.trim.pk, "plan": cast.plan.pk})
    assert response.status_code == 302
    assert Order.objects.get().store is None


def test_a_closed_account_gets_no_application(client, cast):
    member = cast.applicant(closed_at=timezone.now())
    client.force_login(cast.call_center)
    response = client.post(start_url(member), {"trim": cast.trim.pk, "plan": cast.plan.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:members_member_change", args=[member.pk])
    assert messages_of(response) == [("error", "This member's account is closed.")]
    assert not Order.objects.exists()


def test_a_role_without_the_permission_is_refused(client, cast):
    client.force_login(cast.reviewer)
    assert client.get(start_url(cast.member)).status_code == 403
    assert client.post(start_url(cast.member), {"trim": cast.trim.pk, "plan": cast.plan.pk}).status_code == 403
    assert not Order.objects.exists()


def test_a_member_cannot_reach_it(client, cast):
    client.force_login(cast.member_user)
    response = client.post(start_url(cast.member), {"trim": cast.trim.pk, "plan": cast.plan.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not Order.objects.exists()


def test_a_plan_of_another_trim_is_a_form_error(client, cast):
    other_plan = FinancePlanFactory()
    client.force_login(cast.call_center)
    response = client.post(
        start_url(cast.member), {"trim": cast.trim.pk, "plan": other_plan.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"plan": ["This finance plan is not offered for the chosen car trim."]}
    assert not Order.objects.exists()


def test_an_unknown_store_code_is_a_form_error(client, cast):
    client.force_login(cast.call_center)
    response = client.post(
        start_url(cast.member),
        {"trim": cast.trim.pk, "plan": cast.plan.pk, "store": "NOPE"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"store": ["There is no open store with this code."]}
    assert not Order.objects.exists()
