"""The zero-set-up demo and local development: SQLite and in-process jobs unless DATABASE_URL / REDIS_URL say otherwise.

The keys below are public on purpose: they protect nothing but demo data. Production refuses to start without real ones.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="demo-only-secret-key-not-for-production-0123456789abcdefghij")
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=["ZGVtby1vbmx5LWZpZWxkLWtleS0wMTIzNDU2Nzg5YWI="])
PII_HASH_KEY = env.str("PII_HASH_KEY", default="demo-only-pii-hash-key")
SMS_BACKEND = env.str("SMS_BACKEND", default="file")
# Demo e-mail is written to files under var/mail/ instead of flooding the console.
if not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(BASE_DIR / "var" / "mail")
LOGGING["loggers"]["celery"] = {"level": "WARNING"}  # noqa: F405
