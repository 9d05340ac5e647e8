"""How a document is shown to a reader: an extension point for the kinds another app knows better.

The wiki shows a document's markdown text, rendered (`wiki.rendering`). An app above the wiki
that keeps more of a kind of document than its text registers, in its `AppConfig.ready()`, a
function that shows that kind in its own form, in the reader's language:

    from wiki import display
    display.register_body(Document.Kind.USE_CASE, usecase_body)

`usecase_body(document, version)` gets the document and the version shown (its head on the
document's page, an older one on a version's page) and returns sanitised HTML, or None to fall
back to the rendered text. The wiki knows no names of the apps that register.
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
