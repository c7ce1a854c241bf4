"""Complaints in the browser: a member tells us about a problem from the member center (with a photo, on a phone),
follows it, and once the store has closed it rates how it was handled, once."""

import re

import pytest
from django.utils.translation import override
from playwright.sync_api import expect

from crm.care.complaints import services
from crm.care.complaints.messages import MEMBER_STATUS_LABELS
from crm.care.complaints.models import Complaint, ComplaintRating
from tests.e2e.helpers import expect_message, path_is, sign_in, tr
from tests.orders.cast import PNG

pytestmark = pytest.mark.e2e

PHONE = "13912340011"
PHONE_SCREEN = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
                "has_touch": True}  # fmt: skip
# The store's road from "recorded" to "closed", each step by a role that may take it.
ROAD = [("record", "store_staff"), ("investigate", "store_staff"), ("propose_solution", "store_manager"),
        ("notify_member", "store_staff"), ("execute", "store_staff"), ("follow_up", "call_center"),
        ("close", "store_manager")]  # fmt: skip


def status_label(status: str) -> str:
    with override("zh-hans"):
        return str(MEMBER_STATUS_LABELS[status])


def test_a_member_files_a_complaint_and_rates_it_once_closed(new_page, cast, sms_outbox):
    cast.member_user.phone = f"+86{PHONE}"
    cast.member_user.save()
    page = new_page(**PHONE_SCREEN)
    sign_in(page, sms_outbox, PHONE)

    page.goto("/me/account/")
    page.locator("#my-complaints-link").click()
    expect(page).to_have_url(path_is("/me/complaints/"))
    page.locator("#new-complaint").click()
    expect(page).to_have_url(path_is("/me/complaints/new/"))
    form = page.locator("#complaint-form")
    form.locator("#id_category").select_option("service")
    form.locator("#id_description").fill("保养后车辆异响，回店两次仍未解决。")
    form.locator("#id_photos").set_input_files([{"name": "noise.png", "mimeType": "image/png", "buffer": PNG}])
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"^https?://[^/]+/me/complaints/\d+/$"))
    expect_message(page, tr("Thank you for telling us. We will take care of it and keep you informed."))
    complaint = Complaint.objects.get(member=cast.member)
    assert (complaint.filed_by, complaint.category, complaint.store) == ("member", "service", cast.store)
    assert complaint.photos.count() == 1
    expect(page.locator("#complaint-status")).to_have_text(status_label("received"))
    expect(page.locator("#rating-form")).to_have_count(0)  # nothing to rate before it is closed

    # The store handles it in the back office (here through the services it calls).
    for name, role in ROAD:
        services.apply_transition(complaint_id=complaint.pk, name=name, actor=getattr(cast, role), note="已处理")

    page.reload()
    expect(page.locator("#complaint-status")).to_have_text(status_label("closed"))
    rating = page.locator("#rating-form")
    rating.locator('input[name="score"][value="4"]').check()
    rating.locator("#id_comment").fill("处理及时，谢谢。")
    rating.locator("button[type=submit]").click()

    expect_message(page, tr("Thank you for your rating."))
    expect(page.locator("#complaint-rating")).to_be_visible()
    expect(page.locator("#rating-form")).to_have_count(0)  # once only
    saved = ComplaintRating.objects.get(complaint=complaint)
    assert (saved.score, saved.comment) == (4, "处理及时，谢谢。")

    page.goto("/me/complaints/")
    expect(page.locator(f'a[href="/me/complaints/{complaint.pk}/"]')).to_contain_text(status_label("closed"))
