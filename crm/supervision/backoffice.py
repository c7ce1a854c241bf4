"""The back office's supervision page: head office sees every store and drills down to a store's agents; a store
manager sees their store's agents; store staff their own figures."""

from django.http import Http404
from django.shortcuts import render

from common.backoffice import staff_required
from crm.reports.selectors import task_execution_covers_until
from crm.supervision import selectors
from crm.supervision.forms import PeriodForm, default_period
from members.selectors import sees_all_stores


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
    report = selectors.task_execution_report(
        user=request.user,
        date_from=date_from,
        date_to=date_to,
        store_id=store_id,
        covers_until=task_execution_covers_until(),
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
