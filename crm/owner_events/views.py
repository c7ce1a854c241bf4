"""Member-center page for owner events: what is coming, places left, register or cancel."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from crm.owner_events import selectors, services
from crm.owner_events.enums import RegistrationStatus
from members.views import member_required


@member_required
def event_list(request):
    events = selectors.list_upcoming_events(member_id=request.member.pk)
    return render(request, "owner_events/events.html", {"events": events})


@require_POST
@member_required
def register(request, event_id: int):
    try:
        registration = services.register_for_event(member_id=request.member.pk, event_id=event_id)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        if registration.status == RegistrationStatus.WAITLISTED:
            messages.success(request, _("The event is full, so you are on the waiting list. We will tell you as soon "
                                        "as a place frees up."))  # fmt: skip
        else:
            messages.success(request, _("You are registered. See you there!"))
    return redirect("owner-events-member:list")


@require_POST
@member_required
def cancel(request, event_id: int):
    try:
        services.cancel_registration(member_id=request.member.pk, event_id=event_id)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("owner-events-member:list")
