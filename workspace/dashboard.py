"""A person's dashboard: what asks for them, their programmes, what changed and their own edits.

Built so that someone new to Stip sees within a minute what needs their attention: the things
that ask for them come first, each with a count. Each section reads another app's models only
when that app has them (`installed_model`), so the dashboard works while a feature is still
absent and fills in as it lands.

"Since your last visit" is the moment of the person's previous dashboard visit in an earlier
session, kept in a signed cookie (no table needed); a first visit looks back `FIRST_VISIT_DAYS`.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from participation import permissions
from participation.models import Level, Organisation, Programme, ProgrammeRole
from participation.permissions import Action
from wiki.models import Document, EditMeta

from .insight import document_keys, installed_model

FIRST_VISIT_DAYS = 14
CLOSING_SOON_DAYS = 14
CHANGES_SHOWN = 15
EDITS_SHOWN = 10
SEEN_COOKIE = "stip_seen"
SEEN_SESSION_KEY = "stip_dashboard_since"
SEEN_MAX_AGE = 365 * 24 * 3600


@dataclass
class ProgrammeEntry:
    programme: Programme
    level: Level
    organisations: list[Organisation]


@dataclass
class Change:
    """One saved change to a document, as shown in a list."""

    document: Document
    version: Version
    count: int = 1  # changes to this document that this entry stands for (the newest shown)

    @property
    def revision(self):
        return self.version.revision


@dataclass
class AskItem:
    """One thing that waits for the person, as the dashboard lists it."""

    title: str
    url: str
    programme: Programme
    due: dt.datetime | None = None


def _url(obj, fallback: str) -> str:
    """The object's own address, or `fallback` while the app that shows it has no page yet."""
    try:
        return obj.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        return fallback


@dataclass
class AskSection:
    """Something that asks for the person: a heading, a count and the items."""

    key: str
    heading: str
    empty: str
    items: list[AskItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)


@dataclass
class Dashboard:
    asks: list[AskSection]
    programmes: list[ProgrammeEntry]
    changes: list[Change]
    changes_since: dt.datetime
    changes_source: str  # "watched" or "programmes"
    my_edits: list[Change]
    open_programmes: int = 0

    @property
    def attention_count(self) -> int:
        return sum(section.count for section in self.asks)


# Selectors -----------------------------------------------------------------------------------


def my_programmes(user) -> list[ProgrammeEntry]:
    """Programmes the person takes part in (through an organisation or a role), with their
    level and the organisations they take part for."""
    programmes = (
        Programme.objects.filter(
            Q(memberships__organisation__affiliations__user=user) | Q(roles__user=user)
        )
        .distinct()
        .prefetch_related("memberships__organisation")
    )
    mine = set(Organisation.objects.filter(affiliations__user=user).values_list("pk", flat=True))
    entries = [
        ProgrammeEntry(
            programme=programme,
            level=permissions.level_of(user, programme),
            organisations=[
                m.organisation for m in programme.memberships.all() if m.organisation_id in mine
            ],
        )
        for programme in programmes
    ]
    entries.sort(key=lambda e: (-e.level, e.programme.name.lower()))
    return entries


def _changes(versions: Iterable[Version]) -> list[Change]:
    """Pair versions with their (living) documents, in two queries for the whole list."""
    versions = list(versions)
    documents = Document.objects.alive().select_related("programme")
    by_id = {str(d.pk): d for d in documents.filter(pk__in={int(v.object_id) for v in versions})}
    return [Change(by_id[v.object_id], v) for v in versions if v.object_id in by_id]


def _document_versions():
    return (
        Version.objects.get_for_model(Document)
        .select_related("revision__user", "revision__edit_meta__organisation")
        .exclude(revision__edit_meta__action=EditMeta.Action.BASELINE)
        .order_by("-revision__date_created", "-pk")
    )


def changes_since(user, programmes: list[Programme], since: dt.datetime) -> tuple[list, str]:
    """Changes by others since `since`: in the documents the person watches once watching
    exists, in their programmes until then. Returns (changes, source)."""
    documents = Document.objects.alive().filter(programme__in=programmes)
    source = "programmes"
    watch = installed_model("wiki", "Watch")
    if watch is not None and watch.objects.filter(user=user).exists():
        documents = documents.filter(_watched_by(watch, user))
        source = "watched"
    versions = (
        _document_versions()
        .filter(object_id__in=document_keys(documents), revision__date_created__gt=since)
        .exclude(revision__user=user)
    )
    return _per_document(_changes(versions[: CHANGES_SHOWN * 10])), source


def _per_document(changes: list[Change]) -> list[Change]:
    """One entry per document, its newest change, counting the others."""
    newest: dict[int, Change] = {}
    for change in changes:
        if change.document.pk in newest:
            newest[change.document.pk].count += 1
        else:
            newest[change.document.pk] = change
    return list(newest.values())[:CHANGES_SHOWN]


def _watched_by(watch, user) -> Q:
    """Documents the person watches: a document itself, a document with everything below it,
    or a whole programme."""
    watches = list(
        watch.objects.filter(user=user).values_list("programme_id", "document_id", "scope")
    )
    programmes = {programme for programme, document, _scope in watches if document is None}
    ids = {document for _programme, document, _scope in watches if document is not None}
    frontier = {document for _programme, document, scope in watches if scope == "subtree"}
    while frontier:
        children = set(Document.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = children - ids
        ids |= children
    return Q(programme__in=programmes) | Q(pk__in=ids)


def my_recent_edits(user) -> list[Change]:
    versions = _document_versions().filter(revision__user=user)
    return _changes(versions[:EDITS_SHOWN])


def closing_timeboxes(user, entries: list[ProgrammeEntry], now: dt.datetime) -> list[AskItem]:
    """Open timeboxes closing within `CLOSING_SOON_DAYS` in which none of the person's
    organisations has taken part yet (edited, commented on or signed off something in scope),
    as the timeboxes app counts taking part."""
    timebox = installed_model("timeboxes", "Timebox")
    try:
        from timeboxes import selectors as timebox_selectors
    except ImportError:
        return []
    if timebox is None:
        return []
    mine = {o.pk for e in entries for o in e.organisations}
    contributing = [e.programme for e in entries if e.level >= Level.CONTRIBUTOR]
    candidates = (
        timebox.objects.filter(
            programme__in=contributing,
            status="open",
            deadline__gt=now,
            deadline__lte=now + dt.timedelta(days=CLOSING_SOON_DAYS),
        )
        .select_related("programme")
        .order_by("deadline")
    )
    waiting = []
    for box in candidates:
        scope = timebox_selectors.scope_document_ids(box)
        if mine & set(timebox_selectors.contributions(box, scope, until=now)):
            continue
        url = _url(box, box.programme.get_absolute_url())
        waiting.append(AskItem(box.name, url, box.programme, box.deadline))
    return waiting


def awaiting_signoff(user, entries: list[ProgrammeEntry]) -> list[AskItem]:
    """Use cases in the programmes where the person may sign off for their organisation, that
    none of their organisations has signed off in their current version."""
    signoff = installed_model("usecases", "SignOff")
    if signoff is None:
        return []
    programmes = [
        e.programme for e in entries if permissions.can(user, Action.SIGN_OFF, e.programme)
    ]
    mine = [o.pk for e in entries for o in e.organisations]
    if not programmes or not mine:
        return []
    current = signoff.objects.filter(
        document=OuterRef("pk"), organisation__in=mine, version_id=OuterRef("head_id")
    )
    documents = (
        Document.objects.alive()
        .filter(programme__in=programmes, kind=Document.Kind.USE_CASE)
        .exclude(Exists(current))
        .select_related("programme")
        .order_by("programme__name", "title")
    )
    return [AskItem(d.title, _signoff_url(d), d.programme) for d in documents]


def _signoff_url(document: Document) -> str:
    return (
        _route("usecases:signoffs", document.programme.slug, document.slug)
        or document.get_absolute_url()
    )


def _route(name: str, *args) -> str:
    """The address of another app's page, or "" while that page does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def join_requests_for(user) -> list[AskItem]:
    """Pending join requests in the programmes the person leads."""
    join_request = installed_model("participation", "JoinRequest")
    if join_request is None:
        return []
    led = ProgrammeRole.objects.filter(user=user, role=ProgrammeRole.Role.LEAD).values("programme")
    requests = join_request.objects.filter(programme__in=led)
    status_field = next(
        (f for f in join_request._meta.get_fields() if f.name in ("status", "state")), None
    )
    if status_field is not None:
        requests = requests.filter(**{status_field.name: "pending"})
    items = []
    for join in requests.select_related("programme", "organisation"):
        title = _("%(organisation)s asks to join") % {"organisation": join.organisation.name}
        url = _route("participation:requests", join.programme.slug) or _url(
            join, join.programme.get_absolute_url()
        )
        items.append(AskItem(title, url, join.programme, getattr(join, "created_at", None)))
    return items


def asks_for(
    user, entries: list[ProgrammeEntry] | None = None, now: dt.datetime | None = None
) -> list[AskSection]:
    """Everything that waits for the person, section by section."""
    now = now or timezone.now()
    entries = my_programmes(user) if entries is None else entries
    asks = [
        AskSection(
            "timeboxes",
            _("Timeboxes closing soon without your organisation"),
            _("No timebox is closing soon without your organisation."),
            closing_timeboxes(user, entries, now),
        ),
        AskSection(
            "signoffs",
            _("Use cases awaiting your organisation's sign-off"),
            _("No use case awaits your organisation's sign-off."),
            awaiting_signoff(user, entries),
        ),
    ]
    if any(e.level >= Level.LEAD for e in entries) or user.is_superuser:
        asks.append(
            AskSection(
                "join_requests",
                _("Join requests waiting for you as lead"),
                _("No organisation is waiting to join."),
                join_requests_for(user),
            )
        )
    return asks


def dashboard_for(user, *, since: dt.datetime, now: dt.datetime | None = None) -> Dashboard:
    entries = my_programmes(user)
    programmes = [e.programme for e in entries]
    asks = asks_for(user, entries, now)
    changes, source = changes_since(user, programmes, since)
    return Dashboard(
        asks=asks,
        programmes=entries,
        changes=changes,
        changes_since=since,
        changes_source=source,
        my_edits=my_recent_edits(user),
        open_programmes=permissions.visible_programmes(user)
        .exclude(pk__in=[p.pk for p in programmes])
        .count(),
    )


# View ----------------------------------------------------------------------------------------


def _previous_visit(request, now: dt.datetime) -> dt.datetime:
    """The moment of the person's last dashboard visit in an earlier session."""
    since = request.session.get(SEEN_SESSION_KEY)
    if since:
        return dt.datetime.fromisoformat(since)
    fallback = now - dt.timedelta(days=FIRST_VISIT_DAYS)
    try:
        value = request.get_signed_cookie(SEEN_COOKIE, salt=SEEN_COOKIE, max_age=SEEN_MAX_AGE)
        user_id, moment = value.split("|", 1)
        previous = dt.datetime.fromisoformat(moment) if user_id == str(request.user.pk) else None
    except (KeyError, ValueError, signing.BadSignature):
        previous = None
    since = previous or fallback
    request.session[SEEN_SESSION_KEY] = since.isoformat()
    return since


@login_required
def dashboard(request):
    now = timezone.now()
    since = _previous_visit(request, now)
    response = render(
        request,
        "dashboard/dashboard.html",
        {"dashboard": dashboard_for(request.user, since=since, now=now), "now": now},
    )
    response.set_signed_cookie(
        SEEN_COOKIE,
        f"{request.user.pk}|{now.isoformat()}",
        salt=SEEN_COOKIE,
        max_age=SEEN_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response
