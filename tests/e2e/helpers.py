"""What a member does in the browser, in small steps the tests share.

Selectors are ids, names and URLs, never translated text: the Chinese catalogue may or may not be compiled. Where a
test checks a text, it asks Django for the translation (``tr``), so the check holds either way.
"""

import re

from django.utils.translation import gettext, override
from playwright.sync_api import Locator, Page, expect

from members.id_numbers import check_character

DEFAULT_LANGUAGE = "zh-hans"

# A demo-valid resident ID number: Guangzhou Yuexiu (440106), born 1990-03-07, sequence 128.
ID_NUMBER_FIRST_17 = "44010619900307128"
ID_NUMBER = ID_NUMBER_FIRST_17 + check_character(ID_NUMBER_FIRST_17)
ID_NUMBER_BIRTHDAY = "1990-03-07"
ID_NUMBER_MASKED = ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]


def tr(message: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The text the server shows for ``message`` in ``language``, compiled catalogue or not."""
    with override(language):
        return gettext(message)


def e164(national_phone: str) -> str:
    return f"+86{national_phone}"


def path_is(path: str) -> re.Pattern:
    """Match a page URL by its path (and query), whatever the live server's host and port."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}$")


def main_form_with(page: Page, field_selector: str) -> Locator:
    return page.locator("main form").filter(has=page.locator(field_selector))


def field_of(page: Page, input_id: str) -> Locator:
    """The ``.field`` wrapper of an input: its label, help and errors live there."""
    return page.locator(".field").filter(has=page.locator(f"#{input_id}"))


def checklist_item(page: Page, href: str) -> Locator:
    return page.locator("ol.checklist > li").filter(has=page.locator(f'a[href="{href}"]'))


def expect_message(page: Page, text: str, level: str = "success") -> None:
    """A flash message with exactly this text is shown (others may be shown beside it)."""
    expect(page.locator(f".messages .alert--{level}").get_by_text(text, exact=True)).to_have_count(1)


def request_code(page: Page, national_phone: str) -> None:
    """On the sign-in page: enter the phone number, ask for a code, arrive on the code page."""
    page.locator("#id_phone").fill(national_phone)
    main_form_with(page, "#id_phone").locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/sign-in/code/(\?.*)?$"))


def submit_code(page: Page, code: str, *, accept_terms: bool = True) -> None:
    page.locator("#id_code").fill(code)
    if accept_terms:
        page.locator("#id_accept_terms").check()
    main_form_with(page, "#id_code").locator("button[type=submit]").click()


def sign_in(page: Page, sms_outbox, national_phone: str, *, start: str = "/sign-in/") -> None:
    """Sign in (or up) the way a member does: phone, the code from the text message, done."""
    page.goto(start)
    request_code(page, national_phone)
    submit_code(page, sms_outbox.last_code_for(e164(national_phone)))
    expect(page.locator('header form[action="/sign-out/"]')).to_have_count(1)


def sign_up(page: Page, sms_outbox, national_phone: str) -> None:
    """A new member signs up and lands on their profile page."""
    sign_in(page, sms_outbox, national_phone)
    expect(page).to_have_url(path_is("/me/profile/"))


# Any PNG bytes pass the upload check (it reads the file's signature, not its name).
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def png_file(name: str = "photo.png") -> dict:
    """A file for Playwright's ``set_input_files``."""
    return {"name": name, "mimeType": "image/png", "buffer": PNG_BYTES}


def staff_sign_in(page: Page, username: str, password: str) -> None:
    """Staff sign in on the admin login page and land on the back-office queue."""
    page.goto("/admin/login/?next=/backoffice/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("input[type=submit]").click()
    expect(page).to_have_url(path_is("/backoffice/"))
