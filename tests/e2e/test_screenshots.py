"""Screenshots of the main pages of the demo. A test run writes them under var/ (the checkout
stays as it was); `make screenshots` points STIP_SCREENSHOTS at docs/screenshots/ to refresh
the README's pictures."""

import os
from pathlib import Path

from tests.e2e.test_accessibility import demo, demo_pages, open_as  # noqa: F401  fixtures

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("STIP_SCREENSHOTS") or ROOT / "var" / "test-renders" / "pages")
SHOWN = [
    "dashboard",
    "home",
    "programme",
    "document",
    "process",
    "edit",
    "history",
    "diff",
    "use case",
    "overview",
    "timebox",
    "insight",
]


def test_screenshots_of_the_main_pages(demo, open_as):  # noqa: F811
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = {p.name: p for p in demo_pages()}
    page = open_as("lead")
    page.set_viewport_size({"width": 1280, "height": 860})
    taken = []
    for name in SHOWN:
        if name not in pages:
            continue
        response = page.goto(pages[name].url)
        assert response is not None and response.ok, name
        if name == "process":  # its diagram is drawn after the page loads
            page.locator(".diagram-picture").first.wait_for()
        path = SCREENSHOTS / f"{name.replace(' ', '-')}.png"
        # The process page in full: its picture, its flow diagram below the steps, and its
        # discussion: a thread with a reply, and a resolved one folded away.
        page.screenshot(path=str(path), animations="disabled", full_page=name == "process")
        assert path.stat().st_size > 10_000, f"{path.name} looks empty"
        taken.append(name)

    assert {"dashboard", "home", "programme", "document", "edit"} <= set(taken)
