"""A small load generator, run as its own process: `python bench/loadgen.py SPEC_JSON`.

Two kinds of load, each bounded in time:
- `get`: keep-alive GETs of one URL from N threads (used when wrk is not installed);
- `save`: each thread edits its own document through the web form, as a person would: open the
  edit form (not timed), change one line (a list item), submit it and open the page the answer
  leads to (timed together), and repeat. A save counts as done when the form answers with a redirect
  (302) and the page it leads to answers 200 and shows the changed line; anything else is an
  error, and so is a form that cannot be read.

Prints one JSON object: requests, seconds, errors (status >= 400 or no answer; for saves, a save
that was not done), error_kinds (what went wrong, counted), p50_ms, p95_ms, rps.
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


def _summary(
    latencies: list[float], errors: int, seconds: float, kinds: dict | None = None
) -> dict:
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
        "error_kinds": kinds or {},
    }


def run_get(spec: dict) -> dict:
    deadline = time.monotonic() + spec["seconds"]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker() -> None:
        session = requests.Session()
        for name, value in spec["cookies"].items():
            session.cookies.set(name, value)
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
    """spec: base, targets [{url, session}], fields {text, base, title, summary}, extra (more
    fields the form sends, such as django-wiki's `save` button), seconds."""
    deadline = time.monotonic() + spec["seconds"]
    fields = spec["fields"]
    latencies: list[float] = []
    errors = [0]
    kinds: dict[str, int] = {}
    lock = threading.Lock()

    def worker(target: dict, number: int) -> None:
        session = requests.Session()
        session.cookies.set("sessionid", target["session"])
        url = spec["base"] + target["url"]
        local, bad, n = [], [], 0
        while time.monotonic() < deadline:
            n += 1
            try:
                form = session.get(url, timeout=30)
            except requests.RequestException:
                bad.append("form: no answer")
                continue
            html = form.text
            token = CSRF.search(html)
            if form.status_code != 200 or token is None:
                bad.append(f"form: {form.status_code}")
                continue
            text = field_value(html, fields["text"])
            lines = text.split("\n")
            marker = f"(saved by client {number}, round {n})"
            # A list item, so that the change shows on the page in either wiki's markdown.
            items = [i for i, line in enumerate(lines) if line.startswith("- ")] or [0]
            lines[items[n % len(items)]] += f" {marker}"
            data = {
                "csrfmiddlewaretoken": token.group(1),
                fields["title"]: field_value(html, fields["title"]),
                fields["text"]: "\n".join(lines),
                fields["summary"]: f"round {n}",
                fields["base"]: field_value(html, fields["base"]),
                **spec.get("extra", {}),
            }
            start = time.perf_counter()
            try:
                response = session.post(
                    url, data=data, allow_redirects=False, timeout=30, headers={"Referer": url}
                )
                problem = None if response.status_code == 302 else f"save: {response.status_code}"
                if problem is None:
                    page = session.get(
                        requests.compat.urljoin(url, response.headers["Location"]), timeout=30
                    )
                    if page.status_code != 200:
                        problem = f"page after save: {page.status_code}"
                    elif marker not in page.text:
                        problem = "page after save: edit not shown"
            except requests.RequestException:
                problem = "save: no answer"
            local.append(time.perf_counter() - start)
            if problem:
                bad.append(problem)
        with lock:
            latencies.extend(local)
            errors[0] += len(bad)
            for problem in bad:
                kinds[problem] = kinds.get(problem, 0) + 1

    started = time.monotonic()
    targets = spec["targets"]
    threads = [threading.Thread(target=worker, args=(t, n)) for n, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return _summary(latencies, errors[0], time.monotonic() - started, kinds)


if __name__ == "__main__":
    spec = json.loads(sys.argv[1])
    result = run_save(spec) if spec["kind"] == "save" else run_get(spec)
    print(json.dumps(result))
