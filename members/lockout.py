"""What a locked-out staff sign-in sees: JSON for the API, a page for the admin."""

from django.http import JsonResponse
from django.shortcuts import render

from members.exceptions import LockedOut


def lockout_response(request, original_response=None, credentials=None):
    error = LockedOut()
    if request.path.startswith("/api/"):
        return JsonResponse({"code": error.code, "detail": str(error.message)}, status=error.status_code)
    return render(request, "members/locked_out.html", {"message": error.message}, status=error.status_code)
