"""Back office: a store's bookings by day; staff confirm them and record the visit or the no-show. Scoped in
selectors: store staff see only their store's bookings."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appointments import selectors, services
from appointments.enums import AppointmentStatus
from appointments.forms import VisitForm, parse_date
from common.exceptions import DomainError


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.is_staff):
            return redirect_to_login(request.get_full_path(), login_url="admin:login")
        return view(request, *args, **kwargs)

    return wrapper


@staff_required
def appointment_list(request):
    day = parse_date(request.GET.get("date", "")) or timezone.localdate()
    status = request.GET.get("status", "")
    if status not in AppointmentStatus.values:
        status = ""
    appointments = selectors.list_store_appointments(user=request.user, date=day, status=status)
    page = Paginator(appointments, 50).get_page(request.GET.get("page"))
    context = {"page": page, "day": day, "status": status, "statuses": AppointmentStatus.choices,
               "visit_form": VisitForm()}  # fmt: skip
    return render(request, "appointments/backoffice/list.html", context)


@require_POST
@staff_required
def act(request, appointment_id: int, action: str):
    day = parse_date(request.POST.get("date", ""))
    back = redirect(reverse("appointments-backoffice:list") + (f"?date={day.isoformat()}" if day else ""))
    try:
        if action == "confirm":
            services.confirm_appointment(user=request.user, appointment_id=appointment_id)
            messages.success(request, _("Booking confirmed."))
        elif action == "no-show":
            services.record_no_show(user=request.user, appointment_id=appointment_id)
            messages.success(request, _("Recorded: the member did not come."))
        elif action == "visit":
            form = VisitForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Please enter the mileage and the work done."))
                return back
            services.record_visit(user=request.user, appointment_id=appointment_id, **form.cleaned_data)
            messages.success(request, _("Visit recorded."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, str(error.message))
    return back
