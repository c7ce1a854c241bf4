"""Identity verification in the browser when the check does not pass: the member is told why, nothing is saved."""

import re

import pytest
from playwright.sync_api import expect

from members.id_numbers import check_character
from tests.e2e.helpers import (
    ID_NUMBER_FIRST_17,
    checklist_item,
    field_of,
    main_form_with,
    path_is,
    sign_up,
    tr,
)

pytestmark = pytest.mark.e2e

PHONE = "13912345678"


def _verification_still_to_do(page) -> None:
    page.goto("/me/")
    item = checklist_item(page, "/me/verification/")
    expect(item).not_to_have_class("is-done")
    expect(item.locator(".badge")).to_have_text(tr("To do"))


def test_wrong_check_digit_shows_error_at_the_id_field_and_changes_nothing(page, sms_outbox):
    right = check_character(ID_NUMBER_FIRST_17)
    bad_id_number = ID_NUMBER_FIRST_17 + ("1" if right != "1" else "2")
    sign_up(page, sms_outbox, PHONE)

    page.goto("/me/verification/")
    page.locator("#id_real_name").fill("张伟")
    page.locator("#id_id_number").fill(bad_id_number)
    page.locator("#id_accept_sensitive_data").check()  # the separate consent for sensitive data
    main_form_with(page, "#id_id_number").locator("button[type=submit]").click()

    expect(page).to_have_url(path_is("/me/verification/"))
    id_field = field_of(page, "id_id_number")
    expect(id_field).to_have_class(re.compile(r"\bfield--error\b"))
    expect(id_field.locator(".field__error")).to_have_text(
        tr("This ID number is not valid: its last character does not match. Please check it.")
    )
    expect(page.locator(".field--error")).to_have_count(1)
    expect(page.locator("main .alert")).to_have_count(0)
    expect(page.locator("#id_real_name")).to_have_value("张伟")  # what the member typed is kept
    expect(page.locator("dl.facts")).to_have_count(0)

    # Nothing was recorded: the form is offered again with no "last check failed" warning, and the checklist waits.
    page.goto("/me/verification/")
    expect(page.locator("#id_id_number")).to_have_value("")
    expect(page.locator("main .alert")).to_have_count(0)
    _verification_still_to_do(page)


def test_identity_provider_mismatch_shows_a_form_error_and_a_warning_next_time(page, sms_outbox):
    # The local provider reports a name mismatch for sequence digits 000.
    first_17 = ID_NUMBER_FIRST_17[:14] + "000"
    rejected_id_number = first_17 + check_character(first_17)
    sign_up(page, sms_outbox, PHONE)

    page.goto("/me/verification/")
    page.locator("#id_real_name").fill("张伟")
    page.locator("#id_id_number").fill(rejected_id_number)
    page.locator("#id_accept_sensitive_data").check()  # the separate consent for sensitive data
    main_form_with(page, "#id_id_number").locator("button[type=submit]").click()

    expect(page).to_have_url(path_is("/me/verification/"))
    expect(page.locator("main form .alert--error")).to_have_text(
        tr("The name and ID number do not belong together. Please check both and try again.")
    )
    expect(page.locator(".field--error")).to_have_count(0)

    page.goto("/me/verification/")
    expect(page.locator("main .alert--warning")).to_have_text(
        tr("The last check did not pass. Please check your name and ID number.")
    )
    expect(page.locator("#id_id_number")).to_be_visible()
    _verification_still_to_do(page)
