"""The main pages work in real Chromium under our Content-Security-Policy: each page is served
with a policy that forbids inline script, and the browser reports no violation on any of them
(nothing of ours, no editor script, no preview, is blocked)."""

from datetime import timedelta

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from wiki import services

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def test_main_pages_load_without_csp_violations(page, login, world, make_document):
    vision = make_document(
        world, title="Vision", body="# Vision\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n"
    )
    services.document_save(
        document=vision,
        body=vision.body + "\nMore, see [[Vision]].\n",
        base_version_id=vision.head_id,
        author=world.contributor,
        summary="more",
    )
    vision.refresh_from_db()
    services.comment_add(document=vision, author=world.observer, body="Agreed.")
    try:
        from timeboxes import services as timeboxes

        now = timezone.now()
        timeboxes.timebox_create(
            programme=world.programme,
            by=world.lead,
            name="Round one",
            starts_at=now - timedelta(days=1),
            deadline=now + timedelta(days=3),
            documents=[vision],
        )
    except ImportError:
        pass
    slug, doc = world.programme.slug, vision.slug
    urls = [
        "/",
        _url("wiki:programme", slug),
        vision.get_absolute_url(),
        _url("wiki:edit", slug, doc),
        _url("wiki:history", slug, doc),
        _url("wiki:diff", slug, doc),
        _url("wiki:create", slug),
        _url("wiki:search") and _url("wiki:search") + "?q=vision",
        _url("usecases:glossary", slug),
        _url("usecases:overview", slug),
        _url("timeboxes:list", slug),
        _url("participation:members", slug),
        "/accounts/login/",
    ]
    page.add_init_script(LISTEN)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    login(world.lead)

    visited = 0
    for url in filter(None, urls):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        policy = response.headers.get("content-security-policy", "")
        assert (
            "script-src 'self'" in policy
            and "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
        ), f"{url}: {policy!r}"
        page.wait_for_load_state("networkidle")
        if url == _url("wiki:edit", slug, doc):
            page.get_by_label("Text (markdown)").fill("# Changed\n\nPreview me.")
            page.wait_for_timeout(800)  # the live preview asks the server
        violations = page.evaluate("window.__cspViolations")
        assert not violations, f"{url}: {violations}"
        visited += 1
    assert not console, console
    assert visited >= 8
