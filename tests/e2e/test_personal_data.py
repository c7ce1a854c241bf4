"""Consent at sign-up and the member's own data, in a real browser."""

import json

import pytest
from playwright.sync_api import expect

from members.models import Consent, Member
from tests.e2e.helpers import (
    ID_NUMBER,
    ID_NUMBER_MASKED,
    e164,
    expect_message,
    field_of,
    main_form_with,
    path_is,
    request_code,
    submit_code,
    tr,
)

pytestmark = pytest.mark.e2e

PHONE = "13912345678"


def test_sign_up_asks_the_agreement_and_my_data_shows_downloads_withdraws_and_closes(page, sms_outbox):
    page.goto("/sign-in/")
    request_code(page, PHONE)
    code = sms_outbox.last_code_for(e164(PHONE))

    # Without ticking the agreement, no account is created and the box is blamed.
    submit_code(page, code, accept_terms=False)
    expect(page).to_have_url(path_is("/sign-in/code/"))
    expect(field_of(page, "id_accept_terms").locator(".field__error")).to_have_text(
        tr("Please read and agree to the User Agreement and the Privacy Policy to create your account.")
    )
    assert not Member.objects.exists()
    expect(page.locator('label[for="id_accept_terms"] a[href="/policies/privacy_policy/"]')).to_have_count(1)

    submit_code(page, code)
    expect(page).to_have_url(path_is("/me/profile/"))
    assert sorted(Consent.objects.values_list("kind", flat=True)) == ["privacy_policy", "user_agreement"]

    # Verification asks the separate consent for sensitive data.
    page.goto("/me/verification/")
    expect(
        page.locator('label[for="id_accept_sensitive_data"] a[href="/policies/sensitive_personal_info/"]')
    ).to_be_visible()
    page.locator("#id_real_name").fill("张伟")
    page.locator("#id_id_number").fill(ID_NUMBER)
    page.locator("#id_accept_sensitive_data").check()
    main_form_with(page, "#id_id_number").locator("button[type=submit]").click()
    expect(page).to_have_url(path_is("/me/"))

    page.locator('#tabbar a[data-tab="me"]').click()
    page.locator('.entry-list a[href="/me/data/"]').click()
    expect(page).to_have_url(path_is("/me/data/"))
    expect(page.locator("#my-data-id-number")).to_have_text(ID_NUMBER_MASKED)
    assert ID_NUMBER not in page.content()
    expect(page.locator("#my-consents tbody tr")).to_have_count(3)

    with page.expect_download() as download_info:
        page.locator("#download-my-data").click()
    download = download_info.value
    assert download.suggested_filename == "my-data.json"
    data = json.loads(open(download.path(), encoding="utf-8").read())  # noqa: PTH123, SIM115
    assert data["profile"]["phone"] == e164(PHONE)
    assert data["identity"]["id_number"] == ID_NUMBER_MASKED
    assert sorted(row["kind"] for row in data["consents"]) == [
        "privacy_policy", "sensitive_personal_info", "user_agreement",
    ]  # fmt: skip

    # Withdrawing the sensitive-data consent: the verification stays.
    withdraw = page.locator('#my-consents tr[data-kind="sensitive_personal_info"] button.withdraw-consent')
    withdraw.click()
    expect(page).to_have_url(path_is("/me/data/"))
    expect_message(
        page,
        tr(
            "Consent withdrawn. What you already verified stays; we take no new ID number, income or bank details "
            "until you agree again."
        ),
    )
    expect(page.locator('#my-consents tr[data-kind="sensitive_personal_info"] button.withdraw-consent')).to_have_count(
        0
    )
    expect(page.locator("#my-data-id-number")).to_have_text(ID_NUMBER_MASKED)

    # Closing the account: a confirmation that says what is kept, then signed out.
    page.locator("#close-account-link").click()
    expect(page).to_have_url(path_is("/me/close/"))
    expect(page.locator("#closing-keeps li")).to_have_count(2)
    page.locator("#id_confirm").check()
    page.locator("#close-account-button").click()
    expect(page).to_have_url(path_is("/"))
    expect(page.locator('header a[href="/sign-in/"]')).to_be_visible()
    member = Member.objects.get()
    assert member.closed_at is not None
    assert member.user.phone is None
