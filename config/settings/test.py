"""Tests: a real PostgreSQL and a real Redis, Celery tasks run in-process."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import BASE_DIR, env
from .published_keys import TEST_FIELD_ENCRYPTION_KEY, TEST_PII_HASH_KEY, TEST_SECRET_KEY

SECRET_KEY = TEST_SECRET_KEY
FIELD_ENCRYPTION_KEYS = [TEST_FIELD_ENCRYPTION_KEY]
PII_HASH_KEY = TEST_PII_HASH_KEY

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/member_center")}
# Two checkouts on one machine can test side by side with their own TEST_DATABASE_NAME.
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_member_center")}
# Our PostgreSQL backend, whose flush between transactional tests deletes rows rather than truncating every table.
DATABASES["default"]["ENGINE"] = "tests.postgresql_backend"
# A throwaway database need not wait for its WAL to reach the disk: every commit, and the flush after every
# transactional test, returns sooner. Set per connection; the server's own configuration is left alone.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"


def redis_url_for_worker(base_url: str, worker: str) -> str:
    """pytest-xdist runs the suite in worker processes gw0, gw1…; pytest-django gives each its own test database
    (<name>_gw0…). Every test clears its whole Redis database, so each worker takes its own number too: the base
    URL's number minus the worker's index (gw0 keeps the base one)."""
    index = int(worker.removeprefix("gw") or 0)
    prefix, _, number = base_url.rpartition("/")
    if not index:
        return base_url
    if not number.isdigit() or int(number) < index:
        raise ImproperlyConfigured(f"REDIS_URL needs a database number of at least {index} for {worker}: {base_url}")
    return f"{prefix}/{int(number) - index}"


XDIST_WORKER = env.str("PYTEST_XDIST_WORKER", default="")
_PER_WORKER = f"-{XDIST_WORKER}" if XDIST_WORKER else ""
REDIS_URL = redis_url_for_worker(env.str("REDIS_URL", default="redis://127.0.0.1:6379/15"), XDIST_WORKER)
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
SMS_FILE_PATH = str(BASE_DIR / "var" / f"test-sms{_PER_WORKER}.jsonl")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / f"test-media{_PER_WORKER}"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOG_LEVEL = "WARNING"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# Every reuse of a baked statement (common/baked.py) is compiled again and compared with the queryset it stands for.
BAKED_STATEMENTS_VERIFY = True
