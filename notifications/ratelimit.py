"""A provider rate limit shared by every worker process: a per-second counter in Redis.

Celery's own ``rate_limit`` counts per worker, so with N workers the provider would see N times the limit.
Without Redis (the demo) there is one process and no limit is needed.
"""

import time

import redis
from django.conf import settings

_clients: dict[str, redis.Redis] = {}


def _client() -> redis.Redis:
    """One client (and its connection pool) per Redis URL and process."""
    if settings.REDIS_URL not in _clients:
        _clients[settings.REDIS_URL] = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
    return _clients[settings.REDIS_URL]


def acquire_send_slot(*, provider: str, per_second: int, now: float | None = None) -> bool:
    """True when one more message may go to ``provider`` in the current second."""
    if not settings.REDIS_URL or per_second <= 0:
        return True
    second = int(now if now is not None else time.time())
    key = f"{settings.CACHES['default'].get('KEY_PREFIX', 'mc')}:rate:{provider}:{second}"
    pipeline = _client().pipeline()
    pipeline.incr(key)
    pipeline.expire(key, 3)
    count, _expiry = pipeline.execute()
    return int(count) <= per_second
