"""Back-office screens for stores and head office: the complaint queue by SLA, a complaint with the steps this person
may take now, pausing the clock, and a store filing a complaint for a member at the counter. Scoped in selectors."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from crm.care.complaints import selectors, services
from crm.care.complaints.enums import ComplaintStatus, FiledBy, SlaStatus
from crm.care.complaints.forms import StepForm, StoreComplaintForm
from members.selectors import members_visible_to
from orders.backoffice import staff_required


@staff_required
def complaint_queue(request):
    status = request.GET.get("status", "")
    status = status if status in ComplaintStatus.values else ""
    sla = request.GET.get("sla", "")
    sla = sla if sla in SlaStatus.values else ""
    search = request.GET.get("q", "").strip()[:50]
    complaints = selectors.list_staff_complaints(user=request.user, status=status, sla=sla, search=search)
    context = {
        "page": Paginator(complaints, 25).get_page(request.GET.get("page")), "status": status, "sla": sla,
        "search": search, "sla_counts": selectors.count_by_sla(user=request.user), "sla_choices": SlaStatus.choices,
    }  # fmt: skip
    return render(request, "complaints/backoffice/queue.html", context)


def _get_or_404(request, complaint_id: int):
    try:
        return selectors.get_complaint_for(user=request.user, complaint_id=complaint_id)
    except DomainError as error:
        raise Http404 from error


@staff_required
def complaint_page(request, complaint_id: int):
    complaint = _get_or_404(request, complaint_id)
    context = {
        "complaint": complaint,
        "transitions": selectors.available_transitions_for(complaint=complaint, user=request.user),
        "severities": complaint._meta.get_field("severity").choices,
    }
    return render(request, "complaints/backoffice/complaint.html", context)


@require_POST
@staff_required
def take_step(request, complaint_id: int, name: str):
    complaint = _get_or_404(request, complaint_id)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Some fields are not valid. Please check them and try again."))
        return redirect("complaints-backoffice:complaint", complaint_id=complaint.pk)
    try:
        result = services.apply_transition(
            complaint_id=complaint.pk, name=name, actor=request.user,
            visible_ids=selectors.complaints_visible_to(user=request.user).values("pk"), **form.cleaned_data,
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("complaints-backoffice:complaint", complaint_id=complaint.pk)
    if result.pk != complaint.pk:
        messages.success(request, _("Reopened as the new complaint %(number)s.") % {"number": result.number})
    else:
        messages.success(request, _("Done."))
    return redirect("complaints-backoffice:complaint", complaint_id=result.pk)


@require_POST
@staff_required
def clock(request, complaint_id: int, action: str):
    complaint = _get_or_404(request, complaint_id)
    visible_ids = selectors.complaints_visible_to(user=request.user).values("pk")
    try:
        if action == "pause":
            services.pause_clock(complaint_id=complaint.pk, actor=request.user,
                                 reason=request.POST.get("reason", "")[:200], visible_ids=visible_ids)  # fmt: skip
        else:
            services.resume_clock(complaint_id=complaint.pk, actor=request.user, visible_ids=visible_ids)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Done."))
    return redirect("complaints-backoffice:complaint", complaint_id=complaint.pk)


@staff_required
def file_for_member(request):
    """A store (or head office) records a complaint made in person or by phone, for a member it can see."""
    form = StoreComplaintForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        phone = "".join(character for character in data["phone"] if character.isdigit() or character == "+")
        member = members_visible_to(user=request.user).filter(user__phone__endswith=phone[-11:]).first()
        if member is None:
            form.add_error("phone", _("No member with this phone in your store."))
        else:
            try:
                complaint = services.file_complaint(
                    member=member, category=data["category"], description=data["description"],
                    severity=data["severity"], filed_by=FiledBy.STORE if request.user.store_id else FiledBy.AGENT,
                    actor=request.user, store=request.user.store, photos=data["photos"],
                )  # fmt: skip
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                return redirect("complaints-backoffice:complaint", complaint_id=complaint.pk)
    return render(request, "complaints/backoffice/new.html", {"form": form})
