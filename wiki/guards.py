"""Save guards: rules of the apps above the wiki that may refuse a change to a document.

A guard is a function `guard(*, document, action)` that returns nothing to allow the change and
raises a `wiki.services.WikiError` (usually `DocumentFrozen`, which keeps the submitted text in
the refusal) to refuse it. An app registers its guards in its `AppConfig.ready`
(`guard_register(fn)`); the timeboxes app's freeze of a timebox's scope after its deadline is one.

The wiki's services call `guards_check` inside the change's transaction, after they have locked
the document's row, so "now" is the moment the change would be written. `action` is one of
`ACTIONS`; for "create" the document is the new document's parent. Apps above the wiki that
change documents themselves (a use case's fields, a sign-off) call `guards_check` the same way.
"""

from collections.abc import Callable

ACTIONS = ("create", "edit", "revert", "rename", "move", "delete", "comment", "sign_off")

_guards: list[Callable] = []


def guard_register(guard: Callable) -> None:
    """Have `guard` asked before every change to a document (once, however often registered)."""
    if guard not in _guards:
        _guards.append(guard)


def guards_check(document, action: str) -> None:
    """Ask every registered guard; the first that refuses raises."""
    for guard in _guards:
        guard(document=document, action=action)
