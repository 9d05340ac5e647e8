"""The platform around the code: production settings, the processes docker-compose runs, and the
configuration a newcomer copies from .env.example."""

import contextlib
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(sys.executable).parent


def production_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_")) and key != "CI"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="stip.example.org,localhost,127.0.0.1",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


# --- Production settings ----------------------------------------------------------------


def test_production_settings_pass_the_deployment_checklist_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    if (ROOT / ".env").exists() and "DJANGO_SECRET_KEY" in (ROOT / ".env").read_text():
        env["DJANGO_SECRET_KEY"] = ""  # .env would fill it in; an empty key must fail too
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_warns_about_a_short_secret_key():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(DJANGO_SECRET_KEY="too-short"),
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


# --- make run and docker-compose run the same processes ---------------------------------


def test_docker_compose_runs_the_commands_make_run_starts():
    services = compose()["services"]
    processes = procfile()
    assert set(processes) == {"web", "worker", "beat"}
    for name, command in processes.items():
        assert services[name]["command"] == command, name
    assert processes["web"].startswith("gunicorn ")
    assert " worker" in processes["worker"]
    assert " beat" in processes["beat"]


def test_docker_compose_has_the_production_stack_and_scales_web_and_worker():
    services = compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"].startswith("redis://")
        assert services[name]["env_file"] == ".env"
    for name in ("web", "worker"):
        # A fixed container name or host port would make `--scale` fail.
        assert "container_name" not in services[name]
        assert "ports" not in services[name]


def test_env_example_lists_every_variable_the_settings_read():
    example = (ROOT / ".env.example").read_text()
    read = set()
    for path in (ROOT / "config").rglob("*.py"):
        source = path.read_text()
        read |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", source))
        read |= set(re.findall(r"os\.environ\.get\(\"([A-Z][A-Z0-9_]+)\"", source))
    read.discard("DJANGO_SETTINGS_MODULE")
    assert read, "no settings variables found: the pattern is out of date"
    missing = sorted(name for name in read if not re.search(rf"^#? ?{name}=", example, re.M))
    assert not missing, f"add these to .env.example, with a comment: {missing}"


def test_makefile_creates_the_folders_of_the_zero_setup_default():
    makefile = (ROOT / "Makefile").read_text()
    for folder in ("var/celery/queue", "var/celery/processed", "var/mail"):
        assert folder in makefile


# --- The compose commands, run as processes against PostgreSQL and Redis ----------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def _database_url(settings_dict: dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


@pytest.mark.postgres
@pytest.mark.redis
def test_compose_processes_serve_pages_and_answer_pings(django_db_setup, tmp_path):
    """gunicorn, a Celery worker and Celery beat, started with docker-compose's commands and
    production settings against this run's test database and Redis, for a few seconds."""
    from django.db import connection

    port = _free_port()
    env = production_env(
        DATABASE_URL=_database_url(connection.settings_dict),
        REDIS_URL=os.environ["REDIS_URL"],
        STIP_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "celerybeat-schedule"),
    )
    collected = manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
    assert collected.returncode == 0, collected.stderr

    commands = procfile()
    processes: dict[str, subprocess.Popen] = {}
    logs = {name: tmp_path / f"{name}.log" for name in commands}
    try:
        for name, command in commands.items():
            processes[name] = subprocess.Popen(
                shlex.split(command),
                cwd=ROOT,
                env=env,
                stdout=logs[name].open("w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        status = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and status != 200:
            assert processes["web"].poll() is None, logs["web"].read_text()
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/accounts/login/",
                headers={"Host": "stip.example.org", "X-Forwarded-Proto": "https"},
            )
            try:
                with urllib.request.urlopen(request, timeout=20) as response:
                    status = response.status
                    page = response.read().decode()
            except OSError:  # not listening yet, or still starting up
                time.sleep(0.5)
        assert status == 200, logs["web"].read_text()
        assert "<form" in page

        ping = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert processes["worker"].poll() is None, logs["worker"].read_text()
            ping = subprocess.run(
                [BIN / "celery", "--app", "config.celery_app", "inspect", "ping", "--timeout", "3"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            if ping.returncode == 0 and "pong" in ping.stdout:
                break
            time.sleep(1)
        assert ping is not None and "pong" in ping.stdout, logs["worker"].read_text()

        assert processes["beat"].poll() is None, logs["beat"].read_text()
        deadline = time.monotonic() + 30
        while "beat: Starting" not in logs["beat"].read_text() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert "beat: Starting" in logs["beat"].read_text()
    finally:
        for process in processes.values():
            _stop(process)
