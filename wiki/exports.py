"""Extension points for documents exported to be read elsewhere (a baseline's tender annex).

An export is a set of documents as they were at one moment, in the order of the tree, rendered
to one HTML document (and from that to PDF and Word). The app that builds it (`timeboxes`, for a
baseline) asks the apps that know more of the documents to add their part; they register in
their `AppConfig.ready()`, and neither side imports the other:

- `register_record(key, fn)`: when the set is taken (a timebox closes), `fn(programme,
  documents)` returns JSON to keep with it under `key`, so that an export built later shows
  what held at that moment (usecases: the sign-offs and the glossary);
- `register_document_body(kind, fn)`: `fn(context, documents)` returns {document id: HTML} for
  documents of that kind, shown instead of their rendered markdown (a use case's structured
  form);
- `register_document_sections(fn)`: `fn(context)` returns {document id: [Section]}, shown after
  a document's text (the sign-off table);
- `register_appendix(fn, order=…)`: `fn(context)` returns [Appendix] for the end, lower `order`
  first (the glossary at 10; a decision list, say, at 20).

What they return is HTML they made safe (escaped by their templates, markdown sanitised by
`wiki.rendering`). Its headings may start at h1: the export moves them below the document's own
heading. Pictures (`<img>`, such as diagrams) are laid out in the PDF and embedded in the Word
document when they are `data:` URLs or files of the site's media or static storage; nothing is
fetched from elsewhere.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

logger = logging.getLogger("stip.wiki")

MAX_HEADING = 6


@dataclass
class Section:
    """A part of an exported document after its text: a heading and HTML."""

    title: str
    html: str
    css_class: str = ""


@dataclass
class Appendix:
    """A chapter at the end of an export."""

    title: str
    html: str
    anchor: str


@dataclass
class ExportDocument:
    """One document of an export, as it was: the version kept in the set (`version_id`) and the
    document's own latest version then (`head_id`, numbered `version_number`)."""

    document_id: int
    title: str
    slug: str
    kind: str
    kind_label: str
    parent_id: int | None
    body: str
    version_id: int
    head_id: int | None
    revision_id: int | None = None
    version_number: int | None = None
    files: dict = field(default_factory=dict)  # the version's attachments: {name: id}
    number: str = ""  # its place in the tree: "1.2.1"
    level: int = 1  # depth in the tree, 1 at the top
    html: str = ""
    sections: list[Section] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"doc-{self.document_id}"

    @property
    def heading_level(self) -> int:
        return min(self.level, MAX_HEADING)

    @property
    def section_level(self) -> int:
        return min(self.level + 1, MAX_HEADING)


@dataclass
class ExportContext:
    """What the extension points get: the programme, the documents (in tree order, numbered),
    what was recorded with the set, and the documents' own numbers of the versions involved."""

    programme: object
    documents: list[ExportDocument]
    records: dict
    version_numbers: dict[int, int]  # version id → the document's own number
    revision_id: int | None = None  # the revision that holds the set, when there is one
    taken_at: datetime | None = None  # when the set was taken

    def number_of(self, version_id: int | None) -> int | None:
        return self.version_numbers.get(version_id) if version_id else None

    def load_numbers(self, version_ids) -> None:
        """Look up the documents' own numbers of more versions, in one query, for `number_of`."""
        from .models import VersionNumber

        missing = {pk for pk in version_ids if pk and pk not in self.version_numbers}
        if missing:
            self.version_numbers.update(
                VersionNumber.objects.filter(version_id__in=missing).values_list(
                    "version_id", "number"
                )
            )


Recorder = Callable[[object, list], object]
_records: dict[str, Recorder] = {}
_bodies: dict[str, Callable[[ExportContext, list[ExportDocument]], dict[int, str]]] = {}
_sections: list[Callable[[ExportContext], dict[int, list[Section]]]] = []
_appendices: list[tuple[int, Callable[[ExportContext], list[Appendix]]]] = []


def register_record(key: str, recorder: Recorder) -> None:
    _records[key] = recorder


def register_document_body(kind: str, renderer) -> None:
    _bodies[kind] = renderer


def register_document_sections(provider) -> None:
    if provider not in _sections:
        _sections.append(provider)


def register_appendix(provider, *, order: int = 100) -> None:
    if all(p is not provider for _, p in _appendices):
        _appendices.append((order, provider))
        _appendices.sort(key=lambda item: item[0])


def records(programme, documents: list) -> dict:
    """Every registered app's record of a set of (locked, living) documents being taken."""
    return {key: recorder(programme, documents) for key, recorder in _records.items()}


def _safely(provider, *args, default):
    """What an extension returns; a failing one is logged and left out: the export still builds
    without that part."""
    try:
        return provider(*args)
    except Exception:  # noqa: BLE001 - one app's part must not stop the whole export
        logger.exception("An export extension failed: %r", provider)
        return default


def document_bodies(context: ExportContext) -> dict[int, str]:
    bodies: dict[int, str] = {}
    for kind, renderer in _bodies.items():
        of_kind = [d for d in context.documents if d.kind == kind]
        if of_kind:
            bodies.update(_safely(renderer, context, of_kind, default={}))
    return bodies


def document_sections(context: ExportContext) -> dict[int, list[Section]]:
    sections: dict[int, list[Section]] = {}
    for provider in _sections:
        for pk, found in _safely(provider, context, default={}).items():
            sections.setdefault(pk, []).extend(found)
    return sections


def appendices(context: ExportContext) -> list[Appendix]:
    found: list[Appendix] = []
    for _order, provider in _appendices:
        found.extend(_safely(provider, context, default=[]))
    return found
