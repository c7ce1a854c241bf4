"""A report as an Excel workbook: the same columns and rows as the page, one sheet per table. Text that a
spreadsheet would run as a formula (starting with = + - @, or a tab / carriage return) is written with a leading
apostrophe, so a name like ``=HYPERLINK(…)`` entered by someone shows as text and never runs."""

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from crm.reports.framework import Column, Report, ReportResult, plain

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
INVALID_TITLE_CHARACTERS = set(":\\/?*[]")
NUMBER_FORMATS = {"money": "#,##0.00", "rate": "0.00%", "int": "0", "decimal": "0.0"}


def neutralise(value):
    """A cell value that cannot run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _write_table(sheet, columns: list[Column], rows: list[dict], total: dict | None) -> None:
    sheet.append([neutralise(str(column.label)) for column in columns])
    # A total that adds up the columns goes under them; a summary of other figures gets its own sheet.
    for row in [*rows, *([total] if total and total.keys() & {c.key for c in columns} else [])]:
        values = []
        for column in columns:
            value = plain(row.get(column.key))
            values.append(float(value) if isinstance(value, Decimal) and column.kind == "rate" else value)
        sheet.append([neutralise(value) for value in values])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(str(column.label)) * 2)
        if number_format := NUMBER_FORMATS.get(column.kind):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format


def sheet_title(title) -> str:
    """Excel refuses some characters in sheet names and more than 31 of them."""
    return "".join(" " if char in INVALID_TITLE_CHARACTERS else char for char in str(title))[:31]


def report_workbook(report: Report, result: ReportResult) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(report.title)
    _write_table(sheet, result.columns, result.rows, result.total)
    for title, columns, rows in result.sections:
        _write_table(workbook.create_sheet(sheet_title(title)), columns, rows, None)
    if result.total and not result.total.keys() & {c.key for c in result.columns}:
        summary = workbook.create_sheet(sheet_title(_("Summary")))
        for key, value in result.total.items():
            summary.append([key, neutralise(plain(value))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
