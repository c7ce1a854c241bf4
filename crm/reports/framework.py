"""What every report is made of, so that a page, its chart, its Excel file and its API answer all show the same
numbers: a ``Report`` names its filters (a form) and one selector; the selector returns a ``ReportResult`` (columns,
rows, total, chart). The back office, the Excel export and the API are generic over it.

Adding a report: write its selector (in ``selectors.py``, scoped with ``visible_store_ids``, reading inside
``reading_from_replica()``), describe it with a ``Report`` in ``catalog.py`` and ``register`` it. Its page
(``/backoffice/reports/<slug>/``), its Excel file (``?format=xlsx``) and its API answer
(``/api/v1/backoffice/reports/<slug>/``) follow.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

RATE_PLACES = Decimal("0.0001")
MONEY_PLACES = Decimal("0.01")


def rate(part, whole) -> Decimal | None:
    """part ÷ whole to four places; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, ROUND_HALF_UP)


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(MONEY_PLACES, ROUND_HALF_UP)


# What a report page says about its figures' freshness.
LIVE = _("Live: as of now.")
AGGREGATED = _("As of last night's refresh, plus what came in since (read live).")


@dataclass(frozen=True)
class Column:
    """One column of the table (and of the Excel sheet). ``kind``: text, int, money, rate (a fraction,
    shown as a percentage), decimal (a figure with one place: minutes, hours, a score) or date."""

    key: str
    label: str | Promise
    kind: str = "int"


@dataclass
class Chart:
    """What Chart.js draws: ``kind`` is a Chart.js type (bar, line…), one dataset per series."""

    kind: str
    labels: list[str]
    datasets: list[dict[str, Any]]

    def as_config(self) -> dict[str, Any]:
        return {
            "type": self.kind,
            "data": {"labels": [str(label) for label in self.labels], "datasets": self.datasets},
            "options": {"responsive": True, "animation": False},
        }


@dataclass
class ReportResult:
    columns: list[Column]
    rows: list[dict[str, Any]]
    total: dict[str, Any] | None = None
    chart: Chart | None = None
    # Report-specific parts of the API answer (e.g. the funnel's ``steps``), next to the generic ones.
    extra: dict[str, Any] = field(default_factory=dict)
    # Further tables shown under the main one (title, columns, rows), e.g. the funnel's drop-out reasons.
    sections: list[tuple[str | Promise, list[Column], list[dict[str, Any]]]] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    slug: str
    title: str | Promise
    description: str | Promise
    form_class: type[forms.Form]
    # selector(user=..., **form.cleaned_data) -> ReportResult
    run: Callable[..., ReportResult]
    # Builds the API answer from the result; the default gives filters, columns, rows and total.
    api_answer: Callable[[ReportResult, dict], dict] | None = None
    # Who may open it: by default staff who see at least one store (head office all, store staff their own).
    template_name: str = "reports/report.html"
    # How fresh its figures are (live, or as of the nightly refresh), said on its page under the description.
    freshness: str | Promise = ""


REPORTS: dict[str, Report] = {}


def register(report: Report) -> Report:
    if report.slug in REPORTS:
        raise ValueError(f"report {report.slug!r} registered twice")
    REPORTS[report.slug] = report
    return report


def plain(value):
    """A value as JSON and Excel take it: dates as ISO strings, Decimals kept (DRF renders them as strings)."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    return value


def as_json(value):
    """Money and rates as strings in the API, as DRF's DecimalField gives them (exact, never a float)."""
    value = plain(value)
    return str(value) if isinstance(value, Decimal) else value


def default_api_answer(result: ReportResult, filters: dict) -> dict:
    answer = {
        "filters": {name: as_json(value) for name, value in filters.items() if value not in (None, "")},
        "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in result.columns],
        "rows": [{key: as_json(value) for key, value in row.items()} for row in result.rows],
        "total": {key: as_json(value) for key, value in result.total.items()} if result.total else None,
    }
    answer.update(result.extra)
    return answer
