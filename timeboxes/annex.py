"""A baseline as a tender annex: one HTML document that the PDF (WeasyPrint) and the Word export
(`timeboxes.word`) are both made from.

In this order: a title page (programme, timebox, baseline date, outcome, the participating
organisations), the table of contents, the documents in the order of the programme's tree with
numbered headings (1, 1.1, 1.1.1), each with what other apps add to it (a use case's structured
form, its sign-offs), the changes against the previous baseline, and the appendices (the
glossary, …).

What other apps add (a use case's structured form, the sign-off tables, the glossary) comes
through the extension points of `wiki.exports`, which they fill in their `AppConfig.ready()`:
timeboxes knows none of them. What they record at the close is kept in `Baseline.records`, so
the annex shows what held then, however often and late it is built.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from participation.models import Membership, Programme
from wiki import attachments, diagrams, drawing, exports, rendering
from wiki.exports import MAX_HEADING, Appendix, ExportContext, ExportDocument, Section
from wiki.models import Document, VersionNumber

from . import selectors
from .models import Baseline, Timebox

logger = logging.getLogger("stip.timeboxes")


@dataclass
class Change:
    title: str
    state: str  # "new", "changed", "gone"
    before: int | None = None  # version numbers
    after: int | None = None
    anchor: str = ""


@dataclass
class Annex:
    baseline: Baseline
    context: ExportContext
    organisations: list[dict]
    previous: Baseline | None
    changes: list[Change]
    unchanged: int
    appendices: list[Appendix]

    @property
    def documents(self) -> list[ExportDocument]:
        return self.context.documents


def baseline_records(timebox: Timebox, documents: list[Document]) -> dict:
    """What is kept with a baseline at its close: the participating organisations, and every
    registered app's record. Called by `services._close` inside its transaction, with the
    documents in scope locked."""
    return {
        "organisations": _organisations_now(timebox.programme),
        **exports.records(timebox.programme, documents),
    }


def _organisations_now(programme: Programme) -> list[dict]:
    return [
        {"name": name, "level": level}
        for name, level in Membership.objects.filter(programme=programme)
        .order_by("organisation__name")
        .values_list("organisation__name", "level")
    ]


# --- building ----------------------------------------------------------------------------------

Progress = Callable[[int, int], None]


def build(baseline: Baseline, *, progress: Progress | None = None) -> Annex:
    """The annex of `baseline` in the active language. `progress(done, total)` is called as the
    documents are rendered."""
    timebox = baseline.timebox
    programme = timebox.programme
    documents = _in_tree_order(baseline)
    context = ExportContext(
        programme=programme,
        documents=documents,
        records=baseline.records or {},
        version_numbers={},
        revision_id=baseline.revision_id,
        taken_at=baseline.created_at,
    )
    context.load_numbers(d.head_id for d in documents)
    for document in documents:
        document.version_number = context.number_of(document.head_id)
    bodies = exports.document_bodies(context)
    sections = exports.document_sections(context)
    links = _link_targets(programme, documents)
    total = len(documents)
    for done, document in enumerate(documents, start=1):
        html = bodies.get(document.document_id)
        if html is None:
            html = rendering.version_html(
                programme,
                document.version_id,
                document.body,
                title=document.title,
                attachments=attachments.version_resolver(document.document_id, document.files),
            )
            if document.files:
                html = attachments.pictures_embedded(html, document.document_id, document.files)
        document.html = _fit(html, document, links)
        document.sections = [
            Section(s.title, _fit(s.html, document, links, below=1), s.css_class)
            for s in sections.get(document.document_id, [])
        ]
        if progress is not None:
            progress(done, total)
    _diagrams_drawn(documents)
    previous = previous_baseline(baseline)
    changes, unchanged = _changes(baseline, documents, previous)
    return Annex(
        baseline=baseline,
        context=context,
        organisations=context.records.get("organisations") or _organisations_now(programme),
        previous=previous,
        changes=changes,
        unchanged=unchanged,
        appendices=exports.appendices(context),
    )


def _in_tree_order(baseline: Baseline) -> list[ExportDocument]:
    """The baseline's documents depth first, like the programme's tree (top-level documents by
    kind: vision, main processes, …), numbered 1, 1.1, 1.1.1. A document whose parent is not in
    the baseline stands at the top."""
    found = selectors.baseline_documents(baseline)
    positions = dict(
        Document.objects.filter(pk__in=[d.document_id for d in found]).values_list("pk", "position")
    )
    kind_order = {kind: n for n, kind in enumerate(Document.Kind.values)}
    ids = {d.document_id for d in found}
    children: dict[int | None, list] = {}
    for d in found:
        parent = d.parent_id if d.parent_id in ids else None
        children.setdefault(parent, []).append(d)

    def key(d):
        return (kind_order.get(d.kind, 99), positions.get(d.document_id, 0), d.title.casefold())

    result: list[ExportDocument] = []

    def walk(parent_id, prefix: str, level: int) -> None:
        for n, d in enumerate(sorted(children.get(parent_id, []), key=key), start=1):
            number = f"{prefix}{n}"
            result.append(
                ExportDocument(
                    document_id=d.document_id,
                    title=d.title,
                    slug=d.slug,
                    kind=d.kind,
                    kind_label=d.kind_label,
                    parent_id=d.parent_id,
                    body=d.body,
                    files=d.files or {},
                    version_id=d.version.pk,
                    head_id=d.head_id,
                    revision_id=baseline.revision_id,
                    number=number,
                    level=level,
                )
            )
            walk(d.document_id, f"{number}.", level + 1)

    walk(None, "", 1)
    return result


def previous_baseline(baseline: Baseline) -> Baseline | None:
    """The programme's baseline recorded just before this one (of any timebox)."""
    return (
        Baseline.objects.filter(timebox__programme_id=baseline.timebox.programme_id)
        .filter(created_at__lte=baseline.created_at)
        .exclude(pk=baseline.pk)
        .exclude(created_at=baseline.created_at, pk__gt=baseline.pk)
        .select_related("timebox")
        .order_by("-created_at", "-pk")
        .first()
    )


def _changes(
    baseline: Baseline, documents: list[ExportDocument], previous: Baseline | None
) -> tuple[list[Change], int]:
    """Document by document against the previous baseline: new in this one, changed (from
    version a to version b), or no longer in it. Compared by the documents' own versions."""
    if previous is None:
        return [], 0
    before = {int(pk): head for pk, head in (previous.heads or {}).items()}
    titles = {}
    if set(before) - {d.document_id for d in documents}:
        titles = {
            int(v.object_id): v.field_dict.get("title", "")
            for v in previous.revision.version_set.filter(object_id__in=[str(pk) for pk in before])
        }
    numbers = dict(
        VersionNumber.objects.filter(version_id__in=[h for h in before.values() if h]).values_list(
            "version_id", "number"
        )
    )
    changes, unchanged = [], 0
    for document in documents:
        if document.document_id not in before:
            changes.append(
                Change(document.title, "new", after=document.version_number, anchor=document.anchor)
            )
        elif before[document.document_id] != document.head_id:
            changes.append(
                Change(
                    document.title,
                    "changed",
                    before=numbers.get(before[document.document_id]),
                    after=document.version_number,
                    anchor=document.anchor,
                )
            )
        else:
            unchanged += 1
    present = {d.document_id for d in documents}
    for pk, head in before.items():
        if pk not in present:
            changes.append(Change(titles.get(pk, "?"), "gone", before=numbers.get(head)))
    return changes, unchanged


# --- fitting a document's HTML into the annex --------------------------------------------------

HEADING_TAG = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)
ID_ATTRIBUTE = re.compile(r'\bid="([^"]*)"')
HREF = re.compile(r'href="([^"]*)"')
MISSING_LINK = re.compile(r'<a [^>]*class="wikilink wikilink-missing"[^>]*>(.*?)</a>', re.DOTALL)


def _link_targets(programme: Programme, documents: list[ExportDocument]) -> dict[str, str]:
    """Addresses of the baseline's documents on the site → their anchors in the annex."""
    targets = {}
    for document in documents:
        url = reverse("wiki:document", args=[programme.slug, document.slug])
        targets[url] = f"#{document.anchor}"
    return targets


def _diagrams_drawn(documents: list[ExportDocument]) -> None:
    """Each process diagram (a ```mermaid block, `wiki.diagrams`) of the documents and their
    sections drawn as a picture (`wiki.drawing`, one browser run for the annex): an SVG for the
    PDF and the HTML, a PNG beside it for Word. A diagram that does not parse shows its source
    and the parser's message; when this server cannot draw, the source with a note saying so.
    The source is the diagram's exact text, as the site's history and diff show it."""
    parts = [document.html for document in documents] + [
        section.html for document in documents for section in document.sections
    ]
    sources = [source for html in parts for source in diagrams.diagram_sources_html(html)]
    if not sources:
        return
    drawn = drawing.drawings(sources)
    for document in documents:
        document.html = diagrams.diagrams_replace(document.html, lambda s: _diagram(s, drawn))
        for section in document.sections:
            section.html = diagrams.diagrams_replace(section.html, lambda s: _diagram(s, drawn))


def _diagram(source: str, drawn: dict[str, drawing.Drawing] | None) -> str:
    found = drawn.get(source) if drawn is not None else None
    code = (
        f'<pre class="diagram-source"><code class="language-mermaid">{escape(source)}</code></pre>'
    )
    if found is not None and found.drawn:
        size = f' width="{found.width}" height="{found.height}"' if found.width else ""
        raster = drawing.png_data_url(found)
        raster_attribute = f' data-raster="{raster}"' if raster else ""
        alt = escape(_("Process diagram"))
        return (
            f'<div class="diagram diagram-drawn"><img class="diagram-picture" '
            f'alt="{alt}" src="{drawing.data_url(found)}"'
            f"{size}{raster_attribute}></div>"
        )
    if found is not None and found.error:
        message = escape(_("This diagram could not be drawn:") + " " + found.error)
        error = f'<p class="diagram-error">{message}</p>'
        return f'<div class="diagram diagram-broken">{error}{code}</div>'
    note = escape(_("Process diagram, given as its text (Mermaid): it could not be drawn here."))
    return f'<div class="diagram"><p class="diagram-note">{note}</p>{code}</div>'


def _fit(html: str, document: ExportDocument, links: dict[str, str], *, below: int = 0) -> str:
    """A document's HTML made to fit the annex: its headings moved below the document's heading
    (the highest becomes one level deeper, `below` more for a section under a heading of its
    own), ids made unique per document, links to documents in the baseline turned into links
    within the annex, other site links made absolute, and links to documents not yet written
    turned into plain text."""
    levels = [int(m.group(2)) for m in HEADING_TAG.finditer(html) if not m.group(1)]
    if levels:
        shift = document.heading_level + 1 + below - min(levels)

        def heading(match: re.Match) -> str:
            return f"<{match.group(1)}h{max(1, min(int(match.group(2)) + shift, MAX_HEADING))}"

        html = HEADING_TAG.sub(heading, html)
    prefix = f"{document.anchor}-"
    html = ID_ATTRIBUTE.sub(lambda m: f'id="{prefix}{m.group(1)}"', html)
    html = MISSING_LINK.sub(lambda m: f"<span>{m.group(1)}</span>", html)
    site = getattr(settings, "SITE_URL", "").rstrip("/")

    def link(match: re.Match) -> str:
        href = match.group(1)
        if href.startswith("#"):
            return f'href="#{prefix}{href[1:]}"'
        path = href.split("#", 1)[0]
        if path in links:
            return f'href="{links[path]}"'
        if href.startswith("/") and site:
            return f'href="{escape(site)}{href}"'
        return match.group(0)

    return HREF.sub(link, html)


# --- the HTML ----------------------------------------------------------------------------------


def baseline_label(baseline: Baseline) -> str:
    return _("Baseline %(id)s") % {"id": baseline.pk}


def running_header_text(baseline: Baseline) -> str:
    """The running header: which baseline, of when, of which programme (in the active time
    zone)."""
    date = timezone.localtime(baseline.created_at).date()
    return f"{baseline_label(baseline)} · {_date_text(date)} · {baseline.timebox.programme.name}"


def page_of_text() -> str:
    return _("Page %(page)s of %(pages)s")


def page_label_css() -> str:
    """ "Page x of y" in the active language as a CSS `content` value."""
    text = page_of_text()
    parts = re.split(r"(%\(page\)s|%\(pages\)s)", text)
    values = []
    for part in parts:
        if part == "%(page)s":
            values.append("counter(page)")
        elif part == "%(pages)s":
            values.append("counter(pages)")
        elif part:
            values.append(css_string(part))
    return " ".join(values)


def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def annex_html(annex: Annex, *, closed_at: datetime, language: str) -> str:
    context = annex.context
    baseline = annex.baseline
    for organisation in annex.organisations:
        try:
            organisation["level_label"] = Membership.MemberLevel(organisation["level"]).label
        except ValueError:
            organisation["level_label"] = organisation.get("level", "")
    return render_to_string(
        "timeboxes/annex/annex.html",
        {
            "annex": annex,
            "annex_label": baseline_label(baseline),
            "baseline": baseline,
            "timebox": baseline.timebox,
            "programme": context.programme,
            "documents": context.documents,
            "closed_at": closed_at,
            "language": language,
            "running_header": css_string(running_header_text(baseline)),
            "page_label": page_label_css(),
            "site_url": getattr(settings, "SITE_URL", ""),
        },
    )


def _date_text(date) -> str:
    return date_format(date, "j F Y")
