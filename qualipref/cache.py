"""Django's Redis cache, made to fail soft: when Redis does not answer, the portal works without a cache.

Everything we keep in the cache can be lost: whole pages (rebuilt from the database), survey
questions, import progress, and the rate limits' counters, which then let citizens through
(``RATELIMIT_FAIL_OPEN``) rather than refuse a complaint. Reads return the default, writes return
False, ``incr`` raises ``ValueError`` (Django's "no such key", which django-ratelimit reads as "fail
open"). The health check still reports the cache as down: what it stores, it cannot read back.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
WARN_EVERY_SECONDS = 60


def _soft(fallback):
    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as error:
                self._warn(method.__name__, error)
                if isinstance(fallback, type) and issubclass(fallback, Exception):
                    raise fallback("the cache is unavailable") from error
                return fallback(*args, **kwargs) if callable(fallback) else fallback

        return wrapper

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


class ResilientRedisCache(RedisCache):
    _last_warning = 0.0

    def _warn(self, operation, error):
        # Once a minute per process: a stopped Redis would otherwise log on every request.
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning >= WARN_EVERY_SECONDS:
            ResilientRedisCache._last_warning = now
            logger.warning("cache unavailable (%s: %s): working without it", operation, error)

    get = _soft(_default)(RedisCache.get)
    get_many = _soft(lambda *args, **kwargs: {})(RedisCache.get_many)
    has_key = _soft(False)(RedisCache.has_key)
    add = _soft(False)(RedisCache.add)
    set = _soft(False)(RedisCache.set)
    set_many = _soft(lambda data, *args, **kwargs: list(data))(RedisCache.set_many)
    touch = _soft(False)(RedisCache.touch)
    delete = _soft(False)(RedisCache.delete)
    delete_many = _soft(None)(RedisCache.delete_many)
    clear = _soft(False)(RedisCache.clear)
    incr = _soft(ValueError)(RedisCache.incr)
    decr = _soft(ValueError)(RedisCache.decr)
