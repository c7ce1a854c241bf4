"""Back-office screen for store staff: mark a member's value-added-service coupon used at the store."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.backoffice import staff_required
from common.exceptions import DomainError
from points import services
from points.forms import StoreCouponUseForm


@require_http_methods(["GET", "POST"])
@staff_required
def use_service_coupon(request):
    form = StoreCouponUseForm(request.POST or None)
    result, error = None, ""
    if request.method == "POST" and form.is_valid():
        try:
            result = services.use_service_coupon_at_store(code=form.cleaned_data["code"], staff=request.user)
        except DomainError as refusal:
            error = str(refusal.message)
        else:
            form = StoreCouponUseForm()
    context = {"form": form, "result": result, "error": error, "title": _("Use a service coupon")}
    return render(request, "points/backoffice/use_coupon.html", context)
