"""What happened to a document, told to whoever follows it.

The wiki's services call `document_event` inside the transaction that made the change, so the
change and its pending notifications are written together (an outbox); delivery happens later,
in Celery, after commit. The [participation] notifications build on this entry point.
"""

from enum import StrEnum


class DocumentEvent(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    REVERTED = "reverted"
    COMMENTED = "commented"
    MOVED = "moved"
    RENAMED = "renamed"
    DELETED = "deleted"
    RESTORED = "restored"


def document_event(*, document, event: DocumentEvent, actor, version_id: int | None = None) -> None:
    """Record that `actor` did `event` to `document`. Must be called inside the transaction of
    the change itself."""
    from . import notifications

    notifications.document_event_record(
        document=document, event=event, actor=actor, version_id=version_id
    )
