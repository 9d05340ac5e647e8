"""Browser tests: Python Playwright driving Debian's Chromium against pytest-django's live
server. Every test in this folder carries the `browser` marker."""

import os
import threading

import pytest

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; the live server's database access
# happens in its own thread, but fixtures that touch the ORM here would otherwise be refused.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from tests.conftest import _missing_service

    reason = _missing_service("browser")
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must not skip this test: {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _server_quiet_before_flush(request):
    """A test with the live server ends with its database emptied. Pages still open would go
    on asking (the live parts poll, a page being left sends word of it) while the tables are
    truncated, and a request holding a row then deadlocks with the truncation. So, before the
    database is emptied, every browser context is closed and the requests in flight finish."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up before, so emptied after this
    yield
    if "browser" in request.fixturenames:
        for context in list(request.getfixturevalue("browser").contexts):
            context.close()
    for thread in threading.enumerate():
        # The live server answers each request in a thread of its own (Python names it after
        # socketserver's process_request_thread).
        if "process_request_thread" in thread.name:
            thread.join(timeout=10)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page):
    """Log in through the form, as a person would."""

    def do_login(user, password: str = PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        return page

    return do_login


# The identity providers of the single sign-on tests (test_sso.py).
from tests.sso.providers import (  # noqa: E402, F401
    albeda,
    oidc_provider,
    oidc_server,
    saml_provider,
    saml_server,
)
