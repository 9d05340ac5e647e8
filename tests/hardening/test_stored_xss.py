"""No hostile text a participant types becomes script anywhere Stip shows it.

Each payload of tests/hardening/payloads.py goes through every output: the markdown renderer,
document titles (document page, programme tree, history, search results), edit summaries,
comments, old versions, the diff view, the conflict page, glossary terms, baseline exports and
notification e-mails. Each result is parsed as a browser would (html5lib) and must hold no
script, no event handler and no `javascript:`/`vbscript:`/`data:` URL.
"""

import re
from datetime import timedelta

import html5lib
import pytest
from django.core import mail
from django.utils import timezone

from tests.hardening.payloads import PAYLOADS
from wiki import rendering, services
from wiki.models import Document

pytestmark = pytest.mark.django_db

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "xlink:href",
}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
CONTROL = re.compile(r"[\x00-\x20]+")
STYLE_SCRIPT = re.compile(r"javascript:|expression\s*\(|url\s*\(|@import|alert\(", re.I)


def executable_parts(html: str) -> list[str]:
    """What in this HTML a browser could run, after parsing it the way a browser does."""
    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    found = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rsplit("}", 1)[-1].lower()
        attributes = {name.rsplit("}", 1)[-1].lower(): value for name, value in element.items()}
        if tag == "script":
            src = attributes.get("src", "")
            if not (src.startswith("/static/") or attributes.get("type") == "application/json"):
                found.append(f"<script {attributes}>{(element.text or '')[:60]}")
        if tag in {"iframe", "object", "embed", "base", "frame", "frameset"}:
            found.append(f"<{tag}>")
        if tag == "style" and STYLE_SCRIPT.search(element.text or ""):
            found.append(f"<style>{(element.text or '')[:60]}")  # a template's own CSS is fine
        if tag == "meta" and "refresh" in attributes.get("http-equiv", "").lower():
            found.append("<meta refresh>")
        if (
            tag == "link"
            and attributes.get("href", "")
            and not attributes["href"].startswith(("/static/", "/", "http://", "https://"))
        ):
            found.append(f"<link href={attributes['href']}>")
        for name, value in attributes.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}={value[:40]}>")
            if name in URL_ATTRIBUTES or name.endswith("href"):
                url = CONTROL.sub("", value).lower()
                if url.startswith(BAD_SCHEMES):
                    found.append(f"<{tag} {name}={value[:40]}>")
            if name == "style" and re.search(r"url\s*\(|expression\s*\(|javascript:", value, re.I):
                found.append(f"<{tag} style={value[:40]}>")
    return found


def assert_safe(html: str, where: str) -> None:
    found = executable_parts(html)
    assert not found, f"{where}: {found[:5]}"


def test_the_checker_recognises_executable_html():
    """The checker itself must see what the payloads would do unsanitised."""
    unsafe = [p for p in PAYLOADS if executable_parts(p)]
    assert len(PAYLOADS) >= 50
    assert len(unsafe) >= 40, "the checker misses raw payloads"
    assert executable_parts('<a href=" jAvA\tscript:alert(1)">x</a>')


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_renders_no_executable_html(world, payload):
    html = rendering.render_for_programme(world.programme, f"Intro\n\n{payload}\n\nOutro")
    assert_safe(html, "markdown")


@pytest.fixture
def hostile(world, make_document, django_capture_on_commit_callbacks):
    """A programme full of hostile text, in every field a participant can type."""
    with django_capture_on_commit_callbacks(execute=True):
        body = "\n\n".join(PAYLOADS)
        main = make_document(world, title="Hostile <b>main</b>", body=body)
        titled = [
            make_document(world, title=payload[:190], body=f"Page {n}\n\n{payload}")
            for n, payload in enumerate(PAYLOADS)
        ]
        first = main.head_id
        for n, payload in enumerate(PAYLOADS[:20]):
            main.refresh_from_db()
            services.document_save(
                document=main,
                body=f"{main.body}\n\n{payload} {n}",
                base_version_id=main.head_id,
                author=world.contributor,
                summary=payload[:300],
            )
        for payload in PAYLOADS:
            services.comment_add(document=main, author=world.observer, body=payload)
    main.refresh_from_db()
    return main, titled, first


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_hostile_titles_bodies_summaries_and_comments_never_run_on_any_page(client, world, hostile):
    main, titled, first = hostile
    client.force_login(world.observer)
    base = f"/p/{world.programme.slug}"
    document = f"{base}/d/{main.slug}"
    assert_safe(_get(client, f"{document}/"), "document page with comments")
    assert_safe(_get(client, f"{base}/"), "programme page and tree")
    for page in titled:
        assert_safe(_get(client, f"{base}/d/{page.slug}/"), f"page {page.title!r}")
    assert_safe(_get(client, f"{document}/history/"), "history")
    assert_safe(_get(client, f"{document}/v/{first}/"), "old version")
    diff = f"{document}/diff/?from={first}&to={main.head_id}"
    assert_safe(_get(client, diff), "diff")
    assert_safe(_get(client, f"{diff}&context=all"), "whole diff")
    for query in ("alert", "script", "javascript", "Page"):
        assert_safe(_get(client, f"/search/?q={query}"), f"search {query}")

    client.force_login(world.contributor)
    stale = client.post(
        f"{document}/edit/",
        {
            "title": main.title,
            "body": main.body + "\n\n<script>alert('mine')</script>",
            "summary": "<img src=x onerror=alert(1)>",
            "base_version": first + 1,
        },
    )
    assert stale.status_code == 409
    assert_safe(stale.content.decode(), "conflict page")


def test_glossary_with_hostile_terms(client, world, make_document):
    from usecases import services as usecases

    for payload in PAYLOADS:
        try:
            usecases.term_save(
                programme=world.programme,
                term=payload[:100],
                definition=f"Means {payload}",
                author=world.contributor,
            )
        except Exception as refused:  # noqa: BLE001 - a refused term is safe too
            assert "ValidationError" in type(refused).__name__
    # Hostile definitions of plain words, marked where a document mentions them.
    for n, payload in enumerate(PAYLOADS):
        usecases.term_save(
            programme=world.programme,
            term=f"woord{n}",
            definition=payload,
            author=world.contributor,
        )
    marked = make_document(
        world, title="Woorden", body=" ".join(f"woord{n}" for n in range(len(PAYLOADS)))
    )
    client.force_login(world.observer)
    assert_safe(_get(client, f"/p/{world.programme.slug}/glossary/"), "glossary")
    page = _get(client, marked.get_absolute_url())
    assert 'class="glossary-term"' in page, "the terms were not marked in the document"
    assert_safe(page, "document with hostile glossary definitions")


def test_baseline_export_with_hostile_documents(client, world, hostile):
    from timeboxes import services as timeboxes

    main, titled, _first = hostile
    now = timezone.now()
    timebox = timeboxes.timebox_create(
        programme=world.programme,
        by=world.lead,
        name="<script>alert(1)</script> round",
        goal="<img src=x onerror=alert(1)>",
        starts_at=now - timedelta(days=1),
        deadline=now + timedelta(days=1),
        documents=[main, *titled[:10]],
    )
    baseline = timeboxes.timebox_close(
        timebox=timebox, by=world.lead, outcome="<svg onload=alert(1)>"
    )
    assert baseline is not None
    client.force_login(world.observer)
    url = f"/p/{world.programme.slug}/baselines/{baseline.pk}/export.html"
    assert_safe(_get(client, url), "baseline export")


def test_notification_emails_keep_hostile_text_inert(
    world, make_document, settings, django_capture_on_commit_callbacks
):
    from participation import notifications

    settings.STIP_NOTIFICATION_COALESCE_SECONDS = 0
    document = make_document(world, title="<script>alert(1)</script>", body="start")
    services.watch_set(user=world.observer, programme=world.programme, document=document)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for payload in PAYLOADS[:25]:
            services.comment_add(document=document, author=world.contributor, body=payload)
        services.document_save(
            document=Document.objects.get(pk=document.pk),
            body="<img src=x onerror=alert(1)>",
            base_version_id=Document.objects.get(pk=document.pk).head_id,
            author=world.contributor,
            summary="<a href=javascript:alert(1)>x</a>",
        )
    notifications.notifications_deliver_instant()
    assert mail.outbox, "no notification e-mail was sent"
    for message in mail.outbox:
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                assert_safe(content, f"e-mail {message.subject!r}")
    # The subject and the plain-text part are text, never parsed as HTML: a title stays as typed.
