"""A member shows the card: they get their membership card in the member center, see its number and QR code on a
phone, and a store clerk scans it in the back office to open the member's page. After a loss the old code finds
nobody."""

import pytest
from playwright.sync_api import expect

from members.cards import QR_PREFIX
from tests.e2e.helpers import path_is, sign_in, staff_sign_in
from tests.members.factories import STAFF_PASSWORD

pytestmark = pytest.mark.e2e

PHONE_SCREEN = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def test_a_member_shows_the_card_and_the_store_scans_it(new_page, cast, sms_outbox):
    member_page = new_page(**PHONE_SCREEN)
    sign_in(member_page, sms_outbox, str(cast.member_user.phone).removeprefix("+86"))
    member_page.goto("/me/account/")
    member_page.locator("#my-card-link").click()
    expect(member_page).to_have_url(path_is("/me/card/"))
    member_page.locator("#join-card").click()

    card = member_page.locator("#membership-card")
    expect(card).to_be_visible()
    number = member_page.locator("#card-number").inner_text().strip()
    assert len(number) == 12
    assert number.isdigit()
    expect(member_page.locator("#card-qr svg")).to_be_visible()

    clerk = new_page()
    staff_sign_in(clerk, cast.store_staff.username, STAFF_PASSWORD)
    clerk.goto("/backoffice/")
    clerk.locator("#card-lookup-link").click()
    # A scanner types the code's text and presses Enter.
    clerk.locator("#card-lookup input[name=code]").fill(f"{QR_PREFIX}{number}")
    clerk.locator("#card-lookup input[name=code]").press("Enter")
    expect(clerk).to_have_url(path_is(f"/backoffice/members/{cast.member.pk}/"))

    # The member reports the card lost: a new number, and the old code finds nobody.
    member_page.locator("#report-lost").click()
    expect(member_page.locator("#card-number")).not_to_have_text(number)
    clerk.goto(f"/backoffice/members/card/?code={QR_PREFIX}{number}")
    expect(clerk.locator("#card-lookup + .alert--error")).to_have_count(1)
