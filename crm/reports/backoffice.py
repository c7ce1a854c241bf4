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
