"""The language switch in the header: Chinese by default, English on request, and back."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import path_is

pytestmark = pytest.mark.e2e


def test_language_switch_goes_to_english_and_back(page):
    html = page.locator("html")
    switch = page.locator("header form.lang-switch button[type=submit]")

    page.goto("/sign-in/")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(switch).to_have_text("English")
    expect(switch).to_have_attribute("value", "en")

    switch.click()
    expect(page).to_have_url(path_is("/sign-in/"))  # back on the page the member was reading
    expect(html).to_have_attribute("lang", "en")
    expect(switch).to_have_text("中文")
    expect(switch).to_have_attribute("value", "zh-hans")
    # English is the source language, so its texts are stable.
    expect(page.locator("main h1")).to_have_text("Sign in or register")
    expect(page.locator("main form button[type=submit]")).to_have_text("Send code")

    # The choice sticks for the next pages.
    page.goto("/")
    expect(html).to_have_attribute("lang", "en")
    expect(switch).to_have_text("中文")

    switch.click()
    expect(page).to_have_url(path_is("/"))
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(switch).to_have_text("English")
    page.goto("/sign-in/")
    expect(html).to_have_attribute("lang", "zh-hans")


def test_browser_asking_for_english_gets_english(new_page):
    page = new_page(locale="en-US")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("header form.lang-switch button[type=submit]")).to_have_text("中文")
