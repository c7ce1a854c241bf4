"""A member books a service from a maintenance reminder; store staff confirm the booking in the back office."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import Appointment
from crm.services import run_reminders
from members.services import ensure_role_groups
from tests.e2e.helpers import e164, expect_message, path_is, sign_in, staff_sign_in, tr
from tests.members.factories import STAFF_PASSWORD, MemberFactory, StaffFactory, StoreFactory
from tests.vehicles.factories import OwnedVehicleFactory

pytestmark = pytest.mark.e2e

PHONE = "13800138005"


def test_member_books_a_service_from_a_reminder_and_the_store_confirms_it(page, new_page, sms_outbox):
    store = StoreFactory(name="深圳南山店", opening_hours="09:00-18:00")
    member = MemberFactory(user__phone=e164(PHONE), name="王经理", preferred_store=store)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    car = OwnedVehicleFactory(member=member, plate="粤B·16888", next_service_on=yesterday + datetime.timedelta(days=7))
    run_reminders(day=yesterday)  # the morning run sent the 7-day maintenance reminder

    sign_in(page, sms_outbox, PHONE)
    page.goto("/me/messages/")
    page.locator("#messages a").filter(has_text=tr("Maintenance reminder")).click()
    page.get_by_role("link", name=tr("Open")).click()
    expect(page).to_have_url(re.compile(r"/me/appointments/new/\?kind=maintenance$"))
    expect(page.locator("#id_kind")).to_have_value("maintenance")
    expect(page.locator("#id_vehicle")).to_have_value(str(car.pk))
    expect(page.locator("#id_store")).to_have_value(str(store.pk))

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.locator("#id_date").fill(tomorrow.isoformat())
    page.locator("#show-slots").click()
    page.locator('input[data-slot="10:00"]').check()
    page.locator("#id_note").fill("顺便检查空调")
    page.locator("#confirm-booking").click()

    expect(page).to_have_url(path_is("/me/appointments/"))
    expect_message(page, tr("Your booking is made. The store will confirm it soon."))
    appointment = Appointment.objects.get(vehicle=car)
    row = page.locator(f'[data-appointment="{appointment.pk}"]')
    expect(row).to_contain_text("10:00")
    expect(row).to_contain_text("粤B·16888")
    expect(row.locator("[data-status]")).to_have_text(tr("Booked"))

    # The store's staff see it in the back office and confirm it; the member's list shows that.
    staff = StaffFactory(username="nanshan-clerk", role="store_staff", store=store)
    staff.groups.set([ensure_role_groups()["store_staff"]])
    staff_page = new_page()
    staff_sign_in(staff_page, "nanshan-clerk", STAFF_PASSWORD)
    staff_page.locator("#appointments-link").click()
    staff_page.locator('input[name="date"]').fill(tomorrow.isoformat())
    staff_page.get_by_role("button", name=tr("Show")).click()
    staff_row = staff_page.locator(f'[data-appointment="{appointment.pk}"]')
    expect(staff_row).to_contain_text("顺便检查空调")
    staff_row.locator('[data-action="confirm"]').click()
    expect(staff_page.locator(f'[data-appointment="{appointment.pk}"] [data-status]')).to_have_text(tr("Confirmed"))

    page.reload()
    expect(row.locator("[data-status]")).to_have_text(tr("Confirmed"))
