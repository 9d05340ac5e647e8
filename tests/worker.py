"""A real Celery worker on real Redis, for tests about what happens after commit.

The test settings run tasks eagerly (in-process). Tests that are about Celery itself (the
outbox, retries, idempotency, reminders) use these fixtures instead: tasks then travel through
the Redis broker named by ``REDIS_URL`` to a worker thread (solo pool) in the test process,
which works on the test database.

Make the fixtures available in your test folder's ``conftest.py`` (importing them into the test
module itself trips ruff's F811)::

    # tests/<app>/conftest.py
    from tests.worker import celery_redis, celery_worker_redis  # noqa: F401

and use them like this::

    import pytest
    from tests.worker import broker_unreachable

    pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

    def test_reminder_is_sent(celery_worker_redis):
        reminder_schedule(...)                      # enqueues with transaction.on_commit
        celery_worker_redis.wait_for(lambda: len(mail.outbox) == 1)

Rules:

- Tests must use the ``transactional_db`` fixture (or ``django_db(transaction=True)``): the
  worker thread has its own database connection and only sees committed rows.
- Mark them ``redis`` (and ``postgres`` when they need PostgreSQL's locking); without
  ``REDIS_URL`` they are skipped, under ``CI=true`` they fail.
- Use a Redis database of your own (``REDIS_URL=redis://127.0.0.1:6379/<n>``): the queue is
  purged before each test.

Fixtures and helpers:

- ``celery_redis`` points the Celery app at Redis and turns eager mode off, without a worker,
  so a test can enqueue first and start a worker later (``celery_redis.start_worker()``).
- ``celery_worker_redis`` is the same with a worker running for the whole test.
- ``broker_unreachable(app)`` is a context manager that points the producer at a closed port, to
  show that a request does not depend on the broker.
- ``CeleryOnRedis.wait_for(predicate, timeout=...)`` polls until ``predicate()`` is true (failing
  the test otherwise); ``CeleryOnRedis.drain()`` waits until the queue is empty and the worker
  idle.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable, Iterator

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import close_old_connections, connections

from config.celery_app import app as stip_celery_app


def _closed_port() -> int:
    """A local TCP port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reset_producers(app: Celery) -> None:
    """Forget pooled broker connections, so the next publish uses the current broker URL."""
    app._pool = None
    with contextlib.suppress(AttributeError, KeyError):
        app.__dict__["amqp"]._producer_pool = None


@contextlib.contextmanager
def broker_unreachable(app: Celery = stip_celery_app) -> Iterator[None]:
    """Point the producer at a closed port for the duration (the broker is "down")."""
    previous = app.conf.broker_url
    _reset_producers(app)
    app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    try:
        yield
    finally:
        app.conf.broker_url = previous
        _reset_producers(app)


def _close_worker_connections(**kwargs) -> None:
    """The worker thread's Django connections must not outlive a task: the test database is
    flushed or dropped after the test."""
    connections.close_all()


class CeleryOnRedis:
    def __init__(self, app: Celery) -> None:
        self.app = app
        self._worker_cm = None
        self.worker = None

    def start_worker(self) -> None:
        if self._worker_cm is not None:
            return
        self._worker_cm = start_worker(
            self.app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30
        )
        self.worker = self._worker_cm.__enter__()

    def stop_worker(self) -> None:
        if self._worker_cm is None:
            return
        cm, self._worker_cm, self.worker = self._worker_cm, None, None
        cm.__exit__(None, None, None)

    def purge(self) -> None:
        with self.app.connection_for_write() as conn:
            self.app.control.purge(connection=conn)

    def queue_length(self) -> int:
        import redis

        client = redis.Redis.from_url(self.app.conf.broker_url)
        try:
            return int(client.llen(self.app.conf.task_default_queue or "celery"))
        finally:
            client.close()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            close_old_connections()
            if predicate():
                return
            if time.monotonic() > deadline:
                pytest.fail(f"Celery did not get there within {timeout} seconds", pytrace=False)
            time.sleep(0.05)

    def drain(self, timeout: float = 20.0) -> None:
        """Wait until nothing is queued and the worker has nothing in hand."""
        from celery.worker import state

        self.wait_for(
            lambda: (
                self.queue_length() == 0
                and not state.active_requests
                and not state.reserved_requests
            ),
            timeout,
        )


@pytest.fixture
def celery_redis(transactional_db) -> Iterator[CeleryOnRedis]:
    url = os.environ.get("REDIS_URL", "")
    if not url.startswith("redis://"):
        pytest.skip("needs Redis: set REDIS_URL=redis://…")
    app = stip_celery_app
    saved = {
        key: app.conf.get(key)
        for key in ("broker_url", "task_always_eager", "task_eager_propagates")
    }
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False
    _reset_producers(app)
    task_postrun.connect(_close_worker_connections, weak=False)
    helper = CeleryOnRedis(app)
    helper.purge()
    try:
        yield helper
    finally:
        helper.stop_worker()
        task_postrun.disconnect(_close_worker_connections)
        for key, value in saved.items():
            app.conf[key] = value
        _reset_producers(app)


@pytest.fixture
def celery_worker_redis(celery_redis: CeleryOnRedis) -> Iterator[CeleryOnRedis]:
    celery_redis.start_worker()
    yield celery_redis
