"""Who else is here: presence on documents and their editors, and word of a save while someone
edits (docs/decisions/live-presence-by-polling.md).

An open document page or editor beats every `STIP_LIVE_INTERVAL_SECONDS`: it says that the
person is there (reading or editing), and asks in the same request who else is and which
version is current. Presence lives in the `live` cache (Redis, or a table of the database on
the embedded default), one entry per open page with a time-to-live of `STIP_LIVE_TTL_SECONDS`:
a page that stops beating (closed, offline, asleep) drops out by itself. Beside the entries, a
document keeps the list of the pages that beat on it, and a programme the list of its
documents that someone has open; both lists are only rewritten when someone new arrives, and
their time-to-live is renewed (`touch`) otherwise, so two people beating at once do not
overwrite each other's arrival more than once.

Nothing here is ever worth an error: a cache that fails (Redis down, the table locked) reads as
nobody here, and the beat answers as if all were quiet. Saving does not pass through here.
Who may see and be seen is `participation.permissions` (`Action.PRESENCE`).
"""

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.utils import formats, timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from participation.models import Programme

from .models import Document, version_number

logger = logging.getLogger(__name__)

CACHE_ALIAS = "live"
PAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


@dataclass(frozen=True)
class Presence:
    """One person on a document: the pages they have open there taken together."""

    user_id: int
    name: str
    organisation: str
    editing: bool
    since: float  # when they opened it, or began editing it when they are editing

    @property
    def sentence(self) -> str:
        since = formats.time_format(
            datetime.fromtimestamp(self.since, tz=timezone.get_current_timezone())
        )
        who = f"{self.name} ({self.organisation})" if self.organisation else self.name
        if self.editing:
            return _("%(who)s is editing this document too, since %(since)s") % {
                "who": who,
                "since": since,
            }
        return _("%(who)s is reading this document too, since %(since)s") % {
            "who": who,
            "since": since,
        }


def _cache():
    return caches[CACHE_ALIAS]


def _document_key(document_id: int) -> str:
    return f"document:{document_id}"


def _page_key(document_id: int, member: str) -> str:
    """The entry of one open page; `member` is "<user id>:<page id>"."""
    return f"document:{document_id}:page:{member}"


def _programme_key(programme_id: int) -> str:
    return f"programme:{programme_id}"


def page_id_valid(page: str) -> bool:
    """A page's own id, made up by the browser: a few letters and digits."""
    return bool(PAGE_ID.match(page or ""))


def enabled() -> bool:
    return settings.STIP_LIVE_INTERVAL_SECONDS > 0


def presence_beat(
    *,
    document: Document,
    user,
    page: str,
    editing: bool,
    identify: Callable[[], tuple[str, str]],
) -> bool:
    """Say that `user` has `document` open in `page`, editing or reading, for the next
    `STIP_LIVE_TTL_SECONDS`. `identify` gives the person's name and organisation as shown to
    the others; it is asked on the page's first beat only. The caller has checked
    `Action.PRESENCE` (and `Action.EDIT` for `editing`). False when the cache could not take it;
    the caller stays quiet then."""
    ttl = settings.STIP_LIVE_TTL_SECONDS
    member = f"{user.pk}:{page}"
    page_key = _page_key(document.pk, member)
    document_key = _document_key(document.pk)
    programme_key = _programme_key(document.programme_id)
    now = time.time()
    try:
        cache = _cache()
        found = cache.get_many([page_key, document_key, programme_key])
        previous = found.get(page_key)
        if previous:
            name, organisation = previous.get("name", ""), previous.get("organisation", "")
        else:
            name, organisation = identify()
        since = now
        if previous and previous.get("editing") == editing:
            since = previous.get("since", now)
        cache.set(
            page_key,
            {
                "user": user.pk,
                "name": name,
                "organisation": organisation,
                "editing": editing,
                "since": since,
            },
            ttl,
        )
        _join(cache, document_key, found.get(document_key), member, ttl, _members_alive(document))
        _join(cache, programme_key, found.get(programme_key), document.pk, ttl, None)
    except Exception:  # noqa: BLE001 - presence is never worth an error
        logger.warning("Presence not recorded: the live cache failed", exc_info=True)
        return False
    return True


def _members_alive(document: Document):
    def alive(cache, members: list) -> list:
        keys = {member: _page_key(document.pk, member) for member in members}
        found = cache.get_many(list(keys.values()))
        return [member for member, key in keys.items() if key in found]

    return alive


def _join(cache, key: str, members, member, ttl: int, prune) -> None:
    """Add `member` to the list at `key`, or only renew the list's time-to-live when it is in
    it already. The list is rewritten only on an arrival (and then pruned of those gone)."""
    if members is not None and member in members:
        cache.touch(key, ttl)
        return
    members = list(members or [])
    if prune is not None:
        members = prune(cache, members)
    cache.set(key, [*members, member], ttl)


def presence_leave(*, document: Document, user, page: str) -> None:
    """The page was closed: its entry goes at once instead of at the end of its time."""
    try:
        _cache().delete(_page_key(document.pk, f"{user.pk}:{page}"))
    except Exception:  # noqa: BLE001 - it expires by itself anyway
        logger.warning("Presence not removed: the live cache failed", exc_info=True)


def _pages_on(cache, document_ids: list[int]) -> dict[int, list[dict]]:
    indexes = cache.get_many([_document_key(pk) for pk in document_ids])
    keys = {}
    for pk in document_ids:
        for member in indexes.get(_document_key(pk)) or []:
            keys[_page_key(pk, str(member))] = pk
    entries = cache.get_many(list(keys))
    pages: dict[int, list[dict]] = {pk: [] for pk in document_ids}
    for key, entry in entries.items():
        pages[keys[key]].append(entry)
    return pages


def _people(entries: list[dict], *, without_user_id: int | None) -> list[Presence]:
    """Pages taken together per person: editing when any page is, since the earliest."""
    people: dict[int, Presence] = {}
    for entry in entries:
        user_id = entry.get("user")
        if user_id is None or user_id == without_user_id:
            continue
        editing = bool(entry.get("editing"))
        since = float(entry.get("since", 0))
        known = people.get(user_id)
        if known is not None:
            if known.editing and not editing:
                continue
            if known.editing == editing:
                since = min(since, known.since)
        people[user_id] = Presence(
            user_id=user_id,
            name=str(entry.get("name", "")),
            organisation=str(entry.get("organisation", "")),
            editing=editing,
            since=since,
        )
    return sorted(people.values(), key=lambda person: (not person.editing, person.since))


def presence_on(document: Document, *, viewer) -> list[Presence]:
    """Who else has the document open, editors first. The caller has checked that `viewer`
    may see it (`Action.PRESENCE`). Empty when the cache fails."""
    try:
        pages = _pages_on(_cache(), [document.pk])[document.pk]
    except Exception:  # noqa: BLE001 - nobody here, as far as anyone can tell
        logger.warning("Presence not read: the live cache failed", exc_info=True)
        return []
    return _people(pages, without_user_id=getattr(viewer, "pk", None))


@dataclass(frozen=True)
class BeingEdited:
    document: Document
    editors: list[Presence]

    @property
    def names(self) -> str:
        return get_text_list(
            [f"{p.name} ({p.organisation})" if p.organisation else p.name for p in self.editors],
            _("and"),
        )


def documents_being_edited(programme: Programme, *, viewer) -> list[BeingEdited]:
    """The programme's documents that someone (other than `viewer`) is editing now, with who.
    The caller has checked `Action.PRESENCE`. Empty when the cache fails."""
    try:
        cache = _cache()
        document_ids = cache.get(_programme_key(programme.pk)) or []
        pages = _pages_on(cache, [int(pk) for pk in document_ids])
    except Exception:  # noqa: BLE001 - quiet, as when nobody edits
        logger.warning("Presence not read: the live cache failed", exc_info=True)
        return []
    editors = {
        pk: [person for person in _people(entries, without_user_id=viewer.pk) if person.editing]
        for pk, entries in pages.items()
    }
    documents = (
        Document.objects.alive()
        .filter(programme=programme, pk__in=[pk for pk, people in editors.items() if people])
        .select_related("programme")
        .defer("body")
        .order_by("title")
    )
    return [BeingEdited(document=document, editors=editors[document.pk]) for document in documents]


@dataclass(frozen=True)
class Saved:
    """A version saved after the one a page shows or edits."""

    version_id: int
    number: int | None
    name: str
    organisation: str
    at: datetime


def saved_since(document: Document, base_version_id: int | None) -> Saved | None:
    """The document's current version when it is not `base_version_id`, with who saved it.
    Load `document` with its head's revision, author, organisation and number (as
    `selectors.document_live` does): this asks the database nothing more."""
    head = document.head
    if head is None or head.pk == base_version_id or base_version_id is None:
        return None
    revision = head.revision
    meta = getattr(revision, "edit_meta", None)
    user = revision.user
    return Saved(
        version_id=head.pk,
        number=version_number(head),
        name=(user.get_full_name() or user.username) if user else _("someone"),
        organisation=meta.organisation.name if meta and meta.organisation else "",
        at=revision.date_created,
    )
