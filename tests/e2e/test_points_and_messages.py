"""Points, rewards and coupons; the inbox and notification settings: a signed-in member's pages in the browser."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.services import ensure_role_groups
from notifications.services import queue_notification
from points.services import adjust_points
from tests.e2e.helpers import e164, expect_message, path_is, sign_in, tr
from tests.members.factories import MemberFactory, StaffFactory
from tests.points.factories import RewardFactory

pytestmark = pytest.mark.e2e

PHONE = "13800138002"


@pytest.fixture
def member(db):
    return MemberFactory(user__phone=e164(PHONE), name="李娜", city="深圳")


def _give_points(member, points: int, reason: str) -> None:
    head_office = StaffFactory(username="hq", role="head_office")
    head_office.groups.set([ensure_role_groups()["head_office"]])
    adjust_points(member_id=member.pk, points=points, reason=reason, actor=head_office)


def _expect_history_row(row, *, date: str, reason: str, kind: str, points: str, balance: str) -> None:
    """One row of the points history: date, the reason with the kind below it, signed points, balance after."""
    cells = row.locator("td")
    expect(cells).to_have_count(4)
    expect(cells.nth(0)).to_have_text(date)
    expect(cells.nth(1).locator(".muted")).to_have_text(kind)
    expect(cells.nth(1)).to_have_text(f"{reason}{kind}")
    expect(cells.nth(2)).to_have_text(points)
    expect(cells.nth(2)).to_have_class("plus" if points.startswith("+") else "minus")
    expect(cells.nth(3)).to_have_text(balance)


def test_member_redeems_a_reward_and_sees_the_coupon(page, sms_outbox, member):
    _give_points(member, 1500, "开业活动补发")
    coupon_reward = RewardFactory(name="月供抵扣券 100元", cost_points=1000, face_value="100.00", valid_days=90)
    too_dear = RewardFactory(name="保养套餐", kind="service_coupon", cost_points=2000, face_value="300.00")
    sign_in(page, sms_outbox, PHONE)

    page.goto("/me/rewards/")
    expect(page.locator("#points-balance")).to_have_text("1500")
    expect(page.locator(f'[data-reward="{too_dear.pk}"]')).to_have_class(re.compile(r"\bis-unavailable\b"))
    expect(page.locator(f'[data-reward="{too_dear.pk}"] details')).to_have_count(0)
    card = page.locator(f'[data-reward="{coupon_reward.pk}"]')
    expect(card).not_to_have_class(re.compile(r"\bis-unavailable\b"))
    confirm = card.locator("details form button[type=submit]")
    expect(confirm).to_be_hidden()  # one click does not spend points: the member confirms first

    card.locator("details > summary").click()
    expect(card.locator("details form p")).to_have_text(
        tr("Use %(cost)s points for %(name)s?") % {"cost": 1000, "name": coupon_reward.name}
    )
    confirm.click()

    expect(page).to_have_url(path_is("/me/coupons/"))
    expect(page.locator("header #unread-badge")).to_have_text("1")  # a message tells the member too
    coupons = page.locator("article.coupon")
    expect(coupons).to_have_count(1)
    code = coupons.first.get_attribute("data-code")
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{12}", code)
    expect_message(page, tr("Redeemed! Your coupon %(code)s is in My coupons.") % {"code": code})
    expect(coupons.first).to_have_class(re.compile(r"\bcoupon--active\b"))
    expect(coupons.first.locator("h2")).to_have_text(coupon_reward.name)
    expect(coupons.first.locator(".coupon__code")).to_have_text(code)
    expect(coupons.first.locator(".badge")).to_have_text(tr("Active"))
    valid_until = timezone.localdate() + datetime.timedelta(days=90)
    expect(coupons.first.locator(".muted")).to_have_text(tr("Valid until %(date)s") % {"date": valid_until.isoformat()})

    page.goto("/me/points/")
    expect(page.locator("#points-balance")).to_have_text("500")
    rows = page.locator("#points-history tbody tr")
    expect(rows).to_have_count(2)
    today = timezone.localdate().isoformat()
    # Newest first: the redemption, then the staff adjustment that gave the points.
    _expect_history_row(
        rows.nth(0), date=today, reason=coupon_reward.name, kind=tr("Redeemed"), points="-1000", balance="500"
    )
    _expect_history_row(
        rows.nth(1), date=today, reason="开业活动补发", kind=tr("Adjusted by staff"), points="+1500", balance="1500"
    )

    # Back on the rewards page the balance is lower and the same reward is now out of reach.
    page.goto("/me/rewards/")
    expect(page.locator("#points-balance")).to_have_text("500")
    expect(card).to_have_class(re.compile(r"\bis-unavailable\b"))


def test_member_sees_new_message_badge_opens_it_and_switches_marketing_sms_off(page, sms_outbox, member):
    queue_notification(
        recipient_id=member.user_id,
        event="test",
        subject="您的保养提醒",
        body="您的爱车即将到达保养里程，请预约到店保养。",
        dedupe_key="e2e:maintenance-reminder",
    )
    sign_in(page, sms_outbox, PHONE)

    page.goto("/me/")
    badge = page.locator("header #unread-badge")
    expect(badge).to_have_text("1")

    page.locator("header #inbox-link").click()
    expect(page).to_have_url(path_is("/me/messages/"))
    items = page.locator("#messages > li")
    expect(items).to_have_count(1)
    expect(items.first).to_have_class(re.compile(r"\bis-unread\b"))
    expect(items.first).to_contain_text("您的爱车即将到达保养里程")

    items.first.get_by_role("link", name="您的保养提醒").click()
    expect(page).to_have_url(re.compile(r"/me/messages/\d+/$"))
    expect(page.locator("main h1")).to_have_text("您的保养提醒")
    expect(page.locator("#message-body")).to_have_text("您的爱车即将到达保养里程，请预约到店保养。")
    expect(page.locator("#unread-badge")).to_have_count(0)
    expect(page.locator("header #inbox-link")).to_have_text(tr("Messages"))

    page.goto("/me/messages/")
    expect(items).to_have_count(1)
    expect(items.first).not_to_have_class(re.compile(r"\bis-unread\b"))
    expect(page.locator("#unread-badge")).to_have_count(0)

    page.get_by_role("link", name=tr("Notification settings")).click()
    expect(page).to_have_url(path_is("/me/notifications/"))
    marketing_sms = page.locator('input[name="marketing:sms"]')
    expect(marketing_sms).to_be_checked()  # everything is on until the member says otherwise
    marketing_sms.uncheck()
    page.locator("#preferences-form button[type=submit]").click()

    expect(page).to_have_url(path_is("/me/notifications/"))
    expect_message(page, tr("Your notification settings are saved."))
    page.reload()
    expect(page.locator(".messages")).to_have_count(0)
    expect(marketing_sms).not_to_be_checked()
    for name in ("marketing:email", "service:sms", "service:email"):
        expect(page.locator(f'input[name="{name}"]')).to_be_checked()
        expect(page.locator(f'input[name="{name}"]')).to_be_enabled()
    for name in ("transactional:sms", "transactional:email"):
        expect(page.locator(f'input[name="{name}"]')).to_be_checked()
        expect(page.locator(f'input[name="{name}"]')).to_be_disabled()
