"""Head office opens the acquisition funnel in the back office: the chart is drawn, a channel is picked, and the
Excel file downloaded says what the page says."""

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.crm.reports.conftest import NOVEMBER, funnel_world  # noqa: F401  (the fixture)
from tests.e2e.helpers import staff_sign_in
from tests.members.factories import STAFF_PASSWORD

pytestmark = pytest.mark.e2e


def test_head_office_reads_the_funnel_filters_by_channel_and_exports_it(new_page, funnel_world):  # noqa: F811
    page = new_page()
    staff_sign_in(page, funnel_world.head_office.username, STAFF_PASSWORD)
    page.locator("#reports-link").click()
    page.locator("[data-report=funnel]").click()
    page.locator("#report-filters input[name=from]").fill(NOVEMBER["from"])
    page.locator("#report-filters input[name=to]").fill(NOVEMBER["to"])
    page.locator("#report-filters button[type=submit]").click()

    expect(page.locator("#report-chart")).to_have_attribute("data-ready", "true")
    first_row = page.locator("#report-table tbody tr").first
    expect(first_row.locator("td").nth(1)).to_have_text("5")

    page.locator("#report-filters select[name=channel]").select_option("call_center")
    page.locator("#report-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"channel=call_center"))
    expect(first_row.locator("td").nth(1)).to_have_text("2")
    expect(page.locator("#report-chart")).to_have_attribute("data-ready", "true")
    shown = [row.locator("td").nth(1).inner_text() for row in page.locator("#report-table tbody tr").all()]

    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).worksheets[0]
    rows = list(sheet.values)
    assert [str(row[1]) for row in rows[1:]] == shown == ["2", "1", "1", "1", "1", "0", "0"]
