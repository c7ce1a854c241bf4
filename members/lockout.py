"""Staff sign-in lockout (django-axes): what a locked-out sign-in sees, and the per-address limit.

axes locks a username from one address after AXES_FAILURE_LIMIT failures. Password spraying tries many usernames
from one address, a few each, so the handler below also locks an address out once its failures over all usernames
reach STAFF_LOGIN_FAILURES_PER_IP within the cool-off time. It applies to the admin login and the staff API alike,
because both authenticate through axes."""

from axes.attempts import get_cool_off_threshold
from axes.conf import settings as axes_settings
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render

from members.exceptions import LockedOut


def lockout_response(request, original_response=None, credentials=None):
    error = LockedOut()
    if request.path.startswith("/api/"):
        return JsonResponse({"code": error.code, "detail": str(error.message)}, status=error.status_code)
    return render(request, "members/locked_out.html", {"message": error.message}, status=error.status_code)


class StaffSignInHandler(AxesDatabaseHandler):
    """axes' database handler plus a limit on failed sign-ins from one address, whatever the usernames."""

    def address_failures(self, request) -> int:
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if axes_settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def is_address_locked(self, request) -> bool:
        return self.address_failures(request) >= settings.STAFF_LOGIN_FAILURES_PER_IP

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.is_address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # The failure that reaches the address limit answers "locked out" already, as axes does for a username.
        if request is not None and not getattr(request, "axes_locked_out", False) and self.is_address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
