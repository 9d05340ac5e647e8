"""What happened to a document, told to whoever watches it.

The wiki's services (and those of the apps above that change documents) call `document_event`
inside the transaction that made the change, so the change and its pending notifications are
written together (participation's outbox); delivery happens later, in Celery, after commit.

`register` (called in `WikiConfig.ready`) tells participation the kinds of document event and
that a document's events reach the people who watch it, and lead to the diff of the change.
"""

from enum import StrEnum

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from participation.events import event_kind_register, event_target_register
from participation.notifications import event_record, profile_of

from . import selectors
from .models import Document, Watch


class DocumentEvent(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    REVERTED = "reverted"
    COMMENTED = "commented"
    MENTIONED = "mentioned"
    MOVED = "moved"
    RENAMED = "renamed"
    DELETED = "deleted"
    RESTORED = "restored"


EDIT_EVENTS = {DocumentEvent.CREATED, DocumentEvent.EDITED, DocumentEvent.REVERTED}


def document_event(*, document, event: DocumentEvent, actor, version_id: int | None = None):
    """Record that `actor` did `event` to `document`: the outbox row of the change, and the
    author's automatic watch of what they create or edit. Must be called inside the transaction
    of the change itself."""
    previous_version_id = None
    summary = ""
    if version_id is not None:
        previous_version_id = (
            Version.objects.get_for_object(document)
            .filter(pk__lt=version_id)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        comment = Version.objects.filter(pk=version_id).values_list("revision__comment", flat=True)
        summary = comment.first() or ""
    elif event == DocumentEvent.COMMENTED:
        latest = document.comments.order_by("-pk").values_list("body", flat=True).first()
        summary = (latest or "")[:300]
    if event in EDIT_EVENTS and actor is not None and actor.is_authenticated:
        _watch_automatically(user=actor, document=document)
    return event_record(
        programme=document.programme,
        kind=str(event),
        actor=actor,
        target=document,
        version_id=version_id,
        previous_version_id=previous_version_id,
        summary=summary,
    )


def mention_event(*, document, actor, recipient_ids: set[int], summary: str):
    """Tell the people a comment names (`wiki.mentions`) that they were mentioned. The outbox's
    fan-out reaches only those among them who may read the programme, never the author. Must be
    called inside the transaction of the comment itself."""
    if not recipient_ids:
        return None
    return event_record(
        programme=document.programme,
        kind=str(DocumentEvent.MENTIONED),
        actor=actor,
        target=document,
        summary=summary[:300],
        recipients=recipient_ids,
    )


def _watch_automatically(*, user, document) -> None:
    """Contributors watch what they create or edit, unless they turned that off or already
    watch it (or something above it)."""
    if not profile_of(user).auto_watch:
        return
    if selectors.watchers_of(document).filter(pk=user.pk).exists():
        return
    Watch.objects.get_or_create(
        user=user,
        document=document,
        defaults={
            "programme": document.programme,
            "scope": Watch.Scope.DOCUMENT,
            "automatic": True,
        },
    )


def change_url(notification) -> str:
    """A notification about a document leads to the diff of the change, when it has one."""
    document = notification.target
    if not notification.to_version_id:
        return document.get_absolute_url()
    url = reverse(
        "wiki:diff", kwargs={"programme": notification.programme.slug, "slug": document.slug}
    )
    if notification.from_version_id:
        return url + f"?from={notification.from_version_id}&to={notification.to_version_id}"
    return url + f"?to={notification.to_version_id}"


def register() -> None:
    for event, verb, preference in (
        (DocumentEvent.CREATED, _("created"), "email_edits"),
        (DocumentEvent.EDITED, _("edited"), "email_edits"),
        (DocumentEvent.REVERTED, _("reverted"), "email_edits"),
        (DocumentEvent.COMMENTED, _("commented on"), "email_comments"),
        (DocumentEvent.MENTIONED, _("mentioned you in a comment on"), "email_comments"),
        (DocumentEvent.MOVED, _("moved"), "email_structure"),
        (DocumentEvent.RENAMED, _("renamed"), "email_structure"),
        (DocumentEvent.DELETED, _("deleted"), "email_structure"),
        (DocumentEvent.RESTORED, _("restored"), "email_structure"),
    ):
        # Edits by one person in a row become one notification (see participation).
        folds = (DocumentEvent.EDITED, DocumentEvent.CREATED)
        event_kind_register(
            event,
            verb,
            preference=preference,
            coalesce_into=folds if event == DocumentEvent.EDITED else (),
        )
    event_target_register(Document, audience=selectors.watchers_of, url=change_url)
