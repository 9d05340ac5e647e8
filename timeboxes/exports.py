"""A baseline as files to hand on (a tender annex): PDF and Word, made from the annex's HTML
(`timeboxes.annex`); the HTML itself; and a zip of Markdown files with a manifest.

The PDF is laid out by WeasyPrint (with Debian's Pango) as PDF/A-3a: tagged for accessibility
(headings, lists, tables, the reading order and the language), with its fonts embedded and an
outline (bookmarks) of the headings. Pictures come only from `data:` URLs and this site's media
and static files (`local_resource`): nothing is fetched from elsewhere while an annex is built.
"""

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.text import slugify

from wiki import drawing
from wiki.attachments import files_of
from wiki.diagrams import diagram_sources
from wiki.models import Document, VersionNumber
from wiki.rendering import without_title

from . import annex, selectors
from .models import Baseline
from .resources import local_resource, site_url

PDF_VARIANT = "pdf/a-3a"


def filename(baseline: Baseline) -> str:
    date = timezone.localtime(baseline.created_at).strftime("%Y-%m-%d")
    return f"{slugify(baseline.timebox.name) or 'baseline'}-{date}"


# --- the annex ---------------------------------------------------------------------------------


@dataclass
class Built:
    content: bytes
    pages: int | None = None


Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _annex(baseline: Baseline, progress: Progress | None) -> tuple[annex.Annex, str]:
    """The annex of `baseline` and its HTML, in the active language and the programme's time."""
    programme = baseline.timebox.programme
    with timezone.override(programme.timezone):
        built = annex.build(
            baseline,
            progress=(lambda done, total: progress("documents", done, total)) if progress else None,
        )
        html = annex.annex_html(
            built,
            closed_at=timezone.localtime(baseline.created_at),
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
    return built, html


def baseline_html(baseline: Baseline) -> str:
    return _annex(baseline, None)[1]


def baseline_pdf(baseline: Baseline, *, progress: Progress | None = None) -> Built:
    import weasyprint

    built, html = _annex(baseline, progress)
    if progress:
        progress("layout", len(built.documents), len(built.documents))
    document = weasyprint.HTML(
        string=html, base_url=site_url(), url_fetcher=LocalFetcher(), media_type="print"
    ).render()
    content = document.write_pdf(
        pdf_variant=PDF_VARIANT,
        pdf_identifier=f"stip-baseline-{baseline.pk}".encode(),
    )
    return Built(content, pages=len(document.pages))


def baseline_docx(baseline: Baseline, *, progress: Progress | None = None) -> Built:
    from . import word

    built, html = _annex(baseline, progress)
    if progress:
        progress("layout", len(built.documents), len(built.documents))
    programme = baseline.timebox.programme
    with timezone.override(programme.timezone):
        labels = word.Labels(
            running_header=annex.running_header_text(baseline),
            page_of=annex.page_of_text(),
            language=translation.get_language() or settings.LANGUAGE_CODE,
            title=f"{programme.name} · {baseline.name}",
            subject=baseline.timebox.name,
        )
    return Built(word.annex_docx(html, labels))


# --- what an annex may show --------------------------------------------------------------------


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class _LocalFetcher(URLFetcher):
        """WeasyPrint's fetcher limited to `local_resource`: an annex never reaches out."""

        def fetch(self, url, headers=None):
            found = local_resource(url)
            if found is None:
                raise ValueError(f"Not a picture of this site: {url[:200]}")
            return URLFetcherResponse(url, found[0], {"Content-Type": found[1]})

    return _LocalFetcher


def LocalFetcher():  # noqa: N802 - reads like the class it makes
    return _fetcher_class()()


# --- Markdown --------------------------------------------------------------------------------


def manifest(baseline: Baseline) -> dict:
    timebox = baseline.timebox
    documents = selectors.baseline_documents(baseline)
    slugs = {d.document_id: d.slug for d in documents}
    numbers = dict(
        VersionNumber.objects.filter(version_id__in=[d.head_id for d in documents]).values_list(
            "version_id", "number"
        )
    )
    return {
        "programme": timebox.programme.name,
        "timebox": timebox.name,
        "goal": timebox.goal,
        "outcome": timebox.outcome,
        "baseline": baseline.name,
        "baseline_id": baseline.pk,
        "revision_id": baseline.revision_id,
        "closed_at": baseline.created_at.isoformat(),
        "documents": [
            {
                "file": f"{d.slug}.md",
                "document_id": d.document_id,
                "title": d.title,
                "kind": d.kind,
                "parent": slugs.get(d.parent_id),
                "version": numbers.get(d.head_id),
                "version_id": d.head_id,
                "baseline_version_id": d.version.pk,
            }
            for d in documents
        ],
    }


def baseline_zip(baseline: Baseline) -> bytes:
    """The documents as Markdown files (a diagram is its Mermaid text there), each document's
    attachments as its baseline version had them (`attachments/<document>/<name>`, which the
    text calls `attachment:<name>`; the manifest maps them), and each diagram the server could
    draw (`wiki.drawing`) as `diagrams/<document>-<n>.svg`."""
    buffer = io.BytesIO()
    documents = selectors.baseline_documents(baseline)
    sources = {d.slug: diagram_sources(d.body) for d in documents}
    drawn = drawing.drawings([s for found in sources.values() for s in found]) or {}
    described = manifest(baseline)
    entries = {entry["document_id"]: entry for entry in described["documents"]}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for document in documents:
            text = f"# {document.title}\n\n{without_title(document.body, document.title)}"
            archive.writestr(f"{document.slug}.md", text)
            files = {}
            for name, attachment in _attachments_of(document).items():
                path = f"attachments/{document.slug}/{name}"
                with attachment.file.open("rb") as handle:
                    archive.writestr(path, handle.read())
                files[name] = path
            entries[document.document_id]["attachments"] = files
            for n, source in enumerate(sources[document.slug], start=1):
                found = drawn.get(source)
                if found is not None and found.drawn:
                    archive.writestr(f"diagrams/{document.slug}-{n}.svg", found.svg)
        archive.writestr("manifest.json", json.dumps(described, indent=2, ensure_ascii=False))
    return buffer.getvalue()


def _attachments_of(document) -> dict:
    if not document.files:
        return {}
    return files_of(Document(pk=document.document_id), document.files)
