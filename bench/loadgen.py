"""A small load generator, run as its own process: `python bench/loadgen.py SPEC_JSON`.

Two kinds of load, each bounded in time:
- `get`: keep-alive GETs of one URL from N threads (used when wrk is not installed);
- `save`: each thread edits its own document through the web form, as a person would: open the
  edit form (not timed), change one line, submit it (timed), and repeat.

Prints one JSON object: requests, seconds, errors (status >= 400 or no answer), p50_ms, p95_ms,
rps.
"""

import json
import re
import statistics
import sys
import threading
import time

import requests

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def field_value(html: str, name: str) -> str:
    textarea = re.search(
        rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.DOTALL | re.IGNORECASE
    )
    if textarea:
        import html as html_module

        return html_module.unescape(textarea.group(1))
    for tag in re.finditer(r"<input[^>]*>", html):
        if f'name="{name}"' in tag.group(0):
            value = re.search(r'value="([^"]*)"', tag.group(0))
            if value:
                import html as html_module

                return html_module.unescape(value.group(1))
    return ""


def _summary(latencies: list[float], errors: int, seconds: float) -> dict:
    latencies.sort()
    count = len(latencies)

    def pct(p: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(count - 1, int(p * count))] * 1000

    return {
        "requests": count,
        "seconds": round(seconds, 2),
        "errors": errors,
        "rps": round(count / seconds, 1) if seconds else 0.0,
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": round(pct(0.95), 1),
    }


def run_get(spec: dict) -> dict:
    deadline = time.monotonic() + spec["seconds"]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker() -> None:
        session = requests.Session()
        session.cookies.set("sessionid", spec["session"])
        local, bad = [], 0
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                response = session.get(spec["url"], allow_redirects=False, timeout=30)
                ok = response.status_code < 400
            except requests.RequestException:
                ok = False
            local.append(time.perf_counter() - start)
            bad += not ok
        with lock:
            latencies.extend(local)
            errors[0] += bad

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(spec["threads"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return _summary(latencies, errors[0], time.monotonic() - started)


def run_save(spec: dict) -> dict:
    """spec: base, targets [{url, session}], fields {text, base, title, summary}, seconds."""
    deadline = time.monotonic() + spec["seconds"]
    fields = spec["fields"]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker(target: dict, number: int) -> None:
        session = requests.Session()
        session.cookies.set("sessionid", target["session"])
        url = spec["base"] + target["url"]
        local, bad, n = [], 0, 0
        while time.monotonic() < deadline:
            n += 1
            form = session.get(url, timeout=30)
            html = form.text
            token = CSRF.search(html)
            if form.status_code != 200 or token is None:
                bad += 1
                continue
            text = field_value(html, fields["text"])
            lines = text.split("\n")
            lines[n % len(lines)] += f" (saved by client {number}, round {n})"
            data = {
                "csrfmiddlewaretoken": token.group(1),
                fields["title"]: field_value(html, fields["title"]),
                fields["text"]: "\n".join(lines),
                fields["summary"]: f"round {n}",
                fields["base"]: field_value(html, fields["base"]),
            }
            start = time.perf_counter()
            try:
                response = session.post(
                    url, data=data, allow_redirects=False, timeout=30, headers={"Referer": url}
                )
                ok = response.status_code == 302
            except requests.RequestException:
                ok = False
            local.append(time.perf_counter() - start)
            bad += not ok
        with lock:
            latencies.extend(local)
            errors[0] += bad

    started = time.monotonic()
    targets = spec["targets"]
    threads = [threading.Thread(target=worker, args=(t, n)) for n, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return _summary(latencies, errors[0], time.monotonic() - started)


if __name__ == "__main__":
    spec = json.loads(sys.argv[1])
    result = run_save(spec) if spec["kind"] == "save" else run_get(spec)
    print(json.dumps(result))
