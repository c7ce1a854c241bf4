"""Member-center pages: the catalog's car pictures; my cars, with mileage updates, next care dates and history."""

from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from members.views import member_required
from vehicles import selectors, services
from vehicles.pictures import draw_car


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
