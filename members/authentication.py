import hashlib

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from common.baked import baked_rows
from members.models import AccessToken


def _token_rows(*, user, key_hash: str) -> QuerySet:
    return AccessToken.objects.select_related("user").filter(key_hash=key_hash).order_by("pk")[:1]


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>`` with a token from sign-in. Only the token's SHA-256 is stored."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must be 'Bearer <token>'."))
        try:
            raw_token = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        key_hash = hashlib.sha256(raw_token.encode()).hexdigest()
        token = next(iter(baked_rows("auth.token", _token_rows, user=None, key_hash=key_hash)), None)
        if token is None or not token.is_usable:
            raise exceptions.AuthenticationFailed(_("Your session has ended. Please sign in again."))
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
