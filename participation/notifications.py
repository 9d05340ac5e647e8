"""Notifications of watched documents: see the [participation] issue."""


def document_event_record(*, document, event, actor, version_id=None) -> None:
    """Write the pending notification of a document event (the outbox). Not built yet: watching
    and notifications arrive with [participation]."""
