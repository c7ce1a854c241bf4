"""Member-center pages: the inbox and notification preferences."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from common.exceptions import DomainError
from members.views import member_required
from notifications import selectors, services
from notifications.emails import read_unsubscribe_token
from notifications.models import SWITCHABLE_CHANNELS, Category


@member_required
def inbox(request):
    page = Paginator(selectors.list_inbox(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@member_required
def message_detail(request, message_id: int):
    message = selectors.get_inbox_message(user=request.user, message_id=message_id)
    if message is None:
        raise Http404
    services.mark_inbox_message_read(notification=message)
    return render(request, "notifications/message.html", {"message": message})


@member_required
def preferences(request):
    if request.method == "POST":
        choices = {
            category: {channel: f"{category}:{channel}" in request.POST for channel in SWITCHABLE_CHANNELS}
            for category in (Category.SERVICE, Category.MARKETING)
        }
        try:
            services.save_preferences(user=request.user, choices=choices)
            services.save_call_preference(user=request.user, accepts_calls="calls" in request.POST)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    current = selectors.get_preferences(user=request.user)
    rows = [
        (value, label, [(channel, current[value][channel]) for channel in SWITCHABLE_CHANNELS])
        for value, label in Category.choices
    ]
    return render(request, "notifications/preferences.html", {"rows": rows, "accepts_calls": current["calls"]})


def unsubscribe(request, token: str):
    """The link in marketing e-mail: a confirmation page (GET), then the switch (POST) — no sign-in needed."""
    data = read_unsubscribe_token(token)
    if data is None:
        raise Http404
    done = False
    if request.method == "POST":
        user = get_user_model().objects.filter(pk=data["user"]).first()
        if user is not None:
            services.save_preferences(user=user, choices={data["category"]: {"email": False}})
        done = True
    return render(request, "notifications/unsubscribe.html", {"done": done})
