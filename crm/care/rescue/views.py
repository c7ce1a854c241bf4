"""Member-center pages of roadside rescue: ask for help from a phone, follow it, cancel it while help is coming."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from crm.care.rescue import selectors, services
from crm.care.rescue.enums import RescueKind
from crm.care.rescue.exceptions import RescueNotFound
from crm.care.rescue.forms import RescueRequestForm
from members.views import member_required
from vehicles.selectors import list_member_vehicles


@member_required
def rescue_home(request):
    cars = list(list_member_vehicles(member_id=request.member.pk))
    form = RescueRequestForm(request.POST or None, cars=cars)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                rescue = services.request_rescue(
                    member=request.member, vehicle_id=data["vehicle"], kind=data["kind"], actor=request.user,
                    location=data["location"], latitude=data["latitude"], longitude=data["longitude"],
                    note=data["note"],
                )  # fmt: skip
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error.message))
            else:
                messages.success(request, _("We have your request. Help is being arranged; stay in a safe place."))
                return redirect("rescue:detail", rescue_id=rescue.pk)
        status = 400
    context = {
        "form": form,
        "cars": cars,
        "kinds": RescueKind.choices,
        "rescues": selectors.list_member_rescues(member=request.member)[:10],
    }
    return render(request, "rescue/home.html", context, status=status)


@member_required
def rescue_detail(request, rescue_id: int):
    try:
        rescue = selectors.get_member_rescue(member=request.member, rescue_id=rescue_id)
    except RescueNotFound as error:
        raise Http404 from error
    return render(request, "rescue/detail.html", {"rescue": rescue, "timeline": selectors.timeline(rescue=rescue)})


@require_POST
@member_required
def rescue_cancel(request, rescue_id: int):
    try:
        services.cancel_rescue_by_member(member=request.member, rescue_id=rescue_id)
    except RescueNotFound as error:
        raise Http404 from error
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Your rescue request is cancelled."))
    return redirect("rescue:detail", rescue_id=rescue_id)
