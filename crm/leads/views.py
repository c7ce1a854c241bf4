"""The public quick-submit page (极速提交): no sign-in, the same thanks for a new and a known phone."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from common.exceptions import DomainError
from common.middleware import client_ip
from crm.leads import services
from crm.leads.forms import QuickSubmitForm
from vehicles.selectors import list_catalog_models


def quick_submit(request):
    choices = [(str(car_model.pk), str(car_model)) for car_model in list_catalog_models()]
    form = QuickSubmitForm(request.POST or None, model_choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_quick_lead(**form.cleaned_data, ip=client_ip(request))
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("Thank you! Our customer service will call you soon."))
            return redirect("leads:quick-submit-done")
    return render(request, "leads/quick_submit.html", {"form": form})


def quick_submit_done(request):
    return render(request, "leads/quick_submit_done.html")
