"""Back-office screen for weather care: staff send a city's members a safety notice from a template."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.backoffice import staff_required
from common.exceptions import DomainError
from crm import weather_care
from crm.forms import WeatherCareForm


@require_http_methods(["GET", "POST"])
@staff_required
def weather_care_page(request):
    if request.method == "POST":
        form = WeatherCareForm(request.POST)
        if form.is_valid():
            try:
                campaign = weather_care.send_weather_care(staff=request.user, **form.cleaned_data)
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(
                    request, _("The notice is on its way to %(count)d members.") % {"count": campaign.total}
                )
                return redirect("crm-backoffice:weather-care")
    else:
        form = WeatherCareForm(initial={"city": request.user.store.city if request.user.store_id else ""})
    templates = {kind: weather_care.weather_notice_text(kind) for kind in weather_care.WEATHER_NOTICES}
    return render(request, "crm/backoffice/weather_care.html", {"form": form, "templates": templates})
