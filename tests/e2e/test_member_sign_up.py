"""Signing up and in with a text-message code, in a real browser: the member's journey through the pages."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    ID_NUMBER,
    ID_NUMBER_BIRTHDAY,
    ID_NUMBER_MASKED,
    checklist_item,
    e164,
    expect_message,
    field_of,
    main_form_with,
    path_is,
    request_code,
    sign_in,
    sign_up,
    submit_code,
    tr,
)
from tests.members.factories import MemberFactory, StoreFactory

pytestmark = pytest.mark.e2e

PHONE = "13912345678"


def test_new_member_signs_up_completes_profile_and_verifies_identity(page, sms_outbox):
    store = StoreFactory(name="深圳南山店", city="深圳")

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.locator('main a.button--primary[href="/sign-in/"]').click()
    expect(page).to_have_url(path_is("/sign-in/"))

    # A bare 11-digit number is a mainland mobile number; the code goes to its E.164 form.
    request_code(page, PHONE)
    assert [message["to"] for message in sms_outbox.messages] == [e164(PHONE)]
    expect(page.locator("main .panel > p.muted")).to_contain_text("139****5678")
    assert PHONE not in page.locator("main").inner_text()
    submit_code(page, sms_outbox.last_code_for(e164(PHONE)))

    expect(page).to_have_url(path_is("/me/profile/"))
    expect_message(page, tr("Welcome to Member Center! Complete your profile to get started."))
    expect(page.locator('header form[action="/sign-out/"]')).to_have_count(1)

    page.locator("#id_name").fill("张伟")
    page.locator("#id_gender").select_option("male")
    page.locator("#id_birthday").fill(ID_NUMBER_BIRTHDAY)
    page.locator("#id_email").fill("zhang.wei@example.com")
    page.locator("#id_city").fill("深圳")
    page.locator("#id_preferred_store").select_option(str(store.pk))
    expect(page.locator("#id_preferred_store option:checked")).to_contain_text(store.name)
    main_form_with(page, "#id_name").locator("button[type=submit]").click()

    expect(page).to_have_url(path_is("/me/"))
    expect_message(page, tr("Your profile is saved."))
    expect(page.locator("main h1")).to_contain_text("张伟")
    profile_item = checklist_item(page, "/me/profile/")
    expect(profile_item).to_have_class("is-done")
    expect(profile_item.locator(".badge")).to_have_text(tr("Done"))
    verification_item = checklist_item(page, "/me/verification/")
    expect(verification_item).not_to_have_class("is-done")
    expect(verification_item.locator(".badge")).to_have_text(tr("To do"))

    # The saved profile reads back as entered.
    page.goto("/me/profile/")
    expect(page.locator("#id_name")).to_have_value("张伟")
    expect(page.locator("#id_gender")).to_have_value("male")
    expect(page.locator("#id_email")).to_have_value("zhang.wei@example.com")
    expect(page.locator("#id_city")).to_have_value("深圳")
    expect(page.locator("#id_preferred_store")).to_have_value(str(store.pk))

    page.goto("/me/")
    verification_item.locator("a").click()
    expect(page).to_have_url(path_is("/me/verification/"))
    expect(page.locator("#id_real_name")).to_have_value("张伟")  # prefilled from the profile name
    page.locator("#id_id_number").fill(ID_NUMBER)
    page.locator("#id_accept_sensitive_data").check()  # the separate consent for sensitive data
    main_form_with(page, "#id_id_number").locator("button[type=submit]").click()

    expect(page).to_have_url(path_is("/me/"))
    expect_message(page, tr("Your identity is verified."))
    expect(verification_item).to_have_class("is-done")
    expect(verification_item.locator(".badge")).to_have_text(tr("Done"))
    expect(profile_item.locator(".badge")).to_have_text(tr("Done"))
    assert ID_NUMBER not in page.content()

    page.goto("/me/verification/")
    expect(page.locator("main .panel .alert--success")).to_have_text(tr("Your identity is verified."))
    expect(page.locator("dl.facts dd")).to_have_text(["张伟", ID_NUMBER_MASKED])
    assert re.fullmatch(r"4401\*{10}\d{3}[\dX]", ID_NUMBER_MASKED)
    expect(page.locator("#id_id_number")).to_have_count(0)  # no form once verified
    assert ID_NUMBER not in page.content()

    for path in ("/me/profile/", "/me/invite/", "/me/qualification/", "/"):
        page.goto(path)
        assert ID_NUMBER not in page.content(), path


def test_wrong_code_shows_error_at_the_code_field_and_does_not_sign_in(page, sms_outbox):
    page.goto("/sign-in/")
    request_code(page, PHONE)
    code = sms_outbox.last_code_for(e164(PHONE))
    wrong_code = f"{(int(code) + 1) % 1_000_000:06d}"

    submit_code(page, wrong_code)

    expect(page).to_have_url(path_is("/sign-in/code/"))
    code_field = field_of(page, "id_code")
    expect(code_field).to_have_class(re.compile(r"\bfield--error\b"))
    expect(code_field.locator(".field__error")).to_have_text(
        tr("The code is wrong or has expired. Please request a new one.")
    )
    expect(page.locator(".field--error")).to_have_count(1)  # only the code field is blamed
    expect(page.locator('header form[action="/sign-out/"]')).to_have_count(0)
    expect(page.locator('header a[href="/sign-in/"]')).to_be_visible()
    page.goto("/me/")
    expect(page).to_have_url(path_is("/sign-in/?next=/me/"))

    # No dead end: while the code is usable, the phone page leads back to the code page.
    back_to_code = page.locator("#back-to-code")
    expect(back_to_code).to_have_text(tr("I already have a code for %(phone)s: enter it") % {"phone": "139****5678"})
    back_to_code.click()
    expect(page).to_have_url(path_is("/sign-in/code/"))

    # A code of the wrong length gets our own message and costs no try.
    submit_code(page, "12345")
    expect(field_of(page, "id_code").locator(".field__error")).to_have_text(
        tr("The sign-in code has 6 digits. Please check it and enter it again.")
    )

    # The wrong try did not use up the code: the right one still signs the new member up.
    submit_code(page, code)
    expect(page).to_have_url(path_is("/me/profile/"))
    expect(page.locator('header form[action="/sign-out/"]')).to_have_count(1)
    # One code was sent (the welcome SMS may follow it: it goes out at sign-up, outside quiet hours).
    codes = [message for message in sms_outbox.messages if re.search(r"\b\d{6}\b", message["body"])]
    assert len(codes) == 1


def test_resend_button_counts_down_right_after_the_code_is_sent(page, sms_outbox):
    page.goto("/sign-in/")
    request_code(page, PHONE)

    resend = page.locator("#resend-button")
    expect(resend).to_be_disabled()
    wait = int(resend.get_attribute("data-wait"))
    assert 55 <= wait <= 60
    first_text = resend.inner_text()
    first_seconds = int(re.search(r"\d+", first_text).group())
    assert 55 <= first_seconds <= 60
    assert first_text == tr("Send a new code in %(seconds)s s") % {"seconds": first_seconds}

    # A second later the countdown has moved on, and the button is still disabled.
    expect(resend).not_to_have_text(first_text, timeout=3_000)
    later_seconds = int(re.search(r"\d+", resend.inner_text()).group())
    assert first_seconds - 3 <= later_seconds < first_seconds
    expect(resend).to_be_disabled()
    assert len(sms_outbox.messages) == 1


def test_resend_button_sends_a_new_code_when_the_countdown_ends(page, sms_outbox, settings):
    settings.OTP_RESEND_SECONDS = 2
    page.goto("/sign-in/")
    request_code(page, PHONE)
    cooldown_ends = time.monotonic() + settings.OTP_RESEND_SECONDS
    first_code = sms_outbox.last_code_for(e164(PHONE))
    resend = page.locator("#resend-button")
    expect(resend).to_be_disabled()

    expect(resend).to_be_enabled(timeout=5_000)
    expect(resend).to_have_text(tr("Send a new code"))
    time.sleep(max(0.0, cooldown_ends - time.monotonic()) + 0.2)
    with page.expect_navigation():
        resend.click()

    expect(page).to_have_url(path_is("/sign-in/code/"))
    expect(page.locator(".messages")).to_have_count(0)
    assert [message["to"] for message in sms_outbox.messages] == [e164(PHONE), e164(PHONE)]
    new_code = sms_outbox.last_code_for(e164(PHONE))
    if new_code != first_code:
        # The new code replaces the old one.
        submit_code(page, first_code)
        expect(field_of(page, "id_code").locator(".field__error")).to_have_text(
            tr("The code is wrong or has expired. Please request a new one.")
        )
    submit_code(page, new_code)
    expect(page).to_have_url(path_is("/me/profile/"))


def test_resend_button_is_enabled_only_when_the_server_takes_a_resend(page, sms_outbox, settings):
    settings.OTP_RESEND_SECONDS = 2
    page.goto("/sign-in/")
    request_code(page, PHONE)
    resend = page.locator("#resend-button")

    expect(resend).to_be_enabled(timeout=5_000)
    with page.expect_navigation():
        resend.click()

    expect(page.locator(".messages")).to_have_count(0, timeout=1_000)
    assert len(sms_outbox.messages) == 2


def test_existing_member_signs_in_to_the_dashboard(page, sms_outbox):
    MemberFactory(user__phone=e164("13700137000"), name="李娜")

    sign_in(page, sms_outbox, "13700137000")

    expect(page).to_have_url(path_is("/me/"))
    expect(page.locator("main h1")).to_contain_text("李娜")
    expect(page.locator(".messages")).to_have_count(0)  # no welcome message for a returning member


def test_invite_link_prefills_the_code_and_the_inviter_sees_the_invitee(new_page, sms_outbox, live_server):
    inviter = new_page()
    sign_up(inviter, sms_outbox, "13800138000")
    inviter.goto("/me/invite/")
    invite_code = inviter.locator("#invite-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", invite_code)
    expect(inviter.locator("#invite-link")).to_have_value(f"{live_server.url}/sign-in/?invite={invite_code}")
    expect(inviter.locator("main table")).to_have_count(0)
    invite_link = inviter.locator("#invite-link").input_value()

    friend = new_page()
    friend.goto(invite_link)
    request_code(friend, PHONE)
    expect(friend.locator("#id_invite_code")).to_have_value(invite_code)
    submit_code(friend, sms_outbox.last_code_for(e164(PHONE)))
    expect(friend).to_have_url(path_is("/me/profile/"))

    inviter.reload()
    rows = inviter.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").nth(0)).to_have_text("139****5678")
    expect(rows.first.locator("td").nth(2)).to_have_text(tr("Registered"))
    assert PHONE not in inviter.content()


def test_sign_in_returns_to_the_page_that_asked_for_it(page, sms_outbox):
    MemberFactory(user__phone=e164("13700137000"))
    page.goto("/me/invite/")
    expect(page).to_have_url(path_is("/sign-in/?next=/me/invite/"))

    request_code(page, "13700137000")
    submit_code(page, sms_outbox.last_code_for(e164("13700137000")))

    expect(page).to_have_url(path_is("/me/invite/"), timeout=1_000)


def test_verified_member_updates_the_profile_and_keeps_the_birthday(page, sms_outbox):
    store = StoreFactory()
    sign_up(page, sms_outbox, PHONE)
    page.locator("#id_name").fill("张伟")
    page.locator("#id_gender").select_option("female")
    page.locator("#id_birthday").fill(ID_NUMBER_BIRTHDAY)
    page.locator("#id_city").fill("深圳")
    page.locator("#id_preferred_store").select_option(str(store.pk))
    main_form_with(page, "#id_name").locator("button[type=submit]").click()
    expect(page).to_have_url(path_is("/me/"))
    page.goto("/me/verification/")
    page.locator("#id_id_number").fill(ID_NUMBER)
    page.locator("#id_accept_sensitive_data").check()  # the separate consent for sensitive data
    main_form_with(page, "#id_id_number").locator("button[type=submit]").click()
    expect(page).to_have_url(path_is("/me/"))

    page.goto("/me/profile/")
    page.locator("#id_city").fill("广州")
    main_form_with(page, "#id_name").locator("button[type=submit]").click()

    expect(page).to_have_url(path_is("/me/"), timeout=1_000)
    expect_message(page, tr("Your profile is saved."))
    page.goto("/me/profile/")
    expect(page.locator("#id_city")).to_have_value("广州")
    expect(page.locator("#id_birthday")).to_have_value(ID_NUMBER_BIRTHDAY, timeout=1_000)
