"""How a document is shown to a reader: an extension point for the kinds another app knows better.

The wiki shows a document's markdown text, rendered (`wiki.rendering`). An app above the wiki
that keeps more of a kind of document than its text registers, in its `AppConfig.ready()`, a
function that shows that kind in its own form, in the reader's language:

    from wiki import display
    display.register_body(Document.Kind.USE_CASE, usecase_body)

`usecase_body(document, version)` gets the document and the version shown (its head on the
document's page, an older one on a version's page) and returns sanitised HTML, or None to fall
back to the rendered text. The wiki knows no names of the apps that register.

Such an app may compare two versions in that form too: `display.register_diff_page(KIND, fn)`,
where `fn(document)` returns the address of its comparison page (which reads the wiki's
`?from=<id>&to=<id>`), or None to keep the wiki's comparison of the text. The wiki's comparison
page sends the reader there: the stored text of such a kind is a fixed template, not what the
reader reads.
"""

import logging
from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

from . import rendering

logger = logging.getLogger("stip.wiki")

BodyRenderer = Callable[..., str | None]
_bodies: dict[str, BodyRenderer] = {}


def register_body(kind: str, renderer: BodyRenderer) -> None:
    """Show documents of `kind` with `renderer(document, version)` (see the module's text)."""
    _bodies[kind] = renderer


_diff_pages: dict[str, Callable] = {}


def register_diff_page(kind: str, page: Callable) -> None:
    """Compare versions of documents of `kind` on the page `page(document)` (see above)."""
    _diff_pages[kind] = page


def diff_page(document) -> str | None:
    """The address of the registered comparison page of the document's kind, or None."""
    page = _diff_pages.get(document.kind)
    return page(document) if page is not None else None


_reading_texts: dict[str, Callable[[str], str]] = {}


def register_reading_text(kind: str, function: Callable[[str], str]) -> None:
    """`function(markdown) -> markdown`: the stored text of documents of `kind` with its fixed
    template's words in the reader's language, for where the text itself is shown (a search
    result's lines)."""
    _reading_texts[kind] = function


def reading_text(document) -> str:
    """The document's stored text as a reader reads it (see `register_reading_text`)."""
    function = _reading_texts.get(document.kind)
    return function(document.body) if function is not None else document.body


def body_html(document, *, version=None, title: str, text: str) -> SafeString:
    """The document's text as the reader sees it: the registered form of its kind, or else its
    markdown as rendered when the version was saved, without a first heading that repeats the
    title. A form that fails falls back to the rendered text: the page still shows."""
    version_id = version.pk if version is not None else document.head_id
    renderer = _bodies.get(document.kind)
    if renderer is not None:
        try:
            html = renderer(document, version)
        except Exception:  # noqa: BLE001 - the plain text is the fallback, never an error page
            logger.exception("Showing document %s in its own form failed", document.pk)
            html = None
        if html is not None:
            return mark_safe(html)  # noqa: S308 - the registered form returns sanitised HTML
    html = rendering.version_html(document.programme, version_id, text, title=title)
    return mark_safe(html)  # noqa: S308 - sanitised by wiki.rendering
