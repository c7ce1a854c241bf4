"""The reports in the back office: an index, and one page per report with its filters, chart, table and an Excel
download (``?format=xlsx``) of exactly what the page shows (all rows for the lists the page shortens)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.backoffice import staff_required
from common.exceptions import DomainError
from crm.reports import catalog, selectors, services
from crm.reports.excel import report_workbook
from crm.reports.forms import NotReturnedFilterForm
from crm.reports.framework import REPORTS
from crm.supervision import selectors as supervision_selectors
from crm.supervision.forms import PeriodForm, default_period
from members.selectors import sees_all_stores

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@staff_required
def report_index(request):
    return render(request, "reports/index.html", {"reports": REPORTS.values()})


@staff_required
def report_page(request, slug: str):
    report = REPORTS.get(slug)
    if report is None:
        raise Http404()
    form = report.form_class(request.GET)
    valid = form.is_valid()
    if not valid:
        form = report.form_class({})
        form.is_valid()
    filters = dict(form.cleaned_data)
    as_excel = request.GET.get("format") == "xlsx"
    if as_excel and report is catalog.NOT_RETURNED:
        filters["limit"] = None  # the file has every car; the page the longest-absent ones
    try:
        result = report.run(user=request.user, **filters)
    except DomainError as error:
        return render(request, "reports/refused.html", {"report": report, "message": error.message}, status=403)
    if as_excel and valid:
        response = HttpResponse(report_workbook(report, result), content_type=XLSX)
        name = f"{report.slug}-{timezone.localdate().isoformat()}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {
        "report": report,
        "form": form,
        "bound_form": report.form_class(request.GET),
        "query": form.query_values(),
        "result": result,
        "chart": result.chart.as_config() if result.chart else None,
        "stores": selectors.store_choices(user=request.user),
    }
    return render(request, report.template_name, context, status=200 if valid else 400)


@require_POST
@staff_required
def create_recall_tasks(request):
    form = NotReturnedFilterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose 6 or 12 months."))
        return redirect("reports:report", slug=catalog.NOT_RETURNED.slug)
    try:
        created = services.open_recall_tasks(
            actor=request.user, months=form.cleaned_data["months"], store=form.cleaned_data["store"]
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("%(count)d recall tasks opened.") % {"count": created})
    page = reverse("reports:report", args=[catalog.NOT_RETURNED.slug])
    return redirect(f"{page}?{urlencode(form.query_values())}")


# The supervision page (head office drills down from stores to a store's agents; a store manager sees their store's
# agents; store staff their own figures). It lives with the reports because it reads their nightly aggregate.
@staff_required
def task_execution_page(request):
    period = PeriodForm(request.GET)
    valid = period.is_valid()
    if valid:
        date_from, date_to = period.cleaned_data["date_from"], period.cleaned_data["date_to"]
    else:
        date_from, date_to = default_period()
    all_stores = sees_all_stores(user=request.user)
    store_param = request.GET.get("store", "")
    if store_param and not (all_stores and store_param.isdigit()):
        raise Http404()
    store_id = int(store_param) if store_param else None
    report = supervision_selectors.task_execution_report(
        user=request.user,
        date_from=date_from,
        date_to=date_to,
        store_id=store_id,
        covers_until=selectors.task_execution_covers_until(),
    )
    context = {
        "period": period,
        "report": report,
        "date_from": date_from,
        "date_to": date_to,
        # Head office without a chosen store sees one row per store; everyone else the agents of their scope.
        "by_store": all_stores and store_id is None,
        "drilled_down": store_id is not None,
    }
    return render(request, "supervision/task_execution.html", context, status=200 if valid else 400)
