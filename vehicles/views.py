"""Member-center pages: the catalog's car pictures; my cars (mileage updates, insurance and inspection records, the
next care dates, the service history), their traffic violations, and aftermarket services to book."""

from pathlib import Path

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.exceptions import DomainError
from members.views import member_required
from points import selectors as points_selectors
from vehicles import selectors, services
from vehicles.enums import InspectionResult, RecordSource
from vehicles.exceptions import ProviderUnavailable
from vehicles.forms import AftermarketBookingForm
from vehicles.pictures import draw_car


@member_required
def my_cars(request):
    cars = selectors.list_member_vehicles(member_id=request.member.pk)
    context = {"cars": cars, "policy_form": InsurancePolicyForm(), "inspection_form": InspectionForm()}
    return render(request, "vehicles/my_cars.html", context)


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


class InsurancePolicyForm(forms.Form):
    insurer = forms.CharField(label=_("Insurer"), max_length=100)
    policy_number = forms.CharField(label=_("Policy number"), max_length=50)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("Inspected on"), widget=forms.DateInput(attrs={"type": "date"}))
    result = forms.ChoiceField(label=_("Result"), choices=InspectionResult.choices)


@require_POST
@member_required
def add_insurance_policy(request, vehicle_id: int):
    """The member enters their renewed policy; the next renewal reminder follows its end date."""
    form = InsurancePolicyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please fill in the insurer, the policy number and both dates."))
        return redirect("vehicles:my-cars")
    try:
        services.record_insurance_policy(
            vehicle_id=vehicle_id, member_id=request.member.pk, source=RecordSource.MEMBER, **form.cleaned_data
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Policy saved. We will remind you before it ends."))
    return redirect("vehicles:my-cars")


@require_POST
@member_required
def add_inspection(request, vehicle_id: int):
    form = InspectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please enter the inspection date and result."))
        return redirect("vehicles:my-cars")
    try:
        services.record_inspection(
            vehicle_id=vehicle_id, member_id=request.member.pk, source=RecordSource.MEMBER, **form.cleaned_data
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Inspection saved. We will remind you before the next one."))
    return redirect("vehicles:my-cars")


@member_required
def violations(request, vehicle_id: int):
    car = selectors.list_member_vehicle_summaries(member_id=request.member.pk).filter(pk=vehicle_id).first()
    if car is None:
        raise Http404
    try:
        found, unavailable = selectors.list_vehicle_violations(member_id=request.member.pk, vehicle_id=car.pk), False
    except ProviderUnavailable:
        found, unavailable = [], True
    return render(request, "vehicles/violations.html", {"car": car, "violations": found, "unavailable": unavailable})


@require_http_methods(["GET", "POST"])
@member_required
def car_services(request):
    """Aftermarket services (car wash, maintenance packages, tyres, insurance quotes): the list, booking with a
    value-added-service coupon if the member has one, and the member's bookings."""
    member = request.member
    cars = list(selectors.list_member_vehicle_summaries(member_id=member.pk))
    coupons = list(points_selectors.list_usable_service_coupons(member_id=member.pk))
    try:
        offered = selectors.list_aftermarket_services(city=member.city)
    except ProviderUnavailable as error:
        offered = []
        messages.error(request, str(error.message))
    form = AftermarketBookingForm(request.POST or None, cars=cars, services=offered, coupons=coupons)
    if request.method == "POST" and form.is_valid():
        try:
            services.book_aftermarket_service(
                member_id=member.pk, vehicle_id=int(form.cleaned_data["vehicle"]),
                service_code=form.cleaned_data["service"], booked_for=form.cleaned_data["date"],
                coupon_code=form.cleaned_data["coupon"], actor=request.user,
            )  # fmt: skip
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Booked! The partner confirms shortly; you can see it below."))
            return redirect("vehicles:car-services")
    context = {
        "form": form, "offered": offered, "cars": cars,
        "bookings": selectors.list_member_aftermarket_bookings(member_id=member.pk)[:20],
    }  # fmt: skip
    return render(request, "vehicles/car_services.html", context)


_PICTURE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                  ".webp": "image/webp"}  # fmt: skip


def car_picture(request, model_id: int):
    """A catalog model's picture, public like the catalog: the uploaded one, else the drawn illustration."""
    car_model = selectors.get_catalog_model(model_id=model_id)
    if car_model is None:
        raise Http404
    suffix = Path(car_model.picture.name).suffix.lower() if car_model.picture else ""
    if suffix in _PICTURE_TYPES and car_model.picture.storage.exists(car_model.picture.name):
        response = FileResponse(car_model.picture.open("rb"), content_type=_PICTURE_TYPES[suffix])
    else:
        svg = draw_car(body_type=car_model.body_type, colour_index=car_model.pk)
        response = HttpResponse(svg, content_type=_PICTURE_TYPES[".svg"])
    # An uploaded SVG could carry script: shown only as an image, never run.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response
