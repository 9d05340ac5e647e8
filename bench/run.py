"""`make bench`: Stip side by side with django-wiki, and Stip against its own goals.

Sets up everything it measures (PostgreSQL databases of its own, django-wiki in its own virtual
environment under var/bench/, a bare Django project), serves each with the same gunicorn
command, loads it from a separate process on loopback for a bounded time, and writes
bench/results/latest.json and latest.md. See bench/README.md for how to read them.

Environment: BENCH_PG (postgres://postgres@127.0.0.1:5432), BENCH_REDIS
(redis://127.0.0.1:6379/15), BENCH_SECONDS (10 per load), BENCH_WORKERS (nproc), BENCH_NAME
(bench: the databases are stip_<name> and djwiki_<name>), BENCH_PORT (8711, and the next two);
BENCH_SKIP_DJWIKI=1 and BENCH_SKIP_COMPANIONS=1 leave out django-wiki and the companion scripts.
"""

import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VAR = ROOT / "var" / "bench"
RESULTS = BENCH / "results"
PY = sys.executable

sys.path.insert(0, str(BENCH))
import djwiki  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/15")
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
NAME = os.environ.get("BENCH_NAME", "bench")
CONNECTIONS = 8
_PORT = int(os.environ.get("BENCH_PORT", "8711"))
PORTS = {"stip": _PORT, "djwiki": _PORT + 1, "bare": _PORT + 2}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def load_average() -> list[float]:
    """The machine's load over 1, 5 and 15 minutes: other work on it slows every side."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        memory_kb = 0
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "load_generator": "wrk" if shutil.which("wrk") else "bench/loadgen.py (Python)",
        "gunicorn_workers": WORKERS,
        "connections": CONNECTIONS,
        "seconds_per_load": SECONDS,
        "load_average_at_start": load_average(),
    }


def fresh_database(name: str) -> str:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def run(cmd: list[str], env: dict, cwd: Path = ROOT) -> str:
    result = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-5000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return result.stdout


def last_json(output: str) -> dict:
    for line in reversed(output.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError(f"no JSON in output: {output[-500:]}")


class Server:
    """gunicorn with the same flags for every contestant."""

    def __init__(self, name: str, python: str, app: str, env: dict, cwd: Path) -> None:
        self.name, self.port = name, PORTS[name]
        gunicorn = str(Path(python).parent / "gunicorn")
        self.process = subprocess.Popen(
            [
                gunicorn,
                app,
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=open(VAR / f"{name}-gunicorn.log", "w"),  # noqa: SIM115
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:  # until a worker has booted and answers
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                requests.get(self.base + "/", timeout=120)
                return
            except (OSError, requests.RequestException):
                time.sleep(0.5)
        self.stop()
        raise SystemExit(f"{name} did not start; see {VAR / f'{name}-gunicorn.log'}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def load_get(server: Server, path: str, session: str | None) -> dict:
    """wrk (or bench/loadgen.py) on one address for BENCH_SECONDS; `session` None: anonymous.
    The figures carry the machine's load average seen when the load ended."""
    url = server.base + path
    cookies = {"sessionid": session} if session else {}
    check = requests.get(url, cookies=cookies, timeout=120)
    if check.status_code != 200:
        raise SystemExit(f"{server.name} {path} answered {check.status_code}")
    # As a browser does: the cookies the first answer set (a language, a CSRF token) come back.
    cookies = {**check.cookies.get_dict(), **cookies}
    for _ in range(4 * WORKERS):  # warm every worker's caches
        requests.get(url, cookies=cookies, timeout=120)
    if shutil.which("wrk"):
        jar = "; ".join(f"{name}={value}" for name, value in cookies.items())
        header = ["-H", f"Cookie: {jar}"] if jar else []
        output = run(
            [
                "wrk",
                "-t1",
                f"-c{CONNECTIONS}",
                f"-d{SECONDS}s",
                "--timeout",
                "10s",
                "-s",
                str(BENCH / "wrk_report.lua"),
                *header,
                url,
            ],
            env=os.environ.copy(),
        )
        line = next(x for x in output.splitlines() if x.startswith("WRKJSON "))
        raw = json.loads(line.removeprefix("WRKJSON "))
        result = {
            "requests": raw["requests"],
            "seconds": round(raw["seconds"], 2),
            "errors": raw["errors"],
            "rps": round(raw["requests"] / raw["seconds"], 1),
            "p50_ms": round(raw["p50_us"] / 1000, 1),
            "p95_ms": round(raw["p95_us"] / 1000, 1),
        }
    else:
        spec = {"kind": "get", "url": url, "cookies": cookies, "threads": CONNECTIONS}
        spec["seconds"] = SECONDS
        result = last_json(
            run([PY, str(BENCH / "loadgen.py"), json.dumps(spec)], os.environ.copy())
        )
    result["load_average"] = load_average()
    return result


def load_save(server: Server, data: dict, fields: dict, extra: dict | None = None) -> dict:
    spec = {
        "kind": "save",
        "base": server.base,
        "seconds": SECONDS,
        "fields": fields,
        "extra": extra or {},
        "targets": [
            {"url": url, "session": session}
            for url, session in zip(data["edit_urls"], data["editor_sessions"], strict=True)
        ],
    }
    result = last_json(run([PY, str(BENCH / "loadgen.py"), json.dumps(spec)], os.environ.copy()))
    result["load_average"] = load_average()
    return result


def stip_env(database_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DJANGO_DEBUG": "False",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS,
        "STIP_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def bench_stip(figures: dict) -> tuple[dict, dict, dict]:
    env = stip_env(fresh_database(f"stip_{NAME}"))
    log("Stip: migrating and building the data (1,000 versions through the services)")
    run([PY, "manage.py", "migrate", "--no-input", "-v0"], env)
    data = last_json(run([PY, str(BENCH / "stip_setup.py")], env))
    server = Server("stip", PY, "config.wsgi:application", env, ROOT)
    try:
        pages = {
            "reader": requests.get(
                server.base + data["page_url"],
                cookies={"sessionid": data["reader_session"]},
                timeout=30,
            ).content,
            "anonymous": requests.get(server.base + data["page_url"], timeout=30).content,
        }
        log("Stip: page view, logged-in reader")
        figures["page"]["stip"] = load_get(server, data["page_url"], data["reader_session"])
        log("Stip: page view, anonymous reader of the open programme")
        figures["anonymous"]["stip"] = load_get(server, data["page_url"], None)
        log("Stip: history of 1,000 versions")
        figures["history"]["stip"] = load_get(server, data["history_url"], data["reader_session"])
        log("Stip: saving edits")
        figures["save"]["stip"] = load_save(
            server,
            data,
            {"title": "title", "text": "body", "summary": "summary", "base": "base_version"},
        )
    finally:
        server.stop()
    return env, data, pages


def bench_djwiki(figures: dict, stip: dict) -> None:
    venv = VAR / "djwiki-venv"
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    wanted = " ".join(djwiki.PIP_REQUIREMENTS)
    if not marker.exists() or marker.read_text() != wanted:
        log("django-wiki: installing the PyPI package `wiki` into var/bench/djwiki-venv")
        subprocess.run(["python3.11", "-m", "venv", str(venv)], check=True)
        pip = [str(python), "-m", "pip", "install", "-q", *djwiki.PIP_REQUIREMENTS]
        run(pip, os.environ.copy())
        marker.write_text(wanted)
    project = VAR / "djwiki"
    djwiki.write_project(project)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "djwiki_site.settings",
        "DATABASE_URL": fresh_database(f"djwiki_{NAME}"),
        "REDIS_URL": REDIS,
        "BENCH_CONN_MAX_AGE": str(stip["conn_max_age"]),
        "BENCH_DB_OPTIONS": json.dumps(stip["database_options"]),
        "BENCH_SESSION_ENGINE": stip["session_engine"],
        "STIP_BENCH_DIR": str(BENCH),
        "PYTHONPATH": str(project),
    }
    log("django-wiki: migrating and building the same data")
    run([str(python), "manage.py", "migrate", "--no-input", "-v0"], env, cwd=project)
    data = last_json(run([str(python), "seed.py"], env, cwd=project))
    server = Server("djwiki", str(python), "djwiki_site.wsgi:application", env, project)
    try:
        log("django-wiki: page view")
        figures["page"]["djwiki"] = load_get(server, data["page_url"], data["reader_session"])
        log("django-wiki: history of 1,000 versions")
        figures["history"]["djwiki"] = load_get(server, data["history_url"], data["reader_session"])
        log("django-wiki: saving edits")
        figures["save"]["djwiki"] = load_save(
            server,
            data,
            {"title": "title", "text": "content", "summary": "summary", "base": "current_revision"},
            # django-wiki's edit form saves only with its button's value (else it previews).
            extra={"save": "1"},
        )
    finally:
        server.stop()


BARE_SETTINGS = """
# Stip's own settings (its whole middleware stack, sessions, cache and database), with one view.
from config.settings.dev import *  # noqa: F403

ROOT_URLCONF = "bare_site.urls"
"""
BARE_URLS = """
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

READER = (Path(__file__).parent / "reader.html").read_bytes()
ANONYMOUS = (Path(__file__).parent / "anonymous.html").read_bytes()


def page(request):
    # As a page that shows who reads it: the session and the user are loaded.
    return HttpResponse(READER if request.user.is_authenticated else ANONYMOUS)


urlpatterns = [path("page/", page)]
"""
BARE_WSGI = """
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare_site.settings")
application = get_wsgi_application()
"""


def bench_bare(figures: dict, env: dict, data: dict, pages: dict) -> None:
    """The framework's limit for this page: a Django view that returns the bytes Stip served
    (to the reader, and to an anonymous visitor), run with Stip's settings, through Stip's full
    middleware stack, with the same logged-in session, database and cache."""
    site = VAR / "bare" / "bare_site"
    site.mkdir(parents=True, exist_ok=True)
    for name, text in {
        "__init__.py": "",
        "settings.py": BARE_SETTINGS,
        "urls.py": BARE_URLS,
        "wsgi.py": BARE_WSGI,
    }.items():
        (site / name).write_text(text)
    for name, content in pages.items():
        (site / f"{name}.html").write_bytes(content)
    env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "bare_site.settings",
        "PYTHONPATH": f"{site.parent}{os.pathsep}{ROOT}",
    }
    server = Server("bare", PY, "bare_site.wsgi:application", env, ROOT)
    try:
        log("bare Django view with Stip's page, Stip's middleware, logged-in reader")
        figures["page"]["bare"] = load_get(server, "/page/", data["reader_session"])
        log("bare Django view with Stip's page, Stip's middleware, anonymous")
        figures["anonymous"]["bare"] = load_get(server, "/page/", None)
    finally:
        server.stop()


def companion(script: str, env: dict) -> dict | None:
    """bench/fanout.py, bench/timeboxes.py, bench/exports.py (the annex of a baseline) and
    bench/rendering.py (the worst case of rendering)."""
    path = BENCH / script
    if not path.exists():
        return None
    log(f"{script}")
    result = subprocess.run([PY, str(path)], env=env, cwd=ROOT, capture_output=True, text=True)
    try:
        return last_json(result.stdout)
    except ValueError:
        return {"error": f"exit {result.returncode}: {(result.stdout + result.stderr)[-800:]}"}


def goal(name: str, measured: str, target: str, met: bool | None) -> dict:
    return {"goal": name, "measured": measured, "target": target, "met": met}


def ratio_goal(name: str, ours: dict | None, theirs: dict | None, floor: float) -> dict:
    """Stip's req/s over another's, both from this run. A load that had errors is no
    measurement: the goal is reported as invalid, not as met or missed."""
    target = f"≥ {floor:g}×"
    if not ours or not theirs:
        return goal(name, "not measured", target, None)
    errors = ours["errors"] + theirs["errors"]
    if errors:
        return goal(name, f"INVALID: {errors} errors", target, None)
    ratio = ours["rps"] / theirs["rps"]
    return goal(name, f"{ratio:.2f}×", target, ratio >= floor)


def goals(figures: dict) -> list[dict]:
    page, anonymous, inproc = figures["page"], figures.get("anonymous", {}), figures["inprocess"]
    history, save = figures["history"], figures["save"]
    rows = [
        ratio_goal("page view vs django-wiki", page.get("stip"), page.get("djwiki"), 2),
        ratio_goal("page view vs bare Django view", page.get("stip"), page.get("bare"), 0.5),
        ratio_goal(
            "anonymous page view vs bare Django view (anonymous)",
            anonymous.get("stip"),
            anonymous.get("bare"),
            0.5,
        ),
        ratio_goal("history vs django-wiki", history.get("stip"), history.get("djwiki"), 3),
        ratio_goal(
            "save an edit and open the page vs django-wiki", save.get("stip"), save.get("djwiki"), 1
        ),
    ]
    if "error" in inproc or "history" not in inproc:
        rows.append(goal("in-process figures (bench/stip_inprocess.py)", "failed to run", "", None))
        return rows
    scale = inproc.get("scale")
    if scale:
        small = scale["10_documents_100_people"]
        large = scale["10000_documents_10000_people"]
        a, b = small["page"], large["page"]
        rows.append(
            goal(
                "page in-process, 10 → 10,000 documents and 100 → 10,000 people (p50, queries)",
                f"{a['p50_ms']} → {b['p50_ms']} ms, {a['queries']} → {b['queries']} queries "
                f"({b['p50_ms'] / a['p50_ms']:.2f}×)",
                "flat: ≤ 1.5×, the same queries",
                b["p50_ms"] <= 1.5 * a["p50_ms"] and a["queries"] == b["queries"],
            )
        )
        rows.append(
            goal(
                "search p95 in-process, 10 → 10,000 documents",
                f"{small['search']['p95_ms']} → {large['search']['p95_ms']} ms",
                "(reported)",
                None,
            )
        )
    h = inproc["history"]
    small, large = h["history_1000"], h["history_100000"]
    rows.append(
        goal(
            "history queries, 1,000 vs 100,000 versions",
            f"{small['queries']} vs {large['queries']}",
            "equal",
            # 0 means the capture saw no query at all: a measuring fault, not a pass.
            small["queries"] == large["queries"] if small["queries"] else None,
        )
    )
    rows.append(
        goal(
            "history p95 in-process, 1,000 / 100,000 versions",
            f"{small['p95_ms']} / {large['p95_ms']} ms",
            "< 50 ms",
            small["p95_ms"] < 50 and large["p95_ms"] < 50,
        )
    )
    diff = inproc["diff"]["diff_view"]
    rows.append(
        goal(
            "diff of two 100 KB versions (view, p95)",
            f"{diff['p95_ms']} ms",
            "< 200 ms",
            diff["p95_ms"] < 200,
        )
    )
    save = inproc["save_with_watchers"]
    if "p95_ms" in save:
        rows.append(
            goal(
                f"save edit p95 with {save['watchers']} watchers (in-process)",
                f"{save['p95_ms']} ms",
                "< 100 ms",
                save["p95_ms"] < 100 and save["watchers"] >= 50 and not save["failures"],
            )
        )
    else:
        rows.append(goal("save edit with 50 watchers", save.get("error", "?"), "< 100 ms", None))
    for script in ("fanout", "timeboxes", "exports", "rendering"):
        extra = figures.get(script)
        if extra is None:
            rows.append(goal(f"{script} (bench/{script}.py)", "not run", "see issue", None))
            continue
        if "error" in extra:
            rows.append(goal(f"{script} (bench/{script}.py)", "failed to run", "see issue", None))
            continue
        for item in extra.get("goals", []):
            rows.append(
                goal(item["goal"], str(item["measured"]), str(item["target"]), item.get("met"))
            )
        if not extra.get("goals"):  # figures without goals of their own: shown as measured
            for section in extra.values():
                for key, value in section.items() if isinstance(section, dict) else []:
                    rows.append(goal(f"{script}: {key}", str(value), "(figure)", None))
    return rows


def markdown(figures: dict, rows: list[dict]) -> str:
    m = figures["machine"]
    lines = [
        "# Stip benchmark",
        "",
        f"{m['date']} · {m['nproc']} CPUs ({m['cpu']}) · {m['memory_gib']} GiB · "
        f"gunicorn {m['gunicorn_workers']} sync workers · load: {m['load_generator']}, "
        f"{m['connections']} connections, {m['seconds_per_load']} s per load",
        "",
        f"Machine load (1/5/15 min) at the start {m.get('load_average_at_start')}, at the end "
        f"{m.get('load_average_at_end')}; each load's own is in the table (1 min). The machine "
        "is shared: other work on it slows every side, so compare ratios within the run.",
        "",
        f"Both wikis and the bare view: {m.get('stip_settings')}.",
        "",
        "## Side by side (HTTP, gunicorn, PostgreSQL, loopback)",
        "",
        "| measurement | system | req/s | p50 ms | p95 ms | errors | load |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    labels = {
        "stip": "Stip",
        "djwiki": "django-wiki 0.13",
        "bare": "bare Django view (Stip's middleware)",
    }
    titles = {
        "page": "document page (20 KB), logged-in reader",
        "anonymous": "document page (20 KB), anonymous reader",
        "save": "save an edit (20 KB) and open the page, 4 editors",
        "history": "history of a document with 1,000 versions",
    }
    for key, title in titles.items():
        for system, r in figures.get(key, {}).items():
            kinds = r.get("error_kinds")
            errors = f"{r['errors']} ({kinds})" if kinds else r["errors"]
            lines.append(
                f"| {title} | {labels[system]} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} "
                f"| {errors} | {(r.get('load_average') or ['?'])[0]} |"
            )
    lines += ["", "## Goals", "", "| goal | measured | target | met |", "|---|---|---|---|"]
    for r in rows:
        met = {True: "met", False: "**NOT MET**", None: "n/a"}[r["met"]]
        if r["met"] is None and r["measured"].startswith("INVALID"):
            met = "**INVALID** (errors in the load)"
        lines.append(f"| {r['goal']} | {r['measured']} | {r['target']} | {met} |")
    if "history" not in figures["inprocess"]:
        lines += ["", f"In-process figures failed: {figures['inprocess'].get('error')}"]
        return "\n".join(lines) + "\n"
    h = figures["inprocess"]["history"]
    for who, page in figures["inprocess"].get("page", {}).items():
        lines += [
            "",
            f"In-process document page, {who}: p50 {page['p50_ms']} ms, p95 {page['p95_ms']} ms, "
            f"{page['queries']} queries ({', '.join(page.get('tables', []))}); bench/README.md "
            "says what each is for.",
        ]
    lines += [
        "",
        f"In-process history: {h['versions_1000']} versions → {h['history_1000']}; "
        f"{h['versions_100000']} versions → {h['history_100000']}.",
        f"Diff: {figures['inprocess']['diff']}.",
        f"Save with watchers: {figures['inprocess']['save_with_watchers']}.",
    ]
    return "\n".join(lines) + "\n"


def render_again() -> None:
    """`bench/run.py --render`: goals and table again from latest.json, measuring nothing."""
    figures = json.loads((RESULTS / "latest.json").read_text())
    figures["goals"] = goals(figures)
    (RESULTS / "latest.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / "latest.md").write_text(markdown(figures, figures["goals"]))
    print((RESULTS / "latest.md").read_text())


def main() -> None:
    if "--render" in sys.argv:
        render_again()
        return
    started = time.monotonic()
    VAR.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    parsed = urlparse(REDIS)
    db = int(parsed.path[1:] or 0)
    redis.Redis(host=parsed.hostname, port=parsed.port or 6379, db=db).flushdb()
    figures: dict = {
        "machine": machine(),
        "page": {},
        "anonymous": {},
        "history": {},
        "save": {},
    }
    env, data, pages = bench_stip(figures)
    figures["machine"]["stip_settings"] = {
        "conn_max_age": data["conn_max_age"],
        "database_options": data["database_options"],
        "session_engine": data["session_engine"],
        "cache": data["cache"],
    }
    if os.environ.get("BENCH_SKIP_DJWIKI") != "1":
        bench_djwiki(figures, data)
    bench_bare(figures, env, data, pages)
    log("Stip in-process: history 1,000 / 100,000 versions, 100 KB diff, save with 50 watchers")
    figures["inprocess"] = companion("stip_inprocess.py", env) or {}
    for script in ("fanout", "timeboxes", "exports", "rendering"):
        if os.environ.get("BENCH_SKIP_COMPANIONS") != "1":
            figures[script] = companion(f"{script}.py", env)
    rows = goals(figures)
    figures["goals"] = rows
    figures["machine"]["total_seconds"] = round(time.monotonic() - started)
    figures["machine"]["load_average_at_end"] = load_average()
    (RESULTS / "latest.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    table = markdown(figures, rows)
    (RESULTS / "latest.md").write_text(table)
    print()
    print(table)


if __name__ == "__main__":
    main()
