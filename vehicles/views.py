"""Member-center page: my cars, with mileage updates, the next care dates and the service history."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from members.views import member_required
from vehicles import selectors, services


@member_required
def my_cars(request):
    cars = selectors.list_member_vehicles(member_id=request.member.pk)
    return render(request, "vehicles/my_cars.html", {"cars": cars})


@require_POST
@member_required
def update_mileage(request, vehicle_id: int):
    raw = request.POST.get("mileage", "").strip()
    if not raw.isdigit() or len(raw) > 12:
        messages.error(request, _("Please enter the mileage in whole kilometres."))
        return redirect("vehicles:my-cars")
    try:
        services.update_mileage(vehicle_id=vehicle_id, member_id=request.member.pk, mileage_km=int(raw))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Mileage updated."))
    return redirect("vehicles:my-cars")
