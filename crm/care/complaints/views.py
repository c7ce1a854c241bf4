"""Member-center pages: my complaints, file one (with photos), follow it, rate it once closed. As thin as the API."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from common.exceptions import DomainError
from crm.care.complaints import selectors, services
from crm.care.complaints.enums import FiledBy
from crm.care.complaints.forms import ComplaintForm, RatingForm
from members.views import member_required
from orders.selectors import list_member_orders


def _subjects(request):
    from vehicles.models import OwnedVehicle

    return {
        "orders": list(list_member_orders(user=request.user)[:20]),
        "vehicles": list(OwnedVehicle.objects.filter(member__user=request.user).order_by("plate")[:20]),
    }


@member_required
def complaint_list(request):
    complaints = selectors.list_member_complaints(user=request.user)
    rows = [(complaint, selectors.member_status_label(complaint)) for complaint in complaints]
    return render(request, "complaints/list.html", {"rows": rows})


@member_required
def complaint_new(request):
    form = ComplaintForm(request.POST or None, request.FILES or None, **_subjects(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.file_complaint(
                member=request.user.member, category=data["category"], description=data["description"],
                filed_by=FiledBy.MEMBER, actor=request.user, order_id=data["order"], vehicle_id=data["vehicle"],
                photos=data["photos"],
            )  # fmt: skip
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("Thank you for telling us. We will take care of it and keep you informed."))
            return redirect("complaints:detail", complaint_id=complaint.pk)
    return render(request, "complaints/new.html", {"form": form})


@member_required
def complaint_detail(request, complaint_id: int):
    try:
        complaint = selectors.get_complaint_for(user=request.user, complaint_id=complaint_id)
    except DomainError as error:
        raise Http404 from error
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rate_complaint(
                complaint_id=complaint.pk, member=request.user.member, score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )  # fmt: skip
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Thank you for your rating."))
        return redirect("complaints:detail", complaint_id=complaint.pk)
    context = {
        "complaint": complaint, "status_label": selectors.member_status_label(complaint),
        "timeline": selectors.member_timeline(complaint), "rating": getattr(complaint, "rating", None),
        "form": form,
    }  # fmt: skip
    return render(request, "complaints/detail.html", context)
