"""Presence across web processes, as `make run` and `docker compose up --scale web=2` run them:
two gunicorn servers started with the Procfile's web command, one person on each, and each
sees the other within 2 s: through Redis when REDIS_URL is set, through the database table of
the embedded default when it is not."""

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WITHIN = 2_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _web_command() -> list[str]:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return shlex.split(line.split(":", 1)[1])
    raise AssertionError("the Procfile has no web process")


def _database_url(settings_dict: dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


@contextlib.contextmanager
def web_servers(count: int, *, redis_url: str, tmp_path: Path):
    """`count` gunicorn servers on the test database (development settings, as make run)."""
    from django.db import connection

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=_database_url(connection.settings_dict),
        REDIS_URL=redis_url,
        CELERY_BROKER_URL="memory://",
        WEB_CONCURRENCY="1",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    servers = []
    try:
        for number in range(count):
            port = _free_port()
            log = (tmp_path / f"web{number}.log").open("w")
            process = subprocess.Popen(  # noqa: S603 - the Procfile's own command
                _web_command(),
                cwd=ROOT,
                env={**env, "STIP_BIND": f"127.0.0.1:{port}"},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            servers.append((process, f"http://127.0.0.1:{port}"))
        for process, url in servers:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, (tmp_path / "web0.log").read_text()
                try:
                    with urllib.request.urlopen(f"{url}/accounts/login/", timeout=10):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
        yield [url for _process, url in servers]
    finally:
        for process, _url in servers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _open_as(browser, base_url: str, user):
    context = browser.new_context(base_url=base_url, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


@pytest.mark.postgres
@pytest.mark.parametrize("shared_by", ["redis", "database"])
def test_people_on_two_web_processes_see_each_other(
    transactional_db, browser, world, make_document, tmp_path, shared_by
):
    if shared_by == "redis":
        redis_url = os.environ.get("REDIS_URL", "")
        if not redis_url:
            if os.environ.get("CI") == "true":
                pytest.fail("CI must not skip this test: needs REDIS_URL", pytrace=False)
            pytest.skip("needs Redis: set REDIS_URL=redis://…")
        import redis

        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter("stip-live:*"):  # pages of earlier runs' documents
            client.delete(key)
    else:
        redis_url = ""
    # The servers check passwords with the development settings' hasher, not the tests' fast one.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        for user, first, last in (
            (world.contributor, "Anouk", "Visser"),
            (world.lead, "Bram", "de Vries"),
        ):
            user.first_name, user.last_name = first, last
            user.set_password(PASSWORD)
            user.save()
    document = make_document(world, title="Roosteren", body="Wij roosteren.\n")

    with web_servers(2, redis_url=redis_url, tmp_path=tmp_path) as (first, second):
        editor = _open_as(browser, first, world.contributor)
        reader = _open_as(browser, second, world.lead)
        try:
            editor.goto(document.get_absolute_url() + "edit/")
            reader.goto(document.get_absolute_url())
            expect(reader.locator("[data-live-people]")).to_contain_text(
                "Anouk Visser", timeout=WITHIN
            )
            expect(reader.locator("[data-live-people]")).to_contain_text("is editing")
            expect(editor.locator("[data-live-people]")).to_contain_text(
                "Bram de Vries", timeout=WITHIN
            )
        finally:
            editor.context.close()
            reader.context.close()
