"""Member-center pages: my bookings, and booking a service (where the care reminders lead)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appointments import selectors, services
from appointments.forms import BookingForm
from appointments.slots import bookable_dates
from common.exceptions import DomainError
from members.selectors import list_active_stores
from members.views import member_required
from vehicles.selectors import list_member_vehicle_summaries


@member_required
def my_appointments(request):
    appointments = selectors.list_member_appointments(member_id=request.member.pk)
    return render(request, "appointments/my_appointments.html", {"appointments": appointments})


@member_required
def book(request):
    """GET with car, store and day shows the free slots; POST books one. Pre-filled from a reminder's link."""
    cars = list(list_member_vehicle_summaries(member_id=request.member.pk))
    stores = list(list_active_stores())
    data = request.POST if request.method == "POST" else request.GET
    initial = {"kind": data.get("kind", "maintenance")}
    if cars:
        initial["vehicle"] = cars[0].pk
    if request.member.preferred_store_id:
        initial["store"] = request.member.preferred_store_id
    form = BookingForm(data if "date" in data else None, initial=initial, cars=cars, stores=stores)
    slots = None
    if form.is_bound and form.is_valid():
        values = form.cleaned_data
        if request.method == "POST" and values["slot"] is not None:
            try:
                services.book_appointment(
                    member_id=request.member.pk, vehicle_id=values["vehicle"], store_id=values["store"],
                    kind=values["kind"], date=values["date"], slot=values["slot"], note=values["note"],
                )  # fmt: skip
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("Your booking is made. The store will confirm it soon."))
                return redirect("appointments:mine")
        store = next(store for store in stores if store.pk == values["store"])
        slots = selectors.free_places_by_slot(store=store, date=values["date"])
    first_day, last_day = bookable_dates(today=timezone.localdate())
    context = {"form": form, "slots": slots, "has_cars": bool(cars), "first_day": first_day, "last_day": last_day}
    return render(request, "appointments/book.html", context)


@require_POST
@member_required
def cancel(request, appointment_id: int):
    try:
        services.cancel_appointment(member_id=request.member.pk, appointment_id=appointment_id)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Your booking is cancelled."))
    return redirect("appointments:mine")
