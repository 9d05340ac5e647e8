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


# --- The address Stip is served on --------------------------------------------------------


def _dev_settings(*names: str, **extra: str) -> list[str]:
    env = production_env(DJANGO_SETTINGS_MODULE="config.settings.dev", **extra)
    for name in ("SITE_URL", "DJANGO_ALLOWED_HOSTS", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    code = "from django.conf import settings; " + "; ".join(
        f"print(settings.{name})" for name in names
    )
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-len(names) :]


def test_links_follow_the_address_stip_is_served_on_in_development():
    site_url, admin_url, hosts = _dev_settings(
        "SITE_URL", "WAGTAILADMIN_BASE_URL", "ALLOWED_HOSTS", STIP_BIND="127.0.0.1:8123"
    )
    assert site_url == admin_url == "http://127.0.0.1:8123"
    assert "127.0.0.1" in hosts


def test_serving_on_every_interface_links_to_this_machine_by_name():
    (site_url, hosts) = _dev_settings("SITE_URL", "ALLOWED_HOSTS", STIP_BIND="0.0.0.0:8000")
    assert site_url == f"http://{socket.gethostname()}:8000"
    assert socket.gethostname() in hosts  # and the page answers at that name


def test_gunicorn_binds_to_stip_bind():
    from config.addresses import url_of

    result = subprocess.run(
        [PYTHON, "-c", "import config.gunicorn as g; print(g.bind)"],
        cwd=ROOT,
        env=production_env(STIP_BIND="127.0.0.1:8123"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "127.0.0.1:8123"
    assert url_of("[::1]:9000") == "http://[::1]:9000"
    assert url_of("localhost:80") == "http://localhost"


def test_the_worker_without_redis_says_no_more_than_it_must():
    """The broker on the file system names its host, so kombu does not warn that none was
    supplied on every connection."""
    env = production_env(DJANGO_SETTINGS_MODULE="config.settings.dev")
    env.pop("REDIS_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    result = subprocess.run(
        [
            PYTHON,
            "-c",
            "import logging; logging.basicConfig(); "
            "from config.celery_app import app; "
            "app.loader.import_default_modules(); "
            "connection = app.connection_for_write(); connection.info(); "
            "print(connection.as_uri())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # The file system broker (kombu's, told when the worker stops: config/celery_broker.py).
    assert result.stdout.startswith("config.celery_broker:Transport://")
    assert "@localhost/" in result.stdout
    assert "No hostname" not in result.stderr


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
def test_compose_processes_serve_pages_and_answer_pings(db, tmp_path):
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


# --- make run's supervisor ----------------------------------------------------------------


def _wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}", pytrace=False)
        time.sleep(0.25)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child of the supervisor that exited but was not reaped yet is gone too.
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    return True


def test_make_run_starts_the_procfile_under_the_supervisor():
    makefile = (ROOT / "Makefile").read_text()
    assert "-m config.supervise --procfile Procfile" in makefile
    assert "honcho" not in makefile


@pytest.mark.postgres
@pytest.mark.parametrize(
    "broker",
    [
        pytest.param("redis", marks=pytest.mark.redis),
        # What a newcomer's `make run` has without Redis: Celery's broker on the file system.
        "filesystem",
    ],
)
def test_supervisor_restarts_a_process_that_dies_and_stops_all_on_ctrl_c(db, tmp_path, broker):
    """The Procfile's web, worker and beat under `python -m config.supervise`, as `make run`
    starts them: a killed worker is reported and started again; Ctrl-C (SIGINT to the
    terminal's process group) stops all three within a few seconds, exit code 0, no errors."""
    from django.db import connection

    port = _free_port()
    if broker == "redis":
        queue = {"REDIS_URL": os.environ["REDIS_URL"]}
    else:
        queue = {"REDIS_URL": "", "CELERY_FILESYSTEM_BROKER_DIR": str(tmp_path / "celery")}
        for folder in ("queue", "processed", "control"):
            (tmp_path / "celery" / folder).mkdir(parents=True)
    env = production_env(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=_database_url(connection.settings_dict),
        **queue,
        STIP_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        MEDIA_ROOT=str(tmp_path / "media"),
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "celerybeat-schedule"),
    )
    logs = tmp_path / "log"
    output = tmp_path / "supervisor.out"
    supervisor = subprocess.Popen(
        [PYTHON, "-m", "config.supervise", "--procfile", "Procfile", "--log-dir", str(logs)],
        cwd=ROOT,
        env=env,
        stdout=output.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def said() -> str:
        return output.read_text()

    def log(name: str) -> str:
        path = logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    try:
        _wait_until(lambda: _answers(f"http://127.0.0.1:{port}/accounts/login/"), 60, "web answers")
        _wait_until(lambda: " ready." in log("worker"), 60, "the worker is ready")
        _wait_until(lambda: "beat: Starting" in log("beat"), 30, "beat starts")
        pids = dict(re.findall(r"(\w+) started \(pid (\d+)", said()))
        assert set(pids) == {"web", "worker", "beat"}, said()

        os.kill(int(pids["worker"]), signal.SIGKILL)
        _wait_until(lambda: "worker started again" in said(), 20, "the worker is restarted")
        assert "worker was killed by signal 9" in said()
        new_worker = int(re.search(r"worker started again \(pid (\d+)", said()).group(1))
        _wait_until(lambda: log("worker").count(" ready.") >= 2, 60, "the new worker is ready")
        assert _alive(new_worker)
        assert _answers(f"http://127.0.0.1:{port}/accounts/login/")

        before = {name: len(log(name)) for name in ("web", "worker", "beat")}
        heard = len(said())
        os.killpg(supervisor.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        started = time.monotonic()
        code = supervisor.wait(timeout=20)
        took = time.monotonic() - started
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
            supervisor.wait()

    assert code == 0, said()
    # A generous bound on a loaded machine (it takes 2-4 s); the supervisor kills at 10 s.
    assert took < 8, f"stopping took {took:.1f} s"
    assert "Stopped." in said()
    assert "Warm shutdown" in log("worker")
    for pid in (int(pids["web"]), int(pids["beat"]), new_worker):
        assert not _alive(pid)
    after = said()[heard:] + "".join(log(name)[before[name] :] for name in before)
    for bad in ("ERROR", "CRITICAL", "Traceback", "killing it"):
        assert bad not in after, after


def test_pages_name_an_icon_of_their_own(client, db):
    """A browser asks every site for an icon: without one it logs a failed /favicon.ico."""
    from django.contrib.staticfiles import finders

    html = client.get("/accounts/login/").content.decode()
    icon = re.search(r'<link rel="icon" href="/static/([^"]+)"', html)
    assert icon is not None and finders.find(icon.group(1)) is not None
