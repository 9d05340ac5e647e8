"""Reads of the wiki, with permission filtering done here once."""

import re
from dataclasses import dataclass, field
from functools import cache, partial

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import router
from django.db.models import Q
from django.http import Http404
from reversion.models import Version

from participation import permissions
from participation.models import Programme
from participation.prepared import PreparedQuery

from .attachments import changes_between, files_of
from .models import Comment, Document, DocumentTemplate, SlugRedirect, Watch

WORD = re.compile(r"\w+", re.UNICODE)


def _document_query(programme_id, slug, *, include_deleted: bool):
    # The head version comes with its revision, author and organisation (the page shows the last
    # change) but without its stored copy of the text: the document holds the text already.
    # The ancestors (at most three: use case, work process, main process, vision) come along for
    # the breadcrumbs, without their texts.
    documents = Document.objects.select_related(
        "programme",
        "parent__parent__parent",
        "head__revision__user",
        "head__revision__edit_meta__organisation",
        "head__numbering",
    ).defer(
        "head__serialized_data",
        "head__object_repr",
        "parent__body",
        "parent__parent__body",
        "parent__parent__parent__body",
    )
    if not include_deleted:
        documents = documents.alive()
    return documents.filter(programme_id=programme_id, slug=slug)


# Every document's pages start with one of these: built once (participation.prepared).
_documents_by_slug = {
    include_deleted: PreparedQuery(
        partial(_document_query, include_deleted=include_deleted), kinds=(int, str)
    )
    for include_deleted in (False, True)
}


def document_for(programme: Programme, slug: str, *, include_deleted: bool = False):
    """(document, None), or (None, new_slug) when the slug is an old address of a document."""
    found = _documents_by_slug[include_deleted].all(programme.pk, slug)
    if found:
        return found[0], None
    redirect = (
        SlugRedirect.objects.filter(programme=programme, old_slug=slug)
        .select_related("document")
        .first()
    )
    if redirect is not None and (include_deleted or not redirect.document.is_deleted):
        return None, redirect.document.slug
    raise Http404


def document_live(programme: Programme, document_id) -> Document:
    """A living document of the programme for the live parts' beat (wiki.live), which asks
    several times a minute: with who saved its current version, without its text or any
    stored copy of it. Http404 when there is none (deleted, another programme's)."""
    try:
        return (
            Document.objects.alive()
            .select_related(
                "programme",
                "head__revision__user",
                "head__revision__edit_meta__organisation",
                "head__numbering",
            )
            .defer("body", "head__serialized_data", "head__object_repr")
            .get(programme=programme, pk=document_id)
        )
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def documents_visible_to(user, programme: Programme | None = None):
    documents = Document.objects.alive().filter(programme__in=permissions.visible_programmes(user))
    if programme is not None:
        documents = documents.filter(programme=programme)
    return documents.select_related("programme")


def _history_query(content_type_id, object_id, before=None, *, limit: int):
    # Version.objects.get_for_object's conditions, with the content type a value of the query
    # rather than fixed in its SQL: its id belongs to the database, not to the code.
    versions = (
        Version.objects.filter(
            content_type_id=content_type_id,
            object_id=object_id,
            db=router.db_for_write(Document),
        )
        .select_related("revision__user", "revision__edit_meta__organisation", "numbering")
        .defer("serialized_data", "object_repr")
        .order_by("-pk")
    )
    if before is not None:
        versions = versions.filter(pk__lt=before)
    return versions[: limit + 1]


@cache
def _history_page(limit: int, *, older: bool) -> PreparedQuery:
    """The query of a page of `history`, from the newest or older than a version, built once."""
    return PreparedQuery(
        partial(_history_query, limit=limit), kinds=(int, str, int) if older else (int, str)
    )


def history(document: Document, *, before: int | None = None, limit: int = 50):
    """Versions of a document, newest first, `limit` at a time (keyset: older than `before`).

    One query whatever the length of the history: versions, their revision, author and
    organisation, and one more row to tell whether older versions exist. The versions' stored
    copies of the document (its whole text each) are not loaded: the list does not show them.
    """
    content_type_id = ContentType.objects.get_for_model(Document).pk
    if before is None:
        page = _history_page(limit, older=False).all(content_type_id, str(document.pk))
    else:
        page = _history_page(limit, older=True).all(content_type_id, str(document.pk), before)
    return page[:limit], len(page) > limit


@dataclass
class TreeNode:
    document: Document
    children: list["TreeNode"] = field(default_factory=list)


def document_tree(programme: Programme) -> list[TreeNode]:
    """All living documents of a programme as a tree, in one query."""
    documents = list(
        Document.objects.alive()
        .filter(programme=programme)
        .only("id", "title", "slug", "kind", "parent_id", "position", "programme_id", "head_id")
    )
    for document in documents:
        document.programme = programme  # the same one: their addresses need its slug
    nodes = {d.pk: TreeNode(d) for d in documents}
    roots: list[TreeNode] = []
    kind_order = {kind: n for n, kind in enumerate(Document.Kind.values)}
    for node in nodes.values():
        parent = nodes.get(node.document.parent_id)
        (parent.children if parent else roots).append(node)
    for node in [*nodes.values()]:
        node.children.sort(key=lambda n: (n.document.position, n.document.title))
    roots.sort(key=lambda n: (kind_order[n.document.kind], n.document.position, n.document.title))
    return roots


def search_documents(user, query: str, programme: Programme | None = None):
    """Full-text search over the documents the person may read."""
    # Only words reach the search backend: quotes, NUL and operator characters would otherwise
    # be read as full-text query syntax (SQLite FTS5 fails on them).
    words = WORD.findall(query)[:20]
    if not words:
        return []
    return documents_visible_to(user, programme).search(" ".join(words))


def watchers_of(document: Document):
    """People watching the document, a document above it with its subtree, or its programme."""
    ancestor_ids = [a.pk for a in document.ancestors()]
    watching = Watch.objects.filter(
        Q(document=document)
        | Q(document_id__in=ancestor_ids, scope=Watch.Scope.SUBTREE)
        | Q(programme_id=document.programme_id, document__isnull=True)
    )
    return get_user_model().objects.filter(pk__in=watching.values("user_id"))


def _watches_covering_query(user_id, document_id, *rest):
    *ancestor_ids, programme_id = rest
    return Watch.objects.filter(user_id=user_id).filter(
        Q(document_id=document_id)
        | Q(document_id__in=ancestor_ids, scope=Watch.Scope.SUBTREE)
        | Q(programme_id=programme_id, document__isnull=True)
    )


@cache
def _watches_covering(ancestors: int) -> PreparedQuery:
    """The query of `watch_covering` for a document with this many ancestors, built once."""
    return PreparedQuery(_watches_covering_query, kinds=(int,) * (ancestors + 3))


def watch_covering(user, document: Document, ancestors: list[Document] | None = None):
    """The person's watch that covers the document, the nearest first: of the document itself,
    of a document above it with everything below it, or of the whole programme; None when
    they do not follow it. `ancestors` (from the top down) saves reading them again."""
    if not user.is_authenticated:
        return None
    chain = [*(document.ancestors() if ancestors is None else ancestors), document]
    nearest = {d.pk: n for n, d in enumerate(reversed(chain))}
    watches = _watches_covering(len(chain) - 1).all(
        user.pk, document.pk, *(d.pk for d in chain[:-1]), document.programme_id
    )
    by_document = {d.pk: d for d in chain}
    best = None
    for watch in watches:
        rank = nearest.get(watch.document_id, len(chain))
        if best is None or rank < best[0]:
            best = (rank, watch)
    if best is None:
        return None
    watch = best[1]
    if watch.document_id is not None:
        watch.document = by_document[watch.document_id]
    return watch


def watch_of(user, programme: Programme, document: Document | None = None) -> Watch | None:
    if not user.is_authenticated:
        return None
    return Watch.objects.filter(user=user, programme=programme, document=document).first()


def attachments_of(document, files: dict | None) -> list:
    """The attachments of one version of a document (its `files`), by name."""
    return [attachment for _name, attachment in sorted(files_of(document, files).items())]


def attachment_changes(document, old_files: dict | None, new_files: dict | None) -> dict:
    """{"added": [...], "removed": [...], "replaced": [(old, new), ...]} of Attachments between
    two versions' files."""
    changes = changes_between(old_files, new_files)
    old, new = files_of(document, old_files), files_of(document, new_files)
    return {
        "added": [new[n] for n in changes["added"] if n in new],
        "removed": [old[n] for n in changes["removed"] if n in old],
        "replaced": [(old[n], new[n]) for n in changes["replaced"] if n in old and n in new],
        "any": any(changes.values()),
    }


def document_templates(programme: Programme) -> dict[str, str]:
    """{kind: text} of the programme's document templates (the kinds that have one)."""
    return dict(
        DocumentTemplate.objects.filter(programme=programme)
        .exclude(body="")
        .values_list("kind", "body")
    )


def document_template_text(programme: Programme, kind: str) -> str:
    """The text a new document of `kind` starts from: its template, or nothing."""
    return document_templates(programme).get(kind, "")


def open_thread_counts(document_ids) -> dict[int, int]:
    """Per document: how many of its discussion threads are open (not resolved, not deleted)."""
    from django.db.models import Count

    rows = (
        Comment.objects.open_threads()
        .filter(document_id__in=document_ids)
        .values("document")
        .annotate(n=Count("pk"))
    )
    return {row["document"]: row["n"] for row in rows}
