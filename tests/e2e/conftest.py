"""Browser tests: Playwright drives the system Chromium against pytest-django's live server.

One browser for all the browser tests, a fresh context (cookies, storage) per test. The live server runs in a thread
of this process, so the ``settings`` fixture reaches it, and ``sms_outbox`` (tests/conftest.py) reads the codes it
texts.
"""

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM_EXECUTABLE = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Our members browse in Chinese: the browser asks for zh-CN, as theirs do (Accept-Language picks the language).
DEFAULT_LOCALE = "zh-CN"
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="package")
def browser() -> Browser:
    """One Chromium for the e2e package, the slow part, shared by its tests.

    Playwright's sync API keeps an event loop marked as running in this thread while it is started, and Django's
    ORM refuses to run next to one unless DJANGO_ALLOW_ASYNC_UNSAFE is set. Both last only while the browser tests
    run (package scope, not session): set for the whole session, the variable would leak into the other tests and
    the subprocesses they start (``manage.py check --deploy`` warns about it), and the loop into their ORM calls.
    """
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM_EXECUTABLE, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a new, isolated browser context (its own cookies): one per person in the test."""
    contexts = []

    def open_page(**context_options) -> Page:
        context_options.setdefault("locale", DEFAULT_LOCALE)
        context = browser.new_context(base_url=live_server.url, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()
