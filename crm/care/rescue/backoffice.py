"""The back office's rescue pages: the open rescues first, one rescue with its steps as buttons. Thin views: who
sees what is ``crm.care.rescue.selectors``, every write ``crm.care.rescue.services``."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.backoffice import staff_required
from common.exceptions import DomainError
from crm.care.rescue import selectors, services
from crm.care.rescue.exceptions import RescueNotFound
from crm.care.rescue.forms import RescueStepForm

PAGE_SIZE = 25


@staff_required
def rescue_list(request):
    status = "open" if request.GET.get("status", "open") == "open" else ""
    page = Paginator(selectors.list_rescues_for_staff(user=request.user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "rescue/backoffice/list.html", {"page": page, "status": status})


@staff_required
def rescue_page(request, rescue_id: int):
    rescue = _get_or_404(request, rescue_id)
    context = {
        "rescue": rescue,
        "timeline": selectors.timeline(rescue=rescue),
        "transitions": selectors.available_transitions(rescue=rescue, user=request.user),
        "form": RescueStepForm(),
    }
    return render(request, "rescue/backoffice/rescue.html", context)


@require_POST
@staff_required
def rescue_step(request, rescue_id: int, name: str):
    _get_or_404(request, rescue_id)
    form = RescueStepForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        rescue = services.apply_rescue_transition(rescue_id=rescue_id, name=name, actor=request.user, note=note)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Rescue updated: %(status)s") % {"status": rescue.get_status_display()})
    return redirect("rescue-backoffice:rescue", rescue_id=rescue_id)


def _get_or_404(request, rescue_id: int):
    try:
        return selectors.get_rescue_for_staff(user=request.user, rescue_id=rescue_id)
    except RescueNotFound as error:
        raise Http404 from error
