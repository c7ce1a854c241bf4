"""A member asks for roadside rescue from a phone, and answers a satisfaction survey from the SMS link on a
phone-sized page without signing in."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from crm.care.rescue.models import RescueRequest
from crm.surveys import services as survey_services
from crm.surveys.defaults import ensure_default_questionnaires
from crm.surveys.models import SurveyResponse
from tests.e2e.helpers import e164, path_is, sign_in
from tests.members.factories import MemberFactory, StoreFactory
from tests.vehicles.factories import OwnedVehicleFactory

pytestmark = pytest.mark.e2e

PHONE = "13800138031"
PHONE_SIZED = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


SHOTS_DIR = Path("/tmp/e2e-shots")


def _fits_the_screen(page, name: str = "") -> None:
    if name:  # a screenshot to look at (this machine may lack CJK fonts)
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS_DIR / f"{name}-390x844.png", full_page=True)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_SIZED["viewport"]["width"], f"{page.url} is {width}px wide"


@pytest.fixture
def owner(db):
    store = StoreFactory(code="SZ09", name="深圳南山店")
    member = MemberFactory(user__phone=e164(PHONE), name="王芳", preferred_store=store)
    OwnedVehicleFactory(member=member, plate="粤B66666")
    return member


def test_a_member_asks_for_rescue_in_two_taps(new_page, sms_outbox, owner):
    page = new_page(**PHONE_SIZED, geolocation={"latitude": 22.5431, "longitude": 114.0579},
                    permissions=["geolocation"])  # fmt: skip
    sign_in(page, sms_outbox, PHONE)
    page.goto("/me/rescue/")
    # The only car is already picked; the phone offers its position.
    expect(page.locator("#rescue-form input[name=vehicle]")).to_be_checked()
    expect(page.locator("#rescue-geo-status")).to_be_visible()
    _fits_the_screen(page, "rescue-ask")
    page.locator("#id_location").fill("沙河西路地铁站 B 口")
    page.locator('button[data-kind="flat_tyre"]').click()

    rescue = RescueRequest.objects.get()
    expect(page).to_have_url(path_is(f"/me/rescue/{rescue.pk}/"))
    expect(page.locator("#rescue-status")).to_have_attribute("data-status", "requested")
    expect(page.locator("#rescue-timeline li")).to_have_count(1)
    _fits_the_screen(page, "rescue-detail")
    assert (rescue.kind, rescue.location, rescue.vehicle.plate, rescue.store.code) == (
        "flat_tyre", "沙河西路地铁站 B 口", "粤B66666", "SZ09",
    )  # fmt: skip
    assert (rescue.latitude, rescue.longitude) == (Decimal("22.543100"), Decimal("114.057900"))
    _fits_the_screen(page)

    # Help is no longer needed: the member calls it off.
    page.locator("#rescue-cancel").click()
    expect(page.locator("#rescue-status")).to_have_attribute("data-status", "cancelled")
    expect(page.locator("#rescue-cancel")).to_have_count(0)


def test_a_member_answers_the_survey_from_the_sms_link_on_a_phone(new_page, sms_outbox, owner, settings):
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = 24, 0  # the SMS goes at once, whatever the hour
    ensure_default_questionnaires()
    survey_services.invite_member(trigger="delivery", member=owner, store_id=owner.preferred_store_id,
                                  subject="order:1")  # fmt: skip
    [sms] = [message for message in sms_outbox.messages if message["to"] == e164(PHONE)]
    link = re.search(r"/s/[A-Za-z0-9_-]+/", sms["body"]).group(0)

    page = new_page(**PHONE_SIZED)
    page.goto(link)
    expect(page.locator("#survey-form")).to_be_visible()
    _fits_the_screen(page)
    questions = page.locator(".survey-question")
    expect(questions).to_have_count(4)
    # Sending without the required scores is refused, with a message.
    page.locator("#survey-submit").click()
    expect(page.locator("#survey-error")).to_be_visible()
    questions = page.locator(".survey-question")
    questions.nth(0).locator(".scale__point", has_text="5").click()
    questions.nth(1).locator(".scale__point").filter(has_text=re.compile(r"^9$")).click()
    questions.nth(2).locator(".choice").first.click()
    questions.nth(3).locator("textarea").fill("交车很顺利，谢谢小李！")
    _fits_the_screen(page, "survey-filled")
    page.locator("#survey-submit").click()
    expect(page.locator("#survey-thanks")).to_be_visible()
    _fits_the_screen(page)

    response = SurveyResponse.objects.get()
    assert (response.csat, response.nps, response.member) == (5, 9, owner)
    assert response.answers.filter(text="交车很顺利，谢谢小李！").exists()
    # The link works once.
    page.goto(link)
    expect(page.locator("#survey-closed")).to_have_attribute("data-code", "already_answered")
