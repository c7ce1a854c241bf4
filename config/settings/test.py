"""Tests: a real PostgreSQL and a real Redis, Celery tasks run in-process."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env
from .published_keys import TEST_FIELD_ENCRYPTION_KEY, TEST_PII_HASH_KEY, TEST_SECRET_KEY

SECRET_KEY = TEST_SECRET_KEY
FIELD_ENCRYPTION_KEYS = [TEST_FIELD_ENCRYPTION_KEY]
PII_HASH_KEY = TEST_PII_HASH_KEY

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/member_center")}
# Two checkouts on one machine can test side by side with their own TEST_DATABASE_NAME.
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_member_center")}
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "mc-test",
    }
}
CELERY_BROKER_URL = REDIS_URL
# Tasks run inline so a test sees their effect; on_commit callbacks are captured explicitly where it matters.
CELERY_TASK_ALWAYS_EAGER = True

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SMS_BACKEND = "file"
SMS_FILE_PATH = str(BASE_DIR / "var" / "test-sms.jsonl")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOG_LEVEL = "WARNING"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
