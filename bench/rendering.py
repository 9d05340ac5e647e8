"""How long rendering takes at its worst: each text of the pathological corpus
(`tests/wiki/pathological.py`) at 500,000 characters, the longest a document may have, and
the benchmark's own document (`bench/content.py`) at the same length. Each text is rendered as a
save renders it (`wiki.rendering.render_for_storage`, within the bounds of
`wiki.markdown_guard`), three times; the best of three is its figure, on the clock and in
processor time (which the budget counts). Needs no database. Prints a table, then one JSON line
for bench/run.py.

    .venv/bin/python bench/rendering.py          (BENCH_RENDER_SIZE=500000)
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from content import document_text  # noqa: E402

from tests.wiki.pathological import corpus  # noqa: E402
from wiki.rendering import render_for_storage  # noqa: E402

SIZE = int(os.environ.get("BENCH_RENDER_SIZE", "500000"))
TARGET_SECONDS = 1.0


def timed(text: str) -> tuple[float, float, str]:
    """Best of three: seconds on the clock, seconds of processor time, how it was shown."""
    best, cpu, reason = float("inf"), float("inf"), ""
    for _ in range(3):
        started, processor = time.perf_counter(), time.process_time()
        stored = render_for_storage(text)
        best = min(best, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - processor)
        reason = stored.unformatted or "formatted"
    return best, cpu, reason


def main() -> None:
    texts = {**corpus(SIZE), "the benchmark's document (bench/content.py)": document_text(SIZE)}
    rows = {}
    for name, text in texts.items():
        seconds, cpu, reason = timed(text)
        rows[name] = {
            "chars": len(text),
            "seconds": round(seconds, 3),
            "cpu_seconds": round(cpu, 3),
            "shown": reason,
        }
        print(
            f"{name:45} {len(text):>8} chars {seconds:7.3f} s ({cpu:.3f} s processor)  {reason}",
            flush=True,
        )
    pathological = {k: v for k, v in rows.items() if not k.startswith("the benchmark")}
    worst_name = max(pathological, key=lambda k: pathological[k]["seconds"])
    worst = pathological[worst_name]
    own = rows["the benchmark's document (bench/content.py)"]
    print(f"worst case: {worst_name}, {worst['seconds']} s ({worst['shown']})")
    goals = [
        {
            "goal": f"rendering, worst of the pathological corpus at {SIZE:,} characters",
            "measured": f"{worst['seconds']} s ({worst_name}, {worst['shown']})",
            "target": f"< {TARGET_SECONDS:g} s",
            "met": worst["seconds"] < TARGET_SECONDS,
        },
        {
            "goal": f"rendering the benchmark's document at {SIZE:,} characters",
            "measured": f"{own['seconds']} s ({own['shown']})",
            "target": "(figure)",
            "met": None,
        },
    ]
    print(json.dumps({"texts": rows, "worst": worst_name, "goals": goals}))


if __name__ == "__main__":
    main()
