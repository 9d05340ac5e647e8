"""Markdown to safe HTML.

Python-Markdown renders (tables, fenced code, table of contents, `[[Title]]` wiki links), then
nh3 sanitises: whatever the input, no script, style, event handler or `javascript:`/`data:` URL
survives. Rendered HTML is cached per version and per programme link epoch, so a page view never
renders markdown twice for the same version.
"""

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from urllib.parse import urlencode

import markdown
import nh3
from django.core.cache import cache
from django.urls import reverse
from django.utils.text import slugify
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from .attachments import AttachmentExtension
from .diagrams import diagrams_mark

RENDERER_VERSION = 3
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
    "a": {"href", "title", "class"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
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
    def __init__(self, pattern: str, md: markdown.Markdown, resolve: Resolver) -> None:
        super().__init__(pattern, md)
        self.resolve = resolve

    def handleMatch(self, m: re.Match, data: str):  # noqa: N802 - Python-Markdown's API
        title = m.group(1).strip()
        label = (m.group(2) or title).strip()
        href, exists = self.resolve(title)
        element = etree.Element("a")
        element.text = label
        element.set("href", href)
        element.set("class", "wikilink" if exists else "wikilink wikilink-missing")
        return element, m.start(0), m.end(0)


class WikiLinkExtension(Extension):
    def __init__(self, resolve: Resolver, **kwargs) -> None:
        self.resolve = resolve
        super().__init__(**kwargs)

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.inlinePatterns.register(WikiLinkInline(WIKILINK_PATTERN, md, self.resolve), "wiki", 175)


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


def markdown_to_html(text: str, resolve: Resolver | None = None, attachments=None) -> str:
    """`attachments` resolves `attachment:NAME` references (`wiki.attachments`)."""
    extensions: list = ["tables", "fenced_code", "toc", "sane_lists"]
    if resolve is not None:
        extensions.append(WikiLinkExtension(resolve))
    if attachments is not None:
        extensions.append(AttachmentExtension(attachments))
    html = markdown.markdown(
        text,
        extensions=extensions,
        extension_configs={"toc": {"permalink": False, "toc_depth": "2-4"}},
        output_format="html",
    )
    return diagrams_mark(sanitise(html))


def programme_resolver(programme) -> Resolver:
    """Resolve `[[Title]]` (or `[[slug]]`) to a document of the programme, or to a create link."""
    from .models import Document

    targets: dict[str, str] = {}
    for title, slug in (
        Document.objects.alive().filter(programme=programme).values_list("title", "slug")
    ):
        targets.setdefault(title.casefold(), slug)
        targets.setdefault(slug, slug)

    def resolve(title: str) -> tuple[str, bool]:
        slug = targets.get(title.casefold()) or targets.get(slugify(title))
        if slug:
            return reverse("wiki:document", args=[programme.slug, slug]), True
        url = reverse("wiki:create", args=[programme.slug])
        return f"{url}?{urlencode({'title': title})}", False

    return resolve


TITLE_HEADING = re.compile(r"^[ ]{0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")


def without_title(text: str, title: str) -> str:
    """The text without a leading `# Title` heading that repeats the document's title: the page
    (and every export) shows the title once, above the text. The stored text keeps it."""
    lines = (text or "").split("\n")
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return text
    match = TITLE_HEADING.match(lines[first].rstrip("\r"))
    if match is None or match.group(1).strip().casefold() != (title or "").strip().casefold():
        return text
    rest = lines[first + 1 :]
    while rest and not rest[0].strip():
        rest.pop(0)
    return "\n".join(rest)


def render_for_programme(programme, text: str, attachments=None) -> str:
    return markdown_to_html(text, programme_resolver(programme), attachments)


def render_version(
    programme, version_id: int | None, text: str, *, title: str | None = None, attachments=None
) -> str:
    """Rendered HTML of one version of a document, from the cache when it was rendered before.
    With the document's `title`, a leading heading that repeats it is left out (`without_title`):
    the page shows the title above the text."""
    if title is not None:
        text = without_title(text, title)
    if version_id is None:
        return render_for_programme(programme, text, attachments)
    shown = "untitled" if title is not None else "whole"
    key = f"wiki:html:{RENDERER_VERSION}:{programme.pk}:{programme.link_epoch}:{version_id}:{shown}"
    html = cache.get(key)
    if html is None:
        html = render_for_programme(programme, text, attachments)
        cache.set(key, html, timeout=60 * 60 * 24 * 7)
    return html
