"""The zero-set-up demo and local development: SQLite and in-process jobs unless DATABASE_URL / REDIS_URL say otherwise.

The keys below (published_keys.py) are public on purpose: they protect nothing but demo data. Production refuses them.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, env
from .published_keys import DEMO_FIELD_ENCRYPTION_KEY, DEMO_PII_HASH_KEY, DEMO_SECRET_KEY

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=DEMO_SECRET_KEY)
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[DEMO_FIELD_ENCRYPTION_KEY])
PII_HASH_KEY = env.str("PII_HASH_KEY", default=DEMO_PII_HASH_KEY)
SMS_BACKEND = env.str("SMS_BACKEND", default="file")
# Demo e-mail is written to files under var/mail/ instead of flooding the console.
if not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(BASE_DIR / "var" / "mail")
LOGGING["loggers"]["celery"] = {"level": "WARNING"}  # noqa: F405
