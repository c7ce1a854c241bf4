"""The member pages on a phone-sized screen: nothing wider than the screen. Screenshots go to /tmp/e2e-shots/."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import path_is, sign_up

pytestmark = pytest.mark.e2e

SHOTS_DIR = Path("/tmp/e2e-shots")
MOBILE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def _assert_fits_the_screen(page) -> None:
    # Against the screen, not window.innerWidth: a mobile browser widens its layout viewport to fit a wide page.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    screen = MOBILE["viewport"]["width"]
    assert width <= screen, f"{page.url} is {width}px wide on a {screen}px screen"


def _shoot(page, name: str) -> None:
    """Screenshot the whole page in both languages (this machine may lack CJK fonts; English shows the layout)."""
    switch = page.locator("header form.lang-switch button[type=submit]")
    for language in ("zh-hans", "en"):
        if page.locator("html").get_attribute("lang") != language:
            switch.click()
            expect(page.locator("html")).to_have_attribute("lang", language)
        page.screenshot(path=SHOTS_DIR / f"{name}-{language}-390x844.png", full_page=True)
        _assert_fits_the_screen(page)
    switch.click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_sign_in_and_dashboard_fit_a_phone_screen(new_page, sms_outbox):
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page = new_page(**MOBILE)

    page.goto("/sign-in/")
    expect(page.locator("#id_phone")).to_be_visible()
    _shoot(page, "sign-in")

    sign_up(page, sms_outbox, "13912345678")
    page.goto("/me/")
    expect(page).to_have_url(path_is("/me/"))
    expect(page.locator("ol.checklist > li")).to_have_count(3)
    _shoot(page, "dashboard")
