"""Back-office screens for owner events: the store's events, who registered, check-in at the door, invitations."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.backoffice import staff_required
from common.exceptions import DomainError
from crm.owner_events import selectors, services
from crm.owner_events.forms import InvitationForm


@staff_required
def event_list(request):
    return render(
        request, "owner_events/backoffice/list.html", {"events": selectors.list_store_events(user=request.user)}
    )


@staff_required
def event_page(request, event_id: int):
    event = selectors.list_store_events(user=request.user).filter(pk=event_id).first()
    if event is None:
        raise Http404
    context = {
        "event": event,
        "registrations": selectors.list_event_registrations(user=request.user, event_id=event_id),
        "invitation_form": InvitationForm(),
    }
    return render(request, "owner_events/backoffice/event.html", context)


@require_POST
@staff_required
def check_in(request, event_id: int, registration_id: int):
    try:
        registration = services.check_in(registration_id=registration_id, staff=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("%(name)s is checked in.") % {"name": registration.member.display_name or "—"})
    return redirect("owner-events:event", event_id=event_id)


@require_POST
@staff_required
def invite(request, event_id: int):
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please check the invitation filters."))
        return redirect("owner-events:event", event_id=event_id)
    try:
        campaign = services.invite_to_event(
            event_id=event_id, staff=request.user, city=form.cleaned_data["city"] or "",
            car_model_id=form.cleaned_data["car_model"], tier=form.cleaned_data["tier"],
            lifecycle=form.cleaned_data["lifecycle"],
            tag_id=form.cleaned_data["tag"].pk if form.cleaned_data["tag"] else None,
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Invitations are on their way to %(count)d members.") % {"count": campaign.total})
    return redirect("owner-events:event", event_id=event_id)
