"""Fixtures for the failure tests: a real Celery worker as a separate OS process that can be
killed, a real SMTP server that can stall mid-message, and a PostgreSQL row lock held by the test
to stop a worker in the middle of its transaction.

The worker process runs the production settings' Celery setup (tasks acknowledged when they
start, prefetch 1, reconnecting to the broker for as long as it takes) with `config.settings.dev`,
on the test's database and Redis, sending e-mail to the SMTP server of the test. Tests that stop
Redis start a server of their own on a free port (`own_redis`): the shared one stays up.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from tests.smtp import smtp_server_start
from tests.worker import celery_redis, celery_worker_redis  # noqa: F401

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY = BASE_DIR / ".venv" / "bin" / "celery"


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll until `predicate()` holds. Unlike `CeleryOnRedis.wait_for` it leaves the test's
    database connection alone, so it can be used while the test holds a lock in a transaction."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {timeout} seconds for {what}", pytrace=False)
        time.sleep(0.05)


# --- PostgreSQL --------------------------------------------------------------------------------


def backends_blocked_by_me() -> list[int]:
    """Database sessions waiting for a lock that the test's own connection holds."""
    with connection.cursor() as cursor:
        # pg_stat_activity is read once per transaction unless told to look again.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))"
        )
        return [row[0] for row in cursor.fetchall()]


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def _database_url() -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


# --- SMTP --------------------------------------------------------------------------------------


@dataclass
class Received:
    to: tuple[str, ...]
    message_id: str
    subject: str


class StallingSmtp:
    """An aiosmtpd handler that records every message it receives. Told to `stall_at(n)`, it
    records the n-th message (it is in the mailbox) and then does not answer until released:
    the sender cannot know the message arrived, which is where a worker is killed."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._stall_at: int | None = None
        self.stalled = threading.Event()
        self._release = threading.Event()

    def stall_at(self, number: int) -> None:
        self._stall_at = len(self.received) + number
        self.stalled.clear()
        self._release.clear()

    def release(self) -> None:
        self._stall_at = None
        self._release.set()

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(
            Received(
                to=tuple(envelope.rcpt_tos),
                message_id=str(parsed["Message-ID"]),
                subject=str(parsed["Subject"]),
            )
        )
        if self._stall_at is not None and len(self.received) == self._stall_at:
            self.stalled.set()
            await asyncio.get_running_loop().run_in_executor(None, self._release.wait, 120)
        return "250 OK"

    def copies_to(self, address: str) -> list[Received]:
        return [message for message in self.received if address in message.to]


@pytest.fixture
def smtp() -> Iterator[tuple[StallingSmtp, int]]:
    handler = StallingSmtp()
    controller, port = smtp_server_start(handler)
    try:
        yield handler, port
    finally:
        handler.release()
        controller.stop()


# --- the worker process ------------------------------------------------------------------------


class WorkerProcess:
    """`celery --app config.celery_app worker` (as in the Procfile) in its own process group."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        assert self.process is None, "one worker at a time"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(CELERY),
                    "--app",
                    "config.celery_app",
                    "worker",
                    "--loglevel",
                    "INFO",
                    "--concurrency",
                    "1",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                ],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL to the worker and its pool process at once: a crash, no shutdown."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        """A warm shutdown (SIGTERM): the task in hand finishes first."""
        if self.process is None:
            return
        self.process.terminate()  # the main process only; it stops its pool itself
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None


def _forget_unacked(broker_url: str) -> None:
    """A killed worker's message stays in Redis's unacked set until the visibility timeout (an
    hour) brings it back; drop it so it cannot turn up in a later test on this Redis db."""
    import redis

    client = redis.Redis.from_url(broker_url)
    try:
        client.delete("unacked", "unacked_index", "unacked_mutex")
    finally:
        client.close()


@pytest.fixture
def worker_process(celery_redis, smtp, tmp_path) -> Iterator[WorkerProcess]:  # noqa: F811
    """A worker process (not started yet) on the test's database, Redis and SMTP server."""
    handler, port = smtp
    broker_url = celery_redis.app.conf.broker_url
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": broker_url,
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "SITE_URL": "http://testserver",
        "STIP_NOTIFICATION_COALESCE_SECONDS": "0",
        "STIP_LOG_LEVEL": "WARNING",
    }
    env.pop("CI", None)
    _forget_unacked(broker_url)
    worker = WorkerProcess(env, tmp_path / "worker.log")
    try:
        yield worker
    finally:
        worker.stop()
        handler.release()
        _forget_unacked(broker_url)
        if worker.log.exists():  # shown by pytest when the test failed
            print(worker.log.read_text()[-8000:])


# --- a Redis server of the test's own ----------------------------------------------------------


class RedisServer:
    """`redis-server` on a free local port, in its own process group, that the test can kill
    (SIGKILL: an outage, not a shutdown) and start again on the same port. It keeps nothing on
    disk, so a restarted server is empty, as one that lost its memory."""

    def __init__(self, workdir: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert self.process is None
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self.answers, "Redis to answer", timeout=10)

    def answers(self) -> bool:
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.2)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.kill()


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed", pytrace=False)
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def worker_on_own_redis(own_redis, smtp, tmp_path, transactional_db) -> Iterator[WorkerProcess]:
    """A worker process (not started yet) whose broker is `own_redis`; the test process sends
    its tasks there too."""
    from config.celery_app import app
    from tests.worker import _reset_producers

    handler, port = smtp
    saved = {key: app.conf.get(key) for key in ("broker_url", "task_always_eager")}
    app.conf.broker_url = own_redis.url
    app.conf.task_always_eager = False
    _reset_producers(app)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": own_redis.url,
        "CELERY_BROKER_URL": own_redis.url,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "SITE_URL": "http://testserver",
        "STIP_LOG_LEVEL": "WARNING",
    }
    env.pop("CI", None)
    worker = WorkerProcess(env, tmp_path / "worker.log")
    try:
        yield worker
    finally:
        worker.stop()
        handler.release()
        for key, value in saved.items():
            app.conf[key] = value
        _reset_producers(app)
        if worker.log.exists():  # shown by pytest when the test failed
            print(worker.log.read_text()[-8000:])
