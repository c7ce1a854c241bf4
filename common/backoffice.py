"""What every back-office screen shares: staff only, others are sent to the staff sign-in."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login


def staff_required(view):
    """A back-office page: staff only; anyone else signs in on the back office's own page and comes back."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.is_staff):
            return redirect_to_login(request.get_full_path(), login_url="backoffice:sign-in")
        return view(request, *args, **kwargs)

    return wrapper
