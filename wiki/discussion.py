"""A document's discussion as a page shows it: threads, their replies, their places.

Reads only. Comment texts are rendered with the wiki's markdown and nh3 path
(`wiki.rendering.markdown_to_html`), then their mentions marked (`wiki.mentions`): no text a
commenter types reaches the page unsanitised.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Prefetch
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from participation import permissions

from . import anchors, display, mentions, rendering
from .models import Comment, CommentEdit

logger = logging.getLogger("stip.wiki")


@dataclass
class ShownComment:
    comment: Comment
    html: SafeString
    earlier: list[tuple[CommentEdit, SafeString]]
    may_edit: bool
    may_delete: bool


@dataclass
class Thread:
    top: ShownComment
    replies: list[ShownComment]
    may_settle: bool
    place: anchors.Anchor | None = None  # the place it is anchored to, while it is there
    place_gone: bool = False  # anchored to a place a later version no longer has

    @property
    def comment(self) -> Comment:
        return self.top.comment

    @property
    def size(self) -> int:
        return 1 + len(self.replies)


@dataclass
class Discussion:
    threads: list[Thread] = field(default_factory=list)
    places: list[anchors.Anchor] = field(default_factory=list)

    @property
    def open(self) -> list[Thread]:
        return [t for t in self.threads if not t.comment.is_resolved]

    @property
    def resolved(self) -> list[Thread]:
        return [t for t in self.threads if t.comment.is_resolved]

    def at(self, key: str) -> list[Thread]:
        return [t for t in self.open if t.place is not None and t.place.key == key]

    @property
    def by_place(self) -> list[tuple[anchors.Anchor, list[Thread]]]:
        """The open threads at places still in the document, in the document's order."""
        return [(place, self.at(place.key)) for place in self.places if self.at(place.key)]

    @property
    def unplaced(self) -> list[Thread]:
        """Open threads about the document as a whole, or about a place no longer in it."""
        return [t for t in self.open if t.place is None]

    def counts(self) -> dict[str, int]:
        return {place.key: len(threads) for place, threads in self.by_place}


def places_of(document, html=None) -> list[anchors.Anchor]:
    """The places of the document's current version (`wiki.anchors`), kept in the cache per
    version and language, so a page served from the cache asks no query for them. `html` is
    the body as the page shows it, when the caller has it."""
    key = f"wiki:places:{document.pk}:{document.head_id}:{translation.get_language()}"
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage looks like a miss
        found = None
    if found is not None:
        return found
    if html is None:
        html = display.body_html(document, title=document.title, text=document.body)
    found = anchors.anchors_of(document, html)
    try:
        cache.set(key, found, timeout=24 * 3600)
    except Exception:  # noqa: BLE001 - worked out; only not kept
        logger.warning("Could not keep the places of document %s", document.pk, exc_info=True)
    return found


def comments_of(document):
    """The document's comments, threads first in the order they began, with what showing them
    needs."""
    return (
        Comment.objects.filter(document=document)
        .select_related("author", "organisation", "resolved_by")
        .prefetch_related(Prefetch("edits", queryset=CommentEdit.objects.order_by("replaced_at")))
        .order_by("created_at", "pk")
    )


def comment_html(text: str, programme, named: mentions.Named) -> SafeString:
    html = rendering.markdown_to_html(text, rendering.programme_resolver(programme))
    return mark_safe(mentions.mark(html, named))  # noqa: S308 - sanitised by wiki.rendering


def discussion_of(document, viewer, html: str | None = None) -> Discussion:
    """The document's threads as `viewer` sees them, with what they may do to each; `html` is
    the page's body, whose places (`wiki.anchors`) threads are shown at."""
    programme = document.programme
    comments = list(comments_of(document))
    texts = [c.body for c in comments] + [e.body for c in comments for e in c.edits.all()]
    named = mentions.resolve(programme, set().union(*map(mentions.handles_in, texts or [""])))

    def shown(comment: Comment) -> ShownComment:
        alive = not comment.is_deleted
        author = comment.author_id
        return ShownComment(
            comment=comment,
            html=comment_html(comment.body, programme, named) if alive else mark_safe(""),
            earlier=[(e, comment_html(e.body, programme, named)) for e in comment.edits.all()],
            may_edit=alive and permissions.may_edit_comment(viewer, programme, author),
            may_delete=alive and permissions.may_delete_comment(viewer, programme, author),
        )

    places = places_of(document, html)
    by_key = {place.key: place for place in places}
    threads: dict[int, Thread] = {}
    for comment in comments:
        if comment.parent_id is None:
            place = by_key.get(comment.anchor) if comment.anchor else None
            threads[comment.pk] = Thread(
                top=shown(comment),
                replies=[],
                may_settle=permissions.may_settle_thread(viewer, programme, comment.author_id),
                place=place,
                place_gone=bool(comment.anchor) and place is None,
            )
        elif comment.parent_id in threads:
            threads[comment.parent_id].replies.append(shown(comment))
    return Discussion(threads=list(threads.values()), places=places)
