import json
import logging
import time

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger("member_center.requests")


class RequestLogMiddleware:
    """One structured log line per request: method, path, status, duration. Never bodies, which hold personal data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response


def client_ip(request) -> str | None:
    """The caller's address; behind a trusted proxy, the last hop it appended to X-Forwarded-For."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR") or None


NUL = "\x00"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _name(key: str) -> str:
    return key.replace(NUL, "") or "?"


def fields_with_nul(request) -> list[str]:
    """The names of the parameters whose name or value holds a NUL character: the path, the query string, a form's
    fields (not its files, whose bytes may hold anything) and a JSON body's top-level keys."""
    names = ["path"] if NUL in request.path else []
    sources = [request.GET]
    content_type = request.content_type or ""
    if request.method == "POST" and content_type in _FORM_TYPES:
        sources.append(request.POST)
    elif content_type == "application/json" or content_type.endswith("+json"):
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            body = None  # not JSON at all: the parser answers that with its own 400
        if isinstance(body, dict):
            names += [_name(key) for key, value in body.items() if _holds_nul(key) or _holds_nul(value)]
        elif _holds_nul(body):
            names.append("non_field_errors")
    for source in sources:
        names += [_name(key) for key, values in source.lists() if _holds_nul(key) or _holds_nul(values)]
    return names


class RejectNulCharactersMiddleware:
    """A NUL character can be typed into no form, and PostgreSQL refuses it in text, so a search or a filter that
    passes one to a query would end in a server error. Any request that carries one (path, query string, form field,
    JSON value) is answered 400 before a view runs: the API's error body under /api/, a readable page elsewhere.

    A cookie holding one (a forged session id would reach the session table) is dropped instead of refused, so a
    browser holding such a cookie is treated as one without it rather than locked out. That is why this runs before
    the session middleware, and speaks the request's language itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [name for name, value in request.COOKIES.items() if NUL in name or NUL in value]:
            del request.COOKIES[name]
        fields = fields_with_nul(request)
        if not fields:
            return self.get_response(request)
        logger.warning("request with a NUL character refused", extra={"path": request.path.replace(NUL, "")})
        with translation.override(translation.get_language_from_request(request)):
            detail = _(
                "The request contains a NUL character (\\0), which is not allowed. Please remove it and try again."
            )
            if request.path.startswith("/api/"):
                message = _("Remove the NUL character (\\0) from this value.")
                body = {"code": "null_character", "detail": detail, "fields": {name: [message] for name in fields}}
                return JsonResponse(body, status=400)
            return render(request, "400.html", {"detail": detail}, status=400)
