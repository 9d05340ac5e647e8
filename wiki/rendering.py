"""Markdown to safe HTML.

Python-Markdown renders (tables, fenced code, table of contents, `[[Title]]` wiki links), then
nh3 sanitises: whatever the input, no script, style, event handler or `javascript:`/`data:` URL
survives. Every rendering runs within the bounds of `wiki.markdown_guard`: a text that cannot be
formatted within them is shown as typed, escaped, with a notice (`notice_html`), and is kept.

A version's text is rendered once, when it is saved, and stored with it (`Rendering`); its pages
show the stored HTML (`version_html`) and never run the renderer. Wiki links stay placeholders
in the stored HTML (`<a data-wikilink="Title">label</a>`) and are resolved when shown
(`fill_links`, one query for the titles a text links to), so a stored rendering never goes stale
when documents appear, disappear or are renamed.
"""

import html as html_lib
import logging
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

import markdown
import nh3
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.text import slugify
from django.utils.translation import gettext as _
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from . import markdown_guard
from .attachments import AttachmentExtension, Files, attachments_fill
from .diagrams import diagrams_mark
from .markdown_guard import Reason

logger = logging.getLogger("stip.wiki")

# Raised whenever the HTML made of the same text changes: stored renderings of an older one are
# made anew when shown (and by `manage.py render_versions`).
RENDERER_VERSION = 4
WIKILINK_PATTERN = r"\[\[([^\[\]\|\n]{1,200})(?:\|([^\[\]\n]{1,200}))?\]\]"

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class", "data-wikilink", "data-attachment"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height", "data-attachment"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan"},
    "code": {"class"},
    "div": {"class"},
    "span": {"class"},
    "ol": {"start"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}
URL_SCHEMES = {"http", "https", "mailto"}

Resolver = Callable[[str], tuple[str, bool]]


class WikiLinkInline(InlineProcessor):
    """`[[Title]]` or `[[Title|label]]` as a placeholder that `fill_links` resolves when shown."""

    def handleMatch(self, m: re.Match, data: str):  # noqa: N802 - Python-Markdown's API
        title = m.group(1).strip()
        element = etree.Element("a")
        element.text = (m.group(2) or title).strip()
        element.set("data-wikilink", title)
        return element, m.start(0), m.end(0)


class WikiLinkExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.inlinePatterns.register(WikiLinkInline(WIKILINK_PATTERN, md), "wiki", 175)


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "tables",
            "fenced_code",
            "toc",
            "sane_lists",
            WikiLinkExtension(),
            AttachmentExtension(),
        ],
        extension_configs={"toc": {"permalink": False, "toc_depth": "2-4"}},
        output_format="html",
    )


def render_markdown(text: str) -> markdown_guard.Outcome:
    """`text` as sanitised HTML with its wiki links as placeholders, within the bounds of
    `wiki.markdown_guard`: or the text escaped, with the reason it could not be formatted."""
    return markdown_guard.render(text or "", _markdown, _cleaned)


def _cleaned(html: str) -> str:
    """Sanitised, with the ```mermaid blocks marked as diagrams (`wiki.diagrams`)."""
    return diagrams_mark(sanitise(html))


def notice_html(reason: str) -> str:
    """What a reader (and the author) is told above a text shown as typed, in their language."""
    why = {
        Reason.NESTING: _("brackets or parentheses nested too deeply"),
        Reason.DEPTH: _("quotes, lists or emphasis nested too deeply"),
        Reason.BACKTICKS: _("too many runs of backticks on one line"),
        Reason.HTML: _("HTML elements nested too deeply, or tags left open"),
        Reason.WIDTH: _("a table with too many columns or cells"),
        Reason.DENSE: _("a very long paragraph full of formatting"),
    }.get(reason, _("more structure than can be formatted in time"))
    return format_html(
        '<p class="notice notice-warning unformatted-notice" role="note">{}</p>',
        _(
            "This text is shown as typed, without formatting: it has %(why)s. Nothing of it is "
            "lost; simplify that part and save it again to see it formatted."
        )
        % {"why": why},
    )


# --- wiki links ----------------------------------------------------------------------------------

# A placeholder as `sanitise` writes it: the label is text only (escaped), so no `<` inside.
_PLACEHOLDER = re.compile(r'<a data-wikilink="([^"]*)"[^>]*>([^<]*)</a>')


def wikilink_titles(html: str) -> set[str]:
    return {html_lib.unescape(m.group(1)) for m in _PLACEHOLDER.finditer(html)}


def fill_links(html: str, resolve: Resolver | None) -> str:
    """The wiki link placeholders of `html` as links (`resolve(title)` gives the address and
    whether the document exists), or as their label alone without a resolver."""

    def link(match: re.Match) -> str:
        label = match.group(2)
        if resolve is None:
            return label
        href, exists = resolve(html_lib.unescape(match.group(1)))
        css = "wikilink" if exists else "wikilink wikilink-missing"
        return f'<a href="{escape(href)}" class="{css}">{label}</a>'

    return _PLACEHOLDER.sub(link, html) if "data-wikilink" in html else html


def programme_resolver(programme, titles: Iterable[str] | None = None) -> Resolver:
    """Resolve `[[Title]]` (or `[[slug]]`) to a document of the programme, or to a create link.
    With `titles`, only the documents those may name are looked up (one query, none for none)."""
    from .models import Document

    documents = Document.objects.alive().filter(programme=programme)
    if titles is not None:
        titles = set(titles)
        documents = (
            documents.annotate(lowered=Lower("title")).filter(
                Q(lowered__in={t.lower() for t in titles})
                | Q(slug__in={slugify(t) for t in titles} | titles)
            )
            if titles
            else documents.none()
        )
    targets: dict[str, str] = {}
    for title, slug in documents.values_list("title", "slug"):
        targets.setdefault(title.casefold(), slug)
        targets.setdefault(slug, slug)

    def resolve(title: str) -> tuple[str, bool]:
        slug = targets.get(title.casefold()) or targets.get(slugify(title))
        if slug:
            return reverse("wiki:document", args=[programme.slug, slug]), True
        url = reverse("wiki:create", args=[programme.slug])
        return f"{url}?{urlencode({'title': title})}", False

    return resolve


def resolve_links(programme, html: str) -> str:
    """`html`'s wiki link placeholders resolved within `programme`, with one query."""
    titles = wikilink_titles(html)
    return fill_links(html, programme_resolver(programme, titles)) if titles else html


# --- rendering text ----------------------------------------------------------------------------


def markdown_to_html(
    text: str, resolve: Resolver | None = None, attachments: Files | None = None
) -> str:
    """`text` rendered now, its wiki links resolved with `resolve` and its `attachment:NAME`
    references with `attachments` (`wiki.attachments`): for the texts that have no stored
    rendering (glossary definitions, use case fields, previews, exports)."""
    outcome = render_markdown(text)
    html = attachments_fill(fill_links(outcome.html, resolve), attachments)
    return html if outcome.formatted else notice_html(outcome.reason) + html


def render_for_programme(programme, text: str, attachments: Files | None = None) -> str:
    """`text` rendered now with its wiki links resolved within `programme` (the preview)."""
    outcome = render_markdown(text)
    html = attachments_fill(resolve_links(programme, outcome.html), attachments)
    return html if outcome.formatted else notice_html(outcome.reason) + html


TITLE_HEADING = re.compile(r"^[ ]{0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")


def _leading_heading(text: str) -> str | None:
    lines = (text or "").split("\n")
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None
    match = TITLE_HEADING.match(lines[first].rstrip("\r"))
    return match.group(1).strip() if match else None


def without_title(text: str, title: str) -> str:
    """The text without a leading `# Title` heading that repeats the document's title: the page
    (and every export) shows the title once, above the text. The stored text keeps it."""
    heading = _leading_heading(text)
    if heading is None or heading.casefold() != (title or "").strip().casefold():
        return text
    lines = text.split("\n")
    first = next(n for n, line in enumerate(lines) if line.strip())
    rest = lines[first + 1 :]
    while rest and not rest[0].strip():
        rest.pop(0)
    return "\n".join(rest)


def heading_retitled(text: str, old_title: str, new_title: str) -> str:
    """The text with a leading `# Title` heading that repeats `old_title` now naming
    `new_title`: a renamed document's own heading follows its title (the page hides the heading
    only while it repeats the title of its version). Any other text is returned as it was."""
    heading = _leading_heading(text)
    if heading is None or heading.casefold() != (old_title or "").strip().casefold():
        return text
    if heading.casefold() == (new_title or "").strip().casefold():
        return text
    lines = text.split("\n")
    first = next(n for n, line in enumerate(lines) if line.strip())
    lines[first] = f"# {new_title}"
    return "\n".join(lines)


# --- stored renderings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """What is stored of a version's rendering (the fields of `Rendering`)."""

    html: str
    unformatted: str
    lead_heading: str
    lead_end: int
    renderer_version: int = RENDERER_VERSION

    def fields(self) -> dict:
        return {
            "html": self.html,
            "unformatted": self.unformatted,
            "lead_heading": self.lead_heading,
            "lead_end": self.lead_end,
            "renderer_version": self.renderer_version,
        }


def render_for_storage(text: str) -> Stored:
    """The rendering of a version's text as it is stored: the HTML with wiki link placeholders,
    the reason it is unformatted (empty when formatted) and, when the text opens with a `# `
    heading, that heading's text and where its HTML ends, so that a page can leave out a heading
    that repeats the title without rendering again."""
    outcome = render_markdown(text)
    heading = _leading_heading(text) if outcome.formatted else None
    lead_end = 0
    if heading is not None and outcome.html.startswith("<h1"):
        lead_end = outcome.html.find("</h1>") + len("</h1>")
    if lead_end <= 0:
        heading, lead_end = None, 0
    return Stored(
        html=outcome.html,
        unformatted=outcome.reason or "",
        lead_heading=(heading or "")[:200],
        lead_end=lead_end,
    )


def rendering_store(version, text: str):
    """Render `version`'s text and store it with the version (a new one, or one whose stored
    rendering is of an older renderer). Call when the version is saved."""
    from .models import Rendering

    stored = render_for_storage(text)
    rendering, _created = Rendering.objects.update_or_create(
        version_id=version.pk, defaults=stored.fields()
    )
    return rendering


def _stored_or_render(version_id: int, text: str) -> Stored:
    """The stored rendering of the version; one stored before this renderer (or never) is
    rendered now and stored for the next reader."""
    from .models import Rendering

    row = (
        Rendering.objects.filter(version_id=version_id, renderer_version=RENDERER_VERSION)
        .values("html", "unformatted", "lead_heading", "lead_end")
        .first()
    )
    if row is not None:
        return Stored(**row)
    stored = render_for_storage(text)
    try:
        with transaction.atomic():
            Rendering.objects.update_or_create(version_id=version_id, defaults=stored.fields())
    except DatabaseError:  # a reader still sees the page; the next one tries storing again
        logger.warning("Storing the rendering of version %s failed", version_id, exc_info=True)
    return stored


def shown_html(
    programme, stored: Stored, *, title: str | None = None, attachments: Files | None = None
) -> str:
    """A stored rendering as a page shows it: without a leading heading that repeats `title`,
    its wiki links and attachments resolved, a notice above a text shown unformatted."""
    html = stored.html
    if (
        title is not None
        and stored.lead_end
        and stored.lead_heading.casefold() == title.strip().casefold()
    ):
        html = html[stored.lead_end :].lstrip("\n")
    html = attachments_fill(resolve_links(programme, html), attachments)
    return notice_html(stored.unformatted) + html if stored.unformatted else html


def version_html(
    programme,
    version_id: int | None,
    text: str,
    *,
    title: str | None = None,
    attachments: Files | None = None,
) -> str:
    """The HTML of one version of a document, from its stored rendering (see the module's text).
    With the document's `title`, a leading heading that repeats it is left out: the page shows
    the title above the text. Without a version (nothing saved yet), the text is rendered now."""
    stored = render_for_storage(text) if version_id is None else _stored_or_render(version_id, text)
    return shown_html(programme, stored, title=title, attachments=attachments)
