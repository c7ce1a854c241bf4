"""The OpenAPI schema (drf-spectacular) as the API really answers.

Every operation documents the error body for the statuses it can give whatever the view says: 400 (any request
whose query string or body holds a NUL character, malformed JSON), 401 and 403 (signing in, permissions, CSRF for
session clients), 404 (an id in the path that is not yours or not there, a page beyond the last) and 415 (a body
in a type the operation does not read). Views add the statuses of their own domain (409, 429...) with
``extend_schema``."""

from drf_spectacular import openapi
from rest_framework import permissions
from rest_framework.authentication import SessionAuthentication

from common.api import ErrorSerializer

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status_code, description in self._error_statuses():
            if str(status_code) not in responses:
                responses[str(status_code)] = {
                    **self._get_response_for_code(ErrorSerializer, str(status_code), direction=direction),
                    "description": description,
                }
        return responses

    def _error_statuses(self) -> list[tuple[int, str]]:
        authenticators = list(getattr(self.view, "authentication_classes", []))
        open_to_all = all(
            issubclass(permission, permissions.AllowAny) for permission in getattr(self.view, "permission_classes", [])
        )
        checks_csrf = self.method in UNSAFE_METHODS and any(
            issubclass(authenticator, SessionAuthentication) for authenticator in authenticators
        )
        statuses = [(400, "The request is not valid (see `code` and `fields`).")]
        if authenticators:
            statuses.append((401, "Not signed in, or the token has expired."))
        if not open_to_all or checks_csrf:
            statuses.append((403, "Signed in, but not allowed to do this."))
        if "{" in self.path:
            statuses.append((404, "Not found, or not yours."))
        elif self._get_paginator() is not None and self._is_list_view():
            statuses.append((404, "A page beyond the last one."))
        if self.method in UNSAFE_METHODS and self.get_request_serializer() is not None:
            statuses.append((415, "The body is in a content type this operation does not read."))
        return statuses
