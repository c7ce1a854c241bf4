"""Production settings start only on real parts: each demo part, published key or missing credential stops
``manage.py check --deploy`` with a message naming the setting; a good configuration passes; the staging switch lets
the demo providers through but never the published keys."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from config.settings.published_keys import (
    DEMO_FIELD_ENCRYPTION_KEY,
    DEMO_PII_HASH_KEY,
    DEMO_SECRET_KEY,
    TEST_FIELD_ENCRYPTION_KEY,
    TEST_PII_HASH_KEY,
    TEST_SECRET_KEY,
)

ROOT = Path(__file__).resolve().parent.parent

# A configuration production accepts: fresh keys, named hosts, Twilio with credentials, SMTP, contracted providers
# (the provider classes are only named here: start-up refuses the demo ones by name and imports none).
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "PII_HASH_KEY": secrets.token_urlsafe(32),
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/13",
    "ALLOWED_HOSTS": "member-center.example.com",
    "SITE_URL": "https://member-center.example.com",
    "SMS_BACKEND": "twilio",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
    "TWILIO_FROM_NUMBER": "+8613800000000",
    "EMAIL_URL": "smtp+tls://mailer:password@smtp.example.com:587",
    "IDENTITY_VERIFICATION_PROVIDER": "vendor_identity.Provider",
    "CREDIT_CHECK_PROVIDER": "vendor_credit.Provider",
    "VIOLATION_PROVIDER": "vendor_violations.Provider",
    "AFTERMARKET_PROVIDER": "vendor_aftermarket.Provider",
}

STAGING = {"ALLOW_DEMO_PROVIDERS": "true"}


def production_environment(**overrides: str | None) -> dict[str, str]:
    """The process environment for one start: only what the test names, so nothing leaks in from the shell."""
    inherited = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    merged = {**inherited, **PRODUCTION_ENV, **overrides}
    return {name: value for name, value in merged.items() if value is not None}


def start_production(*args: str, **overrides: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=production_environment(**overrides),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def assert_refused(result: subprocess.CompletedProcess, *messages: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Production settings refuse to start:" in result.stderr
    for message in messages:
        assert f"  - {message}" in result.stderr, result.stderr


def test_a_good_configuration_passes_check_deploy_without_a_warning():
    result = start_production("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "PII_HASH_KEY", "DATABASE_URL", "REDIS_URL"]
)
def test_production_refuses_to_start_without_a_secret(missing):
    result = start_production("check", **{missing: ""})
    assert result.returncode != 0
    assert f"The environment variable {missing} must be set in production." in result.stderr


STAGING_CAN_ALLOW = [
    pytest.param(
        {"SMS_BACKEND": "console"},
        "SMS_BACKEND is 'console', a demo backend that writes messages and sign-in codes where staff can read them; "
        "use 'twilio' (a staging deployment may set ALLOW_DEMO_PROVIDERS=true).",
        id="console-sms",
    ),
    pytest.param(
        {"SMS_BACKEND": "file"},
        "SMS_BACKEND is 'file', a demo backend that writes messages and sign-in codes where staff can read them; "
        "use 'twilio' (a staging deployment may set ALLOW_DEMO_PROVIDERS=true).",
        id="file-sms",
    ),
    pytest.param(
        {"SMS_BACKEND": None},
        "SMS_BACKEND is 'console', a demo backend that writes messages and sign-in codes where staff can read them; "
        "use 'twilio' (a staging deployment may set ALLOW_DEMO_PROVIDERS=true).",
        id="sms-backend-unset",
    ),
    pytest.param(
        {"TWILIO_API_BASE_URL": "http://127.0.0.1:8025"},
        "TWILIO_API_BASE_URL points the Twilio client at a stand-in server "
        "(a staging deployment may set ALLOW_DEMO_PROVIDERS=true).",
        id="twilio-stand-in",
    ),
    pytest.param(
        {"EMAIL_URL": None},
        "EMAIL_URL selects django.core.mail.backends.console.EmailBackend, which sends nothing; use an smtp:// or "
        "smtp+tls:// URL (a staging deployment may set ALLOW_DEMO_PROVIDERS=true).",
        id="console-email",
    ),
    pytest.param(
        {"IDENTITY_VERIFICATION_PROVIDER": None},
        "IDENTITY_VERIFICATION_PROVIDER is the local demo provider, which accepts any well-formed name and ID number; "
        "set the licensed provider's class (a staging deployment may set ALLOW_DEMO_PROVIDERS=true).",
        id="local-identity-provider",
    ),
    pytest.param(
        {"CREDIT_CHECK_PROVIDER": "orders.credit.LocalCreditProvider"},
        "CREDIT_CHECK_PROVIDER is the local demo provider, which invents a score from the order number; set the "
        "credit bureau's client class (a staging deployment may set ALLOW_DEMO_PROVIDERS=true).",
        id="local-credit-provider",
    ),
    pytest.param(
        {"VIOLATION_PROVIDER": None},
        "VIOLATION_PROVIDER is the local demo provider, which invents its answers; set the partner's client class "
        "(a staging deployment may set ALLOW_DEMO_PROVIDERS=true).",
        id="local-violation-provider",
    ),
    pytest.param(
        {"AFTERMARKET_PROVIDER": None},
        "AFTERMARKET_PROVIDER is the local demo provider, which invents its answers; set the partner's client class "
        "(a staging deployment may set ALLOW_DEMO_PROVIDERS=true).",
        id="local-aftermarket-provider",
    ),
]

NEVER_ALLOWED = [
    pytest.param(
        {"SECRET_KEY": DEMO_SECRET_KEY},
        "SECRET_KEY is the demo/test key published in the repository; generate a new one.",
        id="demo-secret-key",
    ),
    pytest.param(
        {"SECRET_KEY": TEST_SECRET_KEY},
        "SECRET_KEY is the demo/test key published in the repository; generate a new one.",
        id="test-secret-key",
    ),
    pytest.param(
        {"SECRET_KEY": "django-insecure-" + "a1b2c3d4e5" * 5},
        "SECRET_KEY is too weak: at least 50 characters, 5 of them different, no 'django-insecure-'.",
        id="insecure-secret-key",
    ),
    pytest.param(
        {"SECRET_KEY": "short-secret-key"},
        "SECRET_KEY is too weak: at least 50 characters, 5 of them different, no 'django-insecure-'.",
        id="short-secret-key",
    ),
    pytest.param(
        {"FIELD_ENCRYPTION_KEYS": DEMO_FIELD_ENCRYPTION_KEY},
        "FIELD_ENCRYPTION_KEYS key 1 is the demo/test key published in the repository.",
        id="demo-field-key",
    ),
    pytest.param(
        # Even as an old key kept for decryption: whatever it encrypted is readable by anyone.
        {"FIELD_ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},{TEST_FIELD_ENCRYPTION_KEY}"},
        "FIELD_ENCRYPTION_KEYS key 2 is the demo/test key published in the repository.",
        id="test-field-key-second",
    ),
    pytest.param(
        {"FIELD_ENCRYPTION_KEYS": "not-a-fernet-key"},
        "FIELD_ENCRYPTION_KEYS key 1 is not a Fernet key (32 url-safe base64 bytes).",
        id="malformed-field-key",
    ),
    pytest.param(
        {"PII_HASH_KEY": DEMO_PII_HASH_KEY},
        "PII_HASH_KEY is the demo/test key published in the repository; generate a new one.",
        id="demo-pii-hash-key",
    ),
    pytest.param(
        {"PII_HASH_KEY": TEST_PII_HASH_KEY},
        "PII_HASH_KEY is the demo/test key published in the repository; generate a new one.",
        id="test-pii-hash-key",
    ),
    pytest.param(
        {"PII_HASH_KEY": "guessable"},
        "PII_HASH_KEY is too short: at least 32 random characters.",
        id="short-pii-hash-key",
    ),
    pytest.param(
        {"ALLOWED_HOSTS": "*"},
        "ALLOWED_HOSTS contains '*': list the site's host names instead of accepting every Host header.",
        id="any-host",
    ),
    pytest.param(
        {"ALLOWED_HOSTS": "member-center.example.com,*"},
        "ALLOWED_HOSTS contains '*': list the site's host names instead of accepting every Host header.",
        id="any-host-among-others",
    ),
    pytest.param(
        {"ALLOWED_HOSTS": None},
        "ALLOWED_HOSTS is empty: list the site's host names (comma-separated).",
        id="no-hosts",
    ),
    pytest.param(
        {"SITE_URL": None},
        "SITE_URL is 'http://127.0.0.1:8000': set the public https:// address members reach the site at.",
        id="no-site-url",
    ),
    pytest.param(
        {"SITE_URL": "http://member-center.example.com"},
        "SITE_URL is 'http://member-center.example.com': set the public https:// address members reach the site at.",
        id="plain-http-site-url",
    ),
    pytest.param(
        {"SITE_URL": "https://localhost:8443"},
        "SITE_URL is 'https://localhost:8443', this machine's own address: set the public address members reach.",
        id="loopback-site-url",
    ),
    pytest.param(
        {"TWILIO_AUTH_TOKEN": ""},
        "TWILIO_AUTH_TOKEN must be set when SMS_BACKEND is 'twilio'.",
        id="twilio-without-token",
    ),
    pytest.param(
        {"TWILIO_ACCOUNT_SID": None},
        "TWILIO_ACCOUNT_SID must be set when SMS_BACKEND is 'twilio'.",
        id="twilio-without-account",
    ),
    pytest.param(
        {"TWILIO_FROM_NUMBER": None},
        "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID must be set when SMS_BACKEND is 'twilio'.",
        id="twilio-without-sender",
    ),
    pytest.param(
        {"SMS_BACKEND": "twillio"},
        "SMS_BACKEND is 'twillio', which is no backend; use 'twilio'.",
        id="unknown-sms-backend",
    ),
]


@pytest.mark.parametrize(("bad", "message"), STAGING_CAN_ALLOW + NEVER_ALLOWED)
def test_production_refuses_one_bad_value_naming_the_setting(bad, message):
    result = start_production("check", "--deploy", **bad)
    assert_refused(result, message)
    # One bad value, one line: nothing else in the good configuration is blamed.
    assert result.stderr.count("\n  - ") == 1, result.stderr


@pytest.mark.parametrize(("bad", "message"), STAGING_CAN_ALLOW)
def test_the_staging_switch_lets_a_demo_provider_through(bad, message):
    result = start_production("check", "--deploy", "--fail-level", "WARNING", **bad, **STAGING)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(("bad", "message"), NEVER_ALLOWED)
def test_the_staging_switch_never_lets_a_published_key_or_a_missing_credential_through(bad, message):
    assert_refused(start_production("check", "--deploy", **bad, **STAGING), message)


def test_every_refusal_is_listed_at_once():
    result = start_production(
        "check", "--deploy", SMS_BACKEND="console", SECRET_KEY=DEMO_SECRET_KEY, ALLOWED_HOSTS="*", EMAIL_URL=None
    )
    assert_refused(
        result,
        "SECRET_KEY is the demo/test key published in the repository; generate a new one.",
        "ALLOWED_HOSTS contains '*': list the site's host names instead of accepting every Host header.",
    )
    assert result.stderr.count("\n  - ") == 4, result.stderr


def test_the_demo_settings_defaults_start_nothing_in_production():
    """The demo's defaults, as production would see them with only the required variables set."""
    result = start_production(
        "check",
        SECRET_KEY=DEMO_SECRET_KEY, FIELD_ENCRYPTION_KEYS=DEMO_FIELD_ENCRYPTION_KEY, PII_HASH_KEY=DEMO_PII_HASH_KEY,
        ALLOWED_HOSTS="*", SMS_BACKEND=None, TWILIO_ACCOUNT_SID=None, TWILIO_AUTH_TOKEN=None, TWILIO_FROM_NUMBER=None,
        EMAIL_URL=None, IDENTITY_VERIFICATION_PROVIDER=None, CREDIT_CHECK_PROVIDER=None,
    )  # fmt: skip
    assert result.stderr.count("\n  - ") == 8, result.stderr


def test_production_logs_are_json_lines():
    script = (
        "import django, logging; django.setup();"
        "logging.getLogger('member_center.test').info('hello', extra={'order_id': 7})"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=production_environment(), capture_output=True,
        text=True, check=True, timeout=60,
    )  # fmt: skip
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello"
    assert line["level"] == "INFO"
    assert line["order_id"] == 7
