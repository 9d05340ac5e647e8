"""Timebox services: see the [timeboxes] issue."""


def document_freeze_check(*, document, action: str = "edit") -> None:
    """Raise `wiki.services.DocumentFrozen` when `document` lies in the scope of a timebox whose
    deadline has passed. Timeboxes arrive with [timeboxes]; until then nothing is frozen."""
