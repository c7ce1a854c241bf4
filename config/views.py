import logging

from django.conf import settings
from django.http import HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework.exceptions import NotFound, PermissionDenied

from common.health import check_broker, check_database

logger = logging.getLogger("member_center.health")


def healthz(request):
    """200 when the database and the broker answer, 503 naming the one that does not."""
    checks = {}
    healthy = True
    for name, check in (("database", check_database), ("broker", check_broker)):
        try:
            checks[name] = check()
        except Exception as error:  # noqa: BLE001  (any failure of a dependency means "unhealthy")
            logger.warning("health check failed", extra={"dependency": name, "error": str(error)})
            checks[name] = "unavailable"
            healthy = False
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _api_error(*, code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


# Django's error handlers, with the API's JSON body under /api/ (DRF answers its own views' errors; these catch
# what happens outside them: an unknown path, a request Django itself refuses, a crash).
def bad_request(request, exception):
    if _is_api(request):
        return _api_error(code="bad_request", detail=_("The request is not valid."), status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        return _api_error(code="permission_denied", detail=str(PermissionDenied.default_detail), status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _is_api(request):
        return _api_error(code="not_found", detail=str(NotFound.default_detail), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        detail = _("Something went wrong on our side. Please try again in a moment.")
        return _api_error(code="server_error", detail=detail, status=500)
    # Rendered without the request: whatever broke must not break the error page too.
    body = loader.get_template("500.html").render({"customer_service_phone": settings.CUSTOMER_SERVICE_PHONE})
    return HttpResponseServerError(body)
