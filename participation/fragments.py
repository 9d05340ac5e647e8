"""Parts of pages kept in the cache, and the changes that make them stale.

A template keeps a part that many people see alike with `{% fragment "name" key… %}…
{% endfragment %}` (participation/templatetags/fragments.py). The part is cached under its name,
the keys the template gives (a document and its head version, say), the reader's language, their
level in the page's programme and whether they are logged in (everything the permission module
decides on), and two generations:

- the programme's, raised whenever something in the programme that pages show changes;
- the site's, raised when something shown in every programme changes (a person's name, an
  organisation's).

The apps say which of their models pages show, in their `AppConfig.ready`:

    from participation.fragments import fragment_source_register
    fragment_source_register(Comment, lambda comment: comment.document.programme_id)

A saved or deleted row of such a model raises its programme's generation (or the site's when
the function returns None), and again once the transaction commits, so the next reader builds
the part anew. Writes that bypass the model (`QuerySet.update`) do not; a fragment therefore lives
`FRAGMENT_SECONDS` at most, and the templates key on what such writes change (a document's
head version, a programme's link epoch).

The cache may fail: a part that cannot be read or stored is rendered as if it were not cached.
A generation that could not be raised is caught by that same time limit.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger("stip.fragments")

FRAGMENT_SECONDS = 10 * 60
SITE = "site"
_sources: dict[type[Model], Callable[[Any], int | None]] = {}


def _generation_key(scope: int | str) -> str:
    return f"fragments:generation:{scope}"


def fragment_source_register(
    model: type[Model], programme_id_of: Callable[[Any], int | None]
) -> None:
    """Pages show rows of `model`: saving or deleting one makes the parts of the programme
    `programme_id_of(row)` stale (all programmes' when it returns None)."""
    _sources[model] = programme_id_of
    uid = f"stip-fragments-{model._meta.label}"
    post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")


def _changed(sender, instance, **kwargs) -> None:
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a log-in: nothing a page shows
    try:
        scope = _sources[sender](instance)
    except Exception:  # noqa: BLE001 - a row whose programme cannot be told: every programme's
        scope = None
    fragments_changed(scope)


def fragments_changed(programme_id: int | None) -> None:
    """Make the cached parts of a programme's pages (every programme's: None) stale: at once,
    and again when the current transaction commits, since a reader may build a part in between
    from what was committed before."""
    scope = SITE if programme_id is None else programme_id
    _raise_generation(scope)
    transaction.on_commit(lambda: _raise_generation(scope))


def _raise_generation(scope: int | str) -> None:
    key = _generation_key(scope)
    try:
        try:
            cache.incr(key)
        except ValueError:  # not there yet (or expired): any new value is a new generation
            cache.set(key, _fresh_generation(), timeout=None)
    except Exception:  # noqa: BLE001 - a cache outage: FRAGMENT_SECONDS bounds the staleness
        logger.warning("Could not raise the fragment generation of %s", scope, exc_info=True)


def _fresh_generation() -> int:
    import time

    return time.time_ns()


def generations(programme_id: int | None) -> list[Any]:
    """[site, programme] generations; raises when the cache does not answer."""
    keys = [_generation_key(SITE)]
    if programme_id is not None:
        keys.append(_generation_key(programme_id))
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        # A generation exists before a part is kept under it, so the next change raises it.
        for key in missing:
            cache.add(key, _fresh_generation(), timeout=None)
        found = {**found, **cache.get_many(missing)}
    return [found.get(key) for key in keys]


def fragment_key(name: str, parts: list[Any]) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"fragments:{name}:{digest}"


def fragment_get(key: str) -> str | None:
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - an outage looks like a miss
        logger.warning("Fragment cache unavailable (get)", exc_info=True)
        return None


def fragment_set(key: str, html: str) -> None:
    try:
        cache.set(key, html, timeout=FRAGMENT_SECONDS)
    except Exception:  # noqa: BLE001 - the part was rendered; it is only not kept
        logger.warning("Fragment cache unavailable (set)", exc_info=True)
