"""Places in a document that a discussion thread can be about: an extension point.

A thread's top comment may keep an anchor: a key naming a place in the document as the reader
sees it. The wiki knows the headings of a document's text ("heading:<id>", the id the renderer
gives the heading). An app above the wiki that shows a kind of document in its own form names
the places of that form, in its `AppConfig.ready()`:

    from wiki import anchors
    anchors.register(Document.Kind.USE_CASE, usecase_anchors)

`usecase_anchors(document, html)` gets the document and the HTML its page shows and returns
`Anchor`s (the use cases app names the steps of a use case, "step:<id>"). The wiki keeps the
key and the label as they were when the thread began, shows the thread at that place while the
place is there (a link from the place to its threads, and from the thread back), and under the
document, marked as gone, once a later version no longer has it. The wiki knows no names of the
apps that register.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.translation import ngettext

logger = logging.getLogger("stip.wiki")

KEY = re.compile(r"^[a-z]+:[A-Za-z0-9_-]{1,150}$")
_HEADING = re.compile(r'<h([2-4]) id="([A-Za-z0-9_-]{1,150})">(.*?)</h\1>', re.S)
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Anchor:
    key: str  # "heading:<id>", "step:<id>": what a comment keeps
    label: str  # what a reader calls the place ("Heading text", "Step 3")
    element_id: str  # the id of the place's element in the page's HTML

    @property
    def threads_id(self) -> str:
        """The id of the list of threads at the place, for the links from the place to them."""
        return thread_dom_id(self.key)


AnchorSource = Callable[..., list[Anchor]]
_sources: dict[str, AnchorSource] = {}


def register(kind: str, source: AnchorSource) -> None:
    """Name the places of documents of `kind` with `source(document, html)` (see above)."""
    _sources[kind] = source


def heading_anchors(html: str) -> list[Anchor]:
    """The headings (levels 2 to 4) of rendered HTML, as places to anchor a thread to."""
    found = []
    for match in _HEADING.finditer(html):
        label = html_lib.unescape(_TAGS.sub("", match.group(3))).strip()
        element_id = match.group(2)
        found.append(Anchor(f"heading:{element_id}", label[:200], element_id))
    return found


def anchors_of(document, html: str) -> list[Anchor]:
    """Every place of the document shown as `html` that a thread can be anchored to: the
    registered form's places first, then the headings. A source that fails names none."""
    found: list[Anchor] = []
    source = _sources.get(document.kind)
    if source is not None:
        try:
            found.extend(source(document, html))
        except Exception:  # noqa: BLE001 - without its places the page still shows
            logger.exception("Naming the places of document %s failed", document.pk)
    seen = {anchor.key for anchor in found}
    found.extend(a for a in heading_anchors(html) if a.key not in seen)
    return found


def thread_dom_id(key: str) -> str:
    """The id of the list of threads at a place, for the links from the place to them."""
    return "threads-" + key.replace(":", "-")


def mark_places(html: str, anchors: list[Anchor], counts: dict[str, int]) -> str:
    """`html` with a link to the threads at each place that has any, right after the place's
    element opens (inside a heading: at its end, beside the heading's text)."""
    for anchor in anchors:
        count = counts.get(anchor.key)
        if not count:
            continue
        label = ngettext("%(count)s comment thread", "%(count)s comment threads", count) % {
            "count": count
        }
        link = (
            f'<a class="thread-marker no-print" href="#{escape(thread_dom_id(anchor.key))}">'
            f"{escape(label)}</a>"
        )
        element_id = re.escape(anchor.element_id)
        heading = re.compile(rf'(<h([1-6]) id="{element_id}">.*?)(</h\2>)', re.S)
        if heading.search(html):
            html = heading.sub(lambda m, link=link: f"{m.group(1)} {link}{m.group(3)}", html, 1)
            continue
        opening = re.compile(rf'(<[a-z0-9]+ [^>]*\bid="{element_id}"[^>]*>)')
        html = opening.sub(lambda m, link=link: f"{m.group(1)}{link} ", html, 1)
    return html
