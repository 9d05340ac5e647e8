"""Document-kind handlers: what an app above the wiki adds to the documents of one kind.

The wiki knows its kinds of document (`Document.Kind`) but not what other apps build on them. An
app registers a handler for a kind in its `AppConfig.ready` (`kind_register(KIND, handler)`);
the use cases app does so for `Document.Kind.USE_CASE`, whose structured fields (actors, steps,
variants) are kept in one with the document's text. The wiki's services ask the handler first:

- `save_markdown(...)`: an edit of the document's text (the site's editor, the documents API);
- `revert(...)`: making an old version current again.

Each returns the wiki's `SaveResult`, or None to let the wiki do what it does for any document.
The handler is called with the document's row locked (see `wiki.services.document_lock`), inside
the change's transaction, after the save guards (`wiki.guards`) have passed.

Reads other apps may ask of a kind without knowing the app that handles it:

- `signoffs(document_ids)`: the organisations' sign-offs of those documents, a queryset of rows
  with `document_id`, `organisation_id`, `verdict` ("agree", "remarks", "object"), `version_id`
  and `signed_at`; None when the kind has no sign-off;
- `detail_warnings(document_ids, programme)`: [(document, [message, …])] of documents that are
  written in too much detail; None when the kind has no such check.
"""

from __future__ import annotations


class KindHandler:
    """The default: nothing beyond what the wiki does itself. Subclass and override."""

    def save_markdown(self, *, document, body, base_version_id, author, summary, title):
        return None

    def revert(self, *, document, version_id, author, summary):
        return None

    def signoffs(self, document_ids):
        return None

    def detail_warnings(self, document_ids, programme):
        return None


_handlers: dict[str, KindHandler] = {}
_DEFAULT = KindHandler()


def kind_register(kind: str, handler: KindHandler) -> None:
    """Let `handler` take part in documents of `kind`. Registering a kind again replaces it."""
    _handlers[kind] = handler


def kind_handler(kind: str) -> KindHandler:
    return _handlers.get(kind, _DEFAULT)


def kind_handlers() -> list[KindHandler]:
    return list(_handlers.values())


def signoffs(document_ids):
    """The sign-offs of these documents from the first kind that has sign-off, or None."""
    for handler in kind_handlers():
        found = handler.signoffs(document_ids)
        if found is not None:
            return found
    return None


def detail_warnings(document_ids, programme):
    """Too-detailed documents among these, from every kind that checks; None when none does."""
    results = [handler.detail_warnings(document_ids, programme) for handler in kind_handlers()]
    found = [result for result in results if result is not None]
    if not found:
        return None
    return [warning for result in found for warning in result]
