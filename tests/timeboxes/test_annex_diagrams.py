"""Process diagrams in a baseline's annex: drawn on the server by headless Chromium with the
site's Mermaid, so the PDF shows the picture (its labels drawn as text, the `graph TD` line
nowhere), the Word document a picture of it; a diagram that does not parse shows its source and
the parser's message, and without a browser the source with a note. The annex is built either
way."""

import io
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from docx import Document as WordDocument

from timeboxes import exports, services
from wiki import drawing
from wiki.models import Document

pytestmark = pytest.mark.django_db

needs_browser = pytest.mark.skipif(
    drawing.browser() is None or drawing.mermaid_file() is None,
    reason="drawing diagrams needs Chromium and the pinned Mermaid (npm ci)",
)

FLOW = """# Aanvraag

Zo loopt het:

```mermaid
graph TD
    A[Aanvraag ontvangen] --> B{Compleet?}
    B -->|ja| C[Beoordelen]
    B -->|nee| D[Terugsturen]
```

Daarna volgt het besluit.
"""

BROKEN = """# Kapot

```mermaid
graph TD
    A[Begin] --> (
```

Tekst na het diagram.
"""


@pytest.fixture(autouse=True)
def fresh_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def baseline_of(world, make_document, body: str):
    document = make_document(world, title="Aanvraag", body=body, kind=Document.Kind.VISION)
    now = timezone.now()
    timebox = services.timebox_create(
        programme=world.programme,
        by=world.lead,
        name="Fase",
        starts_at=now - timedelta(hours=1),
        deadline=now + timedelta(days=1),
        documents=[document],
    )
    return services.timebox_close(timebox=timebox, by=world.lead, outcome="Klaar.")


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "annex.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@needs_browser
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_annex_pdf_shows_the_diagram_drawn_not_its_source(world, make_document, tmp_path):
    baseline = baseline_of(world, make_document, FLOW)
    with translation.override("nl"):
        built = exports.baseline_pdf(baseline)
    text = pdf_text(built.content, tmp_path)
    for label in ("Aanvraag ontvangen", "Compleet?", "Beoordelen", "Terugsturen"):
        assert label in text
    assert "graph TD" not in text and "-->" not in text
    assert "Daarna volgt het besluit." in text
    assert "weergegeven als tekst" not in text
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", str(tmp_path / "annex.pdf"), str(tmp_path / "page")],
            check=True,
        )
        assert list(tmp_path.glob("page-*.png"))


@needs_browser
def test_annex_word_document_has_the_diagram_as_a_picture(world, make_document):
    baseline = baseline_of(world, make_document, FLOW)
    with translation.override("nl"):
        built = exports.baseline_docx(baseline)
    word = WordDocument(io.BytesIO(built.content))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "graph TD" not in text
    pictures = [r for r in word.part.rels.values() if "image" in r.reltype]
    assert pictures and pictures[0].target_part.blob.startswith(b"\x89PNG")


@needs_browser
def test_annex_html_holds_the_drawing_as_a_sanitised_svg(world, make_document):
    baseline = baseline_of(world, make_document, FLOW)
    html = exports.baseline_html(baseline)
    assert 'class="diagram diagram-drawn"' in html
    assert "data:image/svg+xml;base64," in html
    assert "graph TD" not in html


@needs_browser
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_broken_diagram_shows_its_source_and_the_message(world, make_document, tmp_path):
    baseline = baseline_of(world, make_document, BROKEN)
    with translation.override("nl"):
        built = exports.baseline_pdf(baseline)
    text = pdf_text(built.content, tmp_path)
    assert "Dit diagram kon niet worden getekend:" in text
    assert "Parse error" in text
    assert "graph TD" in text and "A[Begin] --> (" in text
    assert "Tekst na het diagram." in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_without_a_browser_the_annex_shows_the_source_with_a_note(
    world, make_document, tmp_path, settings
):
    settings.STIP_DIAGRAM_BROWSER = ""
    baseline = baseline_of(world, make_document, FLOW)
    with translation.override("nl"):
        built = exports.baseline_pdf(baseline)
    text = pdf_text(built.content, tmp_path)
    assert "kon hier niet worden getekend" in text
    assert "graph TD" in text and "Aanvraag ontvangen" in text


def test_a_browser_that_fails_leaves_the_source(world, make_document, tmp_path, settings):
    fake = tmp_path / "browser"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    settings.STIP_DIAGRAM_BROWSER = str(fake)
    baseline = baseline_of(world, make_document, FLOW)
    html = exports.baseline_html(baseline)
    assert "graph TD" in html and 'class="diagram-note"' in html


@needs_browser
def test_a_drawing_is_made_once_per_source(settings, tmp_path):
    first = drawing.drawings(["graph LR\n  A[Een] --> B[Twee]\n"])
    calls = []
    original = drawing._run
    drawing._run = lambda *args: calls.append(args) or original(*args)
    try:
        again = drawing.drawings(["graph LR\n  A[Een] --> B[Twee]\n"])
    finally:
        drawing._run = original
    assert calls == [] and again == first


def test_svg_allow_list_drops_scripts_handlers_and_outside_references():
    dirty = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 10 10" onload="alert(1)">'
        "<style>@import url(http://203.0.113.7/x.css); .a{fill:url(http://203.0.113.7/p)}"
        " .b{fill:url(#ok)}</style>"
        "<script>alert(2)</script>"
        '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>'
        '<a href="javascript:alert(3)"><text x="1" y="1">link</text></a>'
        '<use xlink:href="http://203.0.113.7/sprite.svg#x"/><use href="#local"/>'
        '<rect width="5" height="5" style="fill:url(http://203.0.113.7/q)" onclick="x()"/>'
        '<text x="1" y="5">Stap <tspan>één</tspan></text></svg>'
    )
    clean = drawing.svg_clean(dirty)
    for gone in ("onload", "alert", "script", "foreignObject", "javascript", "203.0.113.7"):
        assert gone not in clean
    assert "@import" not in clean and "url(#ok)" in clean
    assert 'href="#local"' in clean and "Stap" in clean and "één" in clean


def test_svg_allow_list_refuses_what_is_not_an_svg():
    assert drawing.svg_clean("<html><body>x</body></html>") == ""
    assert drawing.svg_clean('<!DOCTYPE svg [<!ENTITY a "b">]><svg/>') == ""
    assert drawing.svg_clean("<svg") == ""


@needs_browser
def test_markdown_export_keeps_the_text_and_adds_the_drawing(world, make_document):
    import zipfile

    baseline = baseline_of(world, make_document, FLOW)
    archive = zipfile.ZipFile(io.BytesIO(exports.baseline_zip(baseline)))
    names = archive.namelist()
    markdown = next(n for n in names if n.endswith(".md"))
    assert "graph TD" in archive.read(markdown).decode()
    svg = archive.read(f"diagrams/{markdown[:-3]}-1.svg").decode()
    assert svg.startswith("<svg") and "Aanvraag" in svg and "Beoordelen" in svg


def test_markdown_export_holds_the_attachments_of_the_baseline_version(world, make_document):
    import json
    import zipfile

    from tests.wiki.test_attachments import PDF, photo
    from wiki import services as wiki_services

    document = make_document(
        world, title="Zaal", body="![zaal](attachment:zaal.png) [c](attachment:c.pdf)\n"
    )
    wiki_services.attachment_add(
        document=document, name="zaal.png", data=photo(fmt="PNG"), author=world.contributor
    )
    wiki_services.attachment_add(
        document=document, name="c.pdf", data=PDF, author=world.contributor
    )
    now = timezone.now()
    timebox = services.timebox_create(
        programme=world.programme,
        by=world.lead,
        name="Fase",
        starts_at=now - timedelta(hours=1),
        deadline=now + timedelta(days=1),
        documents=[document],
    )
    baseline = services.timebox_close(timebox=timebox, by=world.lead, outcome="Klaar.")
    # removed after the close: the baseline's version still has it
    wiki_services.attachment_remove(document=document, name="c.pdf", author=world.contributor)

    archive = zipfile.ZipFile(io.BytesIO(exports.baseline_zip(baseline)))
    slug = document.slug
    assert archive.read(f"attachments/{slug}/zaal.png").startswith(b"\x89PNG")
    assert archive.read(f"attachments/{slug}/c.pdf") == PDF
    described = json.loads(archive.read("manifest.json"))
    assert described["documents"][0]["attachments"] == {
        "zaal.png": f"attachments/{slug}/zaal.png",
        "c.pdf": f"attachments/{slug}/c.pdf",
    }
