"""A provider rate limit shared by every worker process: a sliding one-second window in Redis.

Celery's own ``rate_limit`` counts per worker, so with N workers the provider would see N times the limit. A
fixed per-second counter lets a burst at the end of one second and another at the start of the next through
(up to twice the limit in any rolling second); the sliding window counts the slots taken in the last second,
whenever that second started. Without Redis (the demo) there is one process and no limit is needed.
"""

import time
import uuid

import redis
from django.conf import settings

# Drop slots older than a second, count the rest, take one if there is room — atomically, for every worker at once.
_TAKE_SLOT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - 1)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
    redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
    redis.call('EXPIRE', KEYS[1], 2)
    return 1
end
return 0
"""

_clients: dict[str, redis.Redis] = {}


def _client() -> redis.Redis:
    """One client (and its connection pool) per Redis URL and process."""
    if settings.REDIS_URL not in _clients:
        _clients[settings.REDIS_URL] = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
    return _clients[settings.REDIS_URL]


def acquire_send_slot(*, provider: str, per_second: int, now: float | None = None) -> bool:
    """True when one more message may go to ``provider`` without exceeding ``per_second`` in any rolling second."""
    if not settings.REDIS_URL or per_second <= 0:
        return True
    at = now if now is not None else time.time()
    key = f"{settings.CACHES['default'].get('KEY_PREFIX', 'mc')}:rate:{provider}"
    return bool(_client().eval(_TAKE_SLOT, 1, key, f"{at:.6f}", per_second, uuid.uuid4().hex))
