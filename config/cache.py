"""The cache, with Redis behind it, is a help and never a need.

`ForgivingRedisCache` is Django's `RedisCache` whose every operation survives Redis being
unreachable or failing (refused, reset, timed out, an error answer): a read is a miss, a write
or delete does nothing, and a warning is logged. The caller then computes what it wanted, so a
page is slower, never an error, and no call site needs a guard of its own. After a failure
Redis is left alone for a few seconds (`RETRY_AFTER`), so an outage costs a process one short
timeout now and then, not one per lookup. Short socket timeouts are set in `CACHES`
(config/settings/base.py).
"""

from __future__ import annotations

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger("stip.cache")

RETRY_AFTER = 5.0  # seconds during which, after a failure, Redis is not asked


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.RedisError, OSError)


class _Outage:
    """When Redis last failed in this process, shared by the threads of a worker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until = 0.0

    def forget(self) -> None:
        """Ask Redis again at the next operation."""
        self._until = 0.0

    def ongoing(self) -> bool:
        return time.monotonic() < self._until

    def begin(self, operation: str, error: BaseException) -> None:
        with self._lock:
            first = not self.ongoing()
            self._until = time.monotonic() + RETRY_AFTER
        if first:
            logger.warning(
                "The cache (Redis) is unreachable; computing without it for %s s (%s: %s)",
                RETRY_AFTER,
                operation,
                error,
            )


def _forgiving(operation: str, outcome):
    """Run the client's `operation`; when Redis is unreachable, answer `outcome(*args)`."""

    def wrap(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            if self.outage.ongoing():
                return outcome(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except _redis_errors() as error:
                self.outage.begin(operation, error)
                return outcome(*args, **kwargs)

        return guarded

    return wrap


def _miss(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _not_found(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found")  # as for a key that is not in the cache


class ForgivingRedisCacheClient(RedisCacheClient):
    outage = _Outage()  # one per process: every thread's client knows Redis is down

    def __init__(self, servers, **options) -> None:
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No retries inside redis-py: a miss now beats a hit after three tries with backoff.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(servers, **options)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        """One client per connection pool, kept: Django builds one per operation, which costs
        more than the operation on a page that reads a few cached parts (redis-py's clients
        are safe to share between threads; each command takes a connection from the pool)."""
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client

    add = _forgiving("add", _false)(RedisCacheClient.add)
    get = _forgiving("get", _miss)(RedisCacheClient.get)
    set = _forgiving("set", _nothing)(RedisCacheClient.set)
    touch = _forgiving("touch", _false)(RedisCacheClient.touch)
    delete = _forgiving("delete", _false)(RedisCacheClient.delete)
    get_many = _forgiving("get_many", _empty)(RedisCacheClient.get_many)
    has_key = _forgiving("has_key", _false)(RedisCacheClient.has_key)
    incr = _forgiving("incr", _not_found)(RedisCacheClient.incr)
    set_many = _forgiving("set_many", _nothing)(RedisCacheClient.set_many)
    delete_many = _forgiving("delete_many", _nothing)(RedisCacheClient.delete_many)
    clear = _forgiving("clear", _false)(RedisCacheClient.clear)


class ForgivingRedisCache(RedisCache):
    """Django's RedisCache, for which Redis being down is a miss (see the module)."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ForgivingRedisCacheClient
