"""Production: every secret comes from the environment and a missing one stops start-up with a clear error.

Start-up also refuses the parts that exist for the demo and the tests (see ``_demo_parts_in_use`` at the end): the
published keys, a host wildcard, and the demo providers (console or file SMS, console e-mail, the local identity and
credit providers, a stand-in Twilio server). A staging deployment may keep the demo providers with
``ALLOW_DEMO_PROVIDERS=true``, never the published keys. The refusal is an error raised while the settings load, not
a ``check --deploy`` system check, because gunicorn and Celery never run system checks: a web or worker process must
not come up at all on demo parts.
"""

import binascii
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    AFTERMARKET_PROVIDER,
    CREDIT_CHECK_PROVIDER,
    EMAIL_BACKEND,
    IDENTITY_VERIFICATION_PROVIDER,
    SMS_BACKEND,
    TWILIO_ACCOUNT_SID,
    TWILIO_API_BASE_URL,
    TWILIO_AUTH_TOKEN,
    TWILIO_FROM_NUMBER,
    TWILIO_MESSAGING_SERVICE_SID,
    VIOLATION_PROVIDER,
    env,
)
from .published_keys import PUBLISHED_FIELD_ENCRYPTION_KEYS, PUBLISHED_PII_HASH_KEYS, PUBLISHED_SECRET_KEYS


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


DEBUG = False
SECRET_KEY = _required("SECRET_KEY")
FIELD_ENCRYPTION_KEYS = [key.strip() for key in _required("FIELD_ENCRYPTION_KEYS").split(",") if key.strip()]
PII_HASH_KEY = _required("PII_HASH_KEY")
_required("DATABASE_URL")
_required("REDIS_URL")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
# Staging only: lets the demo providers through (never the published keys).
ALLOW_DEMO_PROVIDERS = env.bool("ALLOW_DEMO_PROVIDERS", default=False)

LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING["handlers"]["stdout"]["formatter"] = LOG_FORMAT  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

_DEMO_SMS_BACKENDS = {"console", "file"}
_DEMO_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
_DEMO_IDENTITY_PROVIDERS = {"members.verification.LocalIdentityProvider"}
_DEMO_CREDIT_PROVIDERS = {"orders.credit.LocalCreditProvider"}
_DEMO_CAR_SERVICE_PROVIDERS = {
    "vehicles.providers.LocalViolationProvider",
    "vehicles.providers.LocalAftermarketProvider",
}
_STAGING = "(a staging deployment may set ALLOW_DEMO_PROVIDERS=true)"


def _is_fernet_key(key: str) -> bool:
    try:
        Fernet(key.encode())
    except (ValueError, binascii.Error):
        return False
    return True


def _weak_or_published_secrets() -> list[str]:
    problems = []
    # Django's own rule for a usable SECRET_KEY; check --deploy only warns about it, production refuses.
    if SECRET_KEY in PUBLISHED_SECRET_KEYS:
        problems.append("SECRET_KEY is the demo/test key published in the repository; generate a new one.")
    elif len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-"):
        problems.append("SECRET_KEY is too weak: at least 50 characters, 5 of them different, no 'django-insecure-'.")
    if not FIELD_ENCRYPTION_KEYS:
        problems.append("FIELD_ENCRYPTION_KEYS holds no key.")
    for position, key in enumerate(FIELD_ENCRYPTION_KEYS, start=1):
        if key in PUBLISHED_FIELD_ENCRYPTION_KEYS:
            problems.append(f"FIELD_ENCRYPTION_KEYS key {position} is the demo/test key published in the repository.")
        elif not _is_fernet_key(key):
            problems.append(f"FIELD_ENCRYPTION_KEYS key {position} is not a Fernet key (32 url-safe base64 bytes).")
    if PII_HASH_KEY in PUBLISHED_PII_HASH_KEYS:
        problems.append("PII_HASH_KEY is the demo/test key published in the repository; generate a new one.")
    elif len(PII_HASH_KEY) < 32:
        # ID numbers are few enough to try them all: only a key nobody can guess keeps their hashes secret.
        problems.append("PII_HASH_KEY is too short: at least 32 random characters.")
    return problems


def _open_hosts() -> list[str]:
    if not ALLOWED_HOSTS:
        return ["ALLOWED_HOSTS is empty: list the site's host names (comma-separated)."]
    if "*" in ALLOWED_HOSTS:
        return ["ALLOWED_HOSTS contains '*': list the site's host names instead of accepting every Host header."]
    return []


def _site_url_not_public() -> list[str]:
    """Links in e-mails and SMS (sign-in help, survey links, unsubscribe) are built on SITE_URL: the default points at
    the demo's own machine, and a plain-http address would send members' one-time links in the clear."""
    address = urlsplit(SITE_URL)
    if address.scheme != "https" or not address.hostname:
        return [f"SITE_URL is {SITE_URL!r}: set the public https:// address members reach the site at."]
    if address.hostname in {"localhost", "127.0.0.1", "::1"} or address.hostname.endswith(".localhost"):
        return [f"SITE_URL is {SITE_URL!r}, this machine's own address: set the public address members reach."]
    return []


def _twilio_without_credentials() -> list[str]:
    if SMS_BACKEND != "twilio":
        return []
    problems = [
        f"{name} must be set when SMS_BACKEND is 'twilio'."
        for name, value in (("TWILIO_ACCOUNT_SID", TWILIO_ACCOUNT_SID), ("TWILIO_AUTH_TOKEN", TWILIO_AUTH_TOKEN))
        if not value
    ]
    if not (TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID):
        problems.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID must be set when SMS_BACKEND is 'twilio'.")
    return problems


def _demo_providers() -> list[str]:
    problems = []
    if SMS_BACKEND in _DEMO_SMS_BACKENDS:
        problems.append(
            f"SMS_BACKEND is {SMS_BACKEND!r}, a demo backend that writes messages and sign-in codes where staff "
            f"can read them; use 'twilio' {_STAGING}."
        )
    if TWILIO_API_BASE_URL:
        problems.append(f"TWILIO_API_BASE_URL points the Twilio client at a stand-in server {_STAGING}.")
    if EMAIL_BACKEND in _DEMO_EMAIL_BACKENDS:
        problems.append(
            f"EMAIL_URL selects {EMAIL_BACKEND}, which sends nothing; use an smtp:// or smtp+tls:// URL {_STAGING}."
        )
    if IDENTITY_VERIFICATION_PROVIDER in _DEMO_IDENTITY_PROVIDERS:
        problems.append(
            "IDENTITY_VERIFICATION_PROVIDER is the local demo provider, which accepts any well-formed name and "
            f"ID number; set the licensed provider's class {_STAGING}."
        )
    if CREDIT_CHECK_PROVIDER in _DEMO_CREDIT_PROVIDERS:
        problems.append(
            "CREDIT_CHECK_PROVIDER is the local demo provider, which invents a score from the order number; set the "
            f"credit bureau's client class {_STAGING}."
        )
    problems += [
        f"{name} is the local demo provider, which invents its answers; set the partner's client class {_STAGING}."
        for name, value in (("VIOLATION_PROVIDER", VIOLATION_PROVIDER), ("AFTERMARKET_PROVIDER", AFTERMARKET_PROVIDER))
        if value in _DEMO_CAR_SERVICE_PROVIDERS
    ]
    return problems


def _demo_parts_in_use() -> list[str]:
    problems = _weak_or_published_secrets() + _open_hosts() + _site_url_not_public() + _twilio_without_credentials()
    if SMS_BACKEND not in _DEMO_SMS_BACKENDS | {"twilio"}:
        problems.append(f"SMS_BACKEND is {SMS_BACKEND!r}, which is no backend; use 'twilio'.")
    if not ALLOW_DEMO_PROVIDERS:
        problems += _demo_providers()
    return problems


_problems = _demo_parts_in_use()
if _problems:
    raise ImproperlyConfigured(
        "Production settings refuse to start:\n" + "\n".join(f"  - {problem}" for problem in _problems)
    )
