"""The member 360 view in the browser: an agent finds a caller by phone from the admin's header and lands on their
360; a store clerk opens it from an application in the back office, on a phone screen."""

import pytest
from playwright.sync_api import expect

from members.services import verify_member_identity
from tests.e2e.helpers import ID_NUMBER, ID_NUMBER_MASKED, path_is, staff_sign_in
from tests.members.factories import STAFF_PASSWORD, unverified
from tests.orders.factories import LoanFactory, OrderEventFactory, OrderFactory
from tests.vehicles.factories import OwnedVehicleFactory

pytestmark = pytest.mark.e2e

PHONE_SCREEN = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def customer(cast):
    # The cast's member comes verified; verify for real here, so the ID number is one that decrypts and masks.
    member = unverified(cast.member)
    cast.member_user.phone = "+8613912345678"
    cast.member_user.save()
    verify_member_identity(member=member, real_name="王晓明", id_number=ID_NUMBER)
    order = OrderFactory(member=member, store=cast.store, number="SZ2026000001", state="delivered", plate="粤B·12345")
    OrderEventFactory(
        order=order, actor=cast.store_staff, transition="submit", from_state="draft", to_state="submitted"
    )
    LoanFactory(order=order)
    OwnedVehicleFactory(member=member, plate="粤B·12345")
    return {"member": member, "order": order}


def test_an_agent_searches_a_phone_in_the_admin_and_opens_the_360(new_page, cast, customer):
    page = new_page()
    page.goto("/admin/login/?next=/admin/")
    page.locator("#id_username").fill(cast.call_center.username)
    page.locator("#id_password").fill(STAFF_PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page).to_have_url(path_is("/admin/"))

    page.locator("#customer-search input[name=q]").fill("139 1234 5678")
    page.locator("#customer-search button[type=submit]").click()

    expect(page).to_have_url(path_is(f"/admin/members/member/{customer['member'].pk}/360/"))
    expect(page.locator("#c360-id-number")).to_have_text(ID_NUMBER_MASKED)
    expect(page.locator("#c360-phone")).to_have_text("+8613912345678")
    expect(page.locator("#c360-orders [data-order='SZ2026000001']")).to_have_count(1)
    expect(page.locator("#c360-cars [data-plate='粤B·12345']")).to_have_count(1)
    assert ID_NUMBER not in page.content()


def test_a_store_clerk_opens_the_360_from_an_application_on_a_phone(new_page, cast, customer):
    page = new_page(**PHONE_SCREEN)
    staff_sign_in(page, cast.store_staff.username, STAFF_PASSWORD)
    page.goto(f"/backoffice/orders/{customer['order'].pk}/")

    page.locator("#member-360-link").click()

    expect(page).to_have_url(path_is(f"/backoffice/members/{customer['member'].pk}/"))
    expect(page.locator("#c360-id-number")).to_have_text(ID_NUMBER_MASKED)
    expect(page.locator("#c360-orders [data-order='SZ2026000001']")).to_have_count(1)
    expect(page.locator("#c360-orders .c360-installments tbody tr")).to_have_count(2)
    # Against the screen: the page fits a phone without scrolling sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_SCREEN["viewport"]["width"]


def test_a_clerk_of_another_store_finds_nobody_and_gets_404(new_page, cast, customer):
    page = new_page()
    staff_sign_in(page, cast.other_store_staff.username, STAFF_PASSWORD)

    page.goto("/backoffice/members/?q=13912345678")
    expect(page.locator("#c360-results tbody tr")).to_have_count(1)
    expect(page.locator(f"#c360-results a[href='/backoffice/members/{customer['member'].pk}/']")).to_have_count(0)
    response = page.goto(f"/backoffice/members/{customer['member'].pk}/")
    assert response.status == 404
