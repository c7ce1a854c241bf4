"""Screenshots of the member center (phone size) and the back office, from a running demo, into docs/screenshots/.

    make demo                      # in one terminal (serves http://127.0.0.1:8000/)
    .venv/bin/python scripts/screenshots.py [--base-url URL] [--sms-file var/sms.jsonl] [--language en]

Members sign in with the demo's SMS code, read from the demo's SMS file; staff with the demo password. Uses
Playwright on the system Chromium (CHROMIUM env var to point elsewhere).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
STAFF_PASSWORD = "demo-pass-2026"  # noqa: S105  (the demo's, printed by seed_demo)
# (file name, demo phone, pages): members at the three stages of their road.
MEMBER_SHOTS = [
    ("getting-started", "13800000002", ["/me/", "/cars/"]),
    ("applying", "13800000013", ["/me/", "/me/orders/"]),
    ("owner", "13800000024", ["/me/", "/me/account/"]),
]


def last_code_for(sms_file: Path, phone: str) -> str:
    target = f"+86{phone}"
    for _attempt in range(50):
        if sms_file.exists():
            for line in reversed(sms_file.read_text(encoding="utf-8").splitlines()):
                message = json.loads(line)
                digits = "".join(ch for ch in message.get("body", "") if ch.isdigit())
                if message.get("to") == target and len(digits) >= 6:
                    return next(digits[i : i + 6] for i in range(len(digits) - 5))
        time.sleep(0.2)
    raise SystemExit(f"no sign-in code for {phone} in {sms_file}")


def _context(browser, *, base_url: str, language: str, screen: dict):
    context = browser.new_context(base_url=base_url, locale="zh-CN" if language == "zh-hans" else "en-US", **screen)
    host = base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    context.add_cookies([{"name": "django_language", "value": language, "domain": host, "path": "/"}])
    return context


def shoot_member(browser, *, base_url: str, language: str, sms_file: Path, name: str, phone: str, paths: list[str]):
    context = _context(browser, base_url=base_url, language=language, screen=PHONE)
    page = context.new_page()
    page.goto("/sign-in/")
    page.locator("#id_phone").fill(phone)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/sign-in/code/**")
    page.locator("#id_code").fill(last_code_for(sms_file, phone))
    if page.locator("#id_accept_terms").count():
        page.locator("#id_accept_terms").check()
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    for path in paths:
        page.goto(path)
        slug = path.strip("/").replace("/", "-") or "home"
        # What the phone's screen shows (a full-page picture would paint the fixed tab bar mid-page).
        page.screenshot(path=OUT / f"member-{name}-{slug}.png")
        if path == "/me/orders/" and page.locator("a.order-row").count():
            page.locator("a.order-row").first.click()
            page.locator("#timeline").scroll_into_view_if_needed()
            page.screenshot(path=OUT / f"member-{name}-timeline.png")
    context.close()


def shoot_back_office(browser, *, base_url: str, language: str) -> None:
    for username, viewport, suffix in (("reviewer", DESKTOP, "desktop"), ("store.sz", PHONE, "phone")):
        context = _context(browser, base_url=base_url, language=language, screen=viewport)
        page = context.new_page()
        page.goto("/backoffice/sign-in/")
        page.screenshot(path=OUT / f"backoffice-sign-in-{suffix}.png", full_page=True)
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(STAFF_PASSWORD)
        page.locator("#staff-sign-in button[type=submit]").click()
        page.wait_for_url("**/backoffice/")
        page.screenshot(path=OUT / f"backoffice-queue-{suffix}.png", full_page=True)
        page.goto("/backoffice/?view=mine")
        first = page.locator("#order-queue tbody a").first
        if first.count():
            first.click()
            page.wait_for_load_state()
            page.screenshot(path=OUT / f"backoffice-order-{suffix}.png", full_page=True)
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--sms-file", type=Path, default=ROOT / "var" / "sms.jsonl")
    # Chinese needs a CJK font on the machine that takes the pictures (e.g. fonts-noto-cjk); English shows the layout.
    parser.add_argument("--language", choices=["zh-hans", "en"], default="zh-hans")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), headless=True, args=CHROMIUM_ARGS
        )
        for name, phone, paths in MEMBER_SHOTS:
            shoot_member(
                browser, base_url=args.base_url, language=args.language, sms_file=args.sms_file, name=name,
                phone=phone, paths=paths,
            )  # fmt: skip
        shoot_back_office(browser, base_url=args.base_url, language=args.language)
        browser.close()
    sys.stdout.write(f"Screenshots written to {OUT.relative_to(ROOT)}/\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
