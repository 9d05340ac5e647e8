"""Reads of timeboxes and baselines: scope, participation in a timebox, checklists, timelines,
baseline contents and comparisons."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils import timezone
from reversion.models import Version

from participation import permissions
from participation.models import Affiliation, Membership, Organisation, Programme, ProgrammeRole
from participation.permissions import Action
from wiki import kinds
from wiki import selectors as wiki_selectors
from wiki.diff import Diff, diff_texts
from wiki.models import Comment, Document, EditMeta, Watch

from .models import Baseline, BaselineExport, Timebox

# --- scope -------------------------------------------------------------------------------------


def scope_document_ids(timebox: Timebox) -> set[int]:
    """Ids of the living documents in scope: the chosen ones, and every document below a chosen
    subtree (one query per level of the tree)."""
    items = list(timebox.scope_items.values_list("document_id", "subtree"))
    ids = set(
        Document.objects.alive().filter(pk__in=[pk for pk, _ in items]).values_list("pk", flat=True)
    )
    frontier = {pk for pk, subtree in items if subtree} & ids
    while frontier:
        children = (
            set(
                Document.objects.alive().filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            - ids
        )
        ids |= children
        frontier = children
    return ids


def scope_documents(timebox: Timebox):
    return (
        Document.objects.filter(pk__in=scope_document_ids(timebox))
        .select_related("head__revision__user")
        .order_by("kind", "title")
    )


def timeboxes_of(programme: Programme):
    return (
        Timebox.objects.filter(programme=programme)
        .select_related("programme")
        .prefetch_related("baselines")
        .order_by("starts_at", "pk")
    )


def timebox_for(user, programme: Programme, pk: int) -> Timebox:
    from django.shortcuts import get_object_or_404

    permissions.check(user, Action.VIEW, programme)
    return get_object_or_404(
        Timebox.objects.select_related("programme"), programme=programme, pk=pk
    )


def baseline_for(user, programme: Programme, pk: int) -> Baseline:
    from django.shortcuts import get_object_or_404

    permissions.check(user, Action.VIEW, programme)
    return get_object_or_404(
        Baseline.objects.select_related("timebox__programme", "revision__user"),
        timebox__programme=programme,
        pk=pk,
    )


def running_timeboxes(*, programme: Programme | None = None, document: Document | None = None):
    """Planned and open timeboxes, for the banner on a programme's page or a document's page
    (those whose scope holds the document)."""
    if document is not None:
        programme = document.programme
    timeboxes = (
        Timebox.objects.filter(
            programme=programme, status__in=[Timebox.Status.PLANNED, Timebox.Status.OPEN]
        )
        .select_related("programme")
        .order_by("deadline")
    )
    if document is None:
        return list(timeboxes)
    ancestor_ids = {a.pk for a in document.ancestors()}
    result = []
    for timebox in timeboxes.prefetch_related("scope_items"):  # not a query per timebox
        items = timebox.scope_items.all()
        if any(
            item.document_id == document.pk or (item.subtree and item.document_id in ancestor_ids)
            for item in items
        ):
            result.append(timebox)
    return result


# --- people ------------------------------------------------------------------------------------


def contributor_people(programme: Programme) -> set[int]:
    """Ids of the active people of the programme's contributing organisations."""
    return set(
        get_user_model()
        .objects.filter(
            is_active=True,
            affiliations__organisation__memberships__programme=programme,
            affiliations__organisation__memberships__level=Membership.MemberLevel.CONTRIBUTOR,
        )
        .values_list("pk", flat=True)
    )


def lead_people(programme: Programme) -> set[int]:
    return set(
        ProgrammeRole.objects.filter(
            programme=programme, role=ProgrammeRole.Role.LEAD, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def _watching_observers(timebox: Timebox, document_ids: set[int]) -> set[int]:
    """People of observing organisations who watch a document in scope, a document above one
    with its subtree, or the whole programme (the wiki's watches)."""
    ancestor_ids: set[int] = set()
    for item in timebox.scope_items.select_related("document"):
        ancestor_ids |= {a.pk for a in item.document.ancestors()}
    watching = Watch.objects.filter(
        Q(document_id__in=document_ids)
        | Q(document_id__in=ancestor_ids | document_ids, scope="subtree")
        | Q(programme_id=timebox.programme_id, document__isnull=True)
    )
    return set(
        get_user_model()
        .objects.filter(
            is_active=True,
            pk__in=watching.values("user_id"),
            affiliations__organisation__memberships__programme=timebox.programme,
            affiliations__organisation__memberships__level=Membership.MemberLevel.OBSERVER,
        )
        .values_list("pk", flat=True)
    )


@dataclass
class Recipients:
    regular: set[int] = field(default_factory=set)
    not_taken_part: set[int] = field(default_factory=set)


def reminder_recipients(timebox: Timebox, *, now: datetime | None = None) -> Recipients:
    """Who gets this timebox's reminder: contributors, with the sharper reminder for people
    whose contributing organisation has not yet edited, commented on or signed off anything in
    scope during the timebox; observers only when they watch something in scope."""
    now = now or timezone.now()
    ids = scope_document_ids(timebox)
    taking_part = set(contributions(timebox, ids, until=now))
    contributing_orgs = set(
        Membership.objects.filter(
            programme=timebox.programme, level=Membership.MemberLevel.CONTRIBUTOR
        ).values_list("organisation_id", flat=True)
    )
    silent_orgs = contributing_orgs - taking_part
    people = contributor_people(timebox.programme)
    silent_people = set(
        Affiliation.objects.filter(organisation_id__in=silent_orgs, user_id__in=people).values_list(
            "user_id", flat=True
        )
    )
    regular = (people - silent_people) | (_watching_observers(timebox, ids) - silent_people)
    return Recipients(regular=regular, not_taken_part=silent_people)


# --- what happened in a timebox ----------------------------------------------------------------


def _versions_in(timebox: Timebox, document_ids: set[int], until: datetime | None):
    versions = Version.objects.get_for_model(Document).filter(
        object_id__in=[str(pk) for pk in document_ids],
        revision__date_created__gte=timebox.starts_at,
    )
    if until is not None:
        versions = versions.filter(revision__date_created__lte=until)
    return versions.exclude(revision__edit_meta__action=EditMeta.Action.BASELINE)


def contributions(
    timebox: Timebox, document_ids: set[int], *, until: datetime | None = None
) -> dict[int, dict[str, int]]:
    """Per organisation id: how many edits, comments and sign-offs it made in scope during the
    timebox (from its start until `until`)."""
    result: dict[int, dict[str, int]] = defaultdict(
        lambda: {"edits": 0, "comments": 0, "signoffs": 0}
    )
    for row in (
        _versions_in(timebox, document_ids, until)
        .filter(revision__edit_meta__organisation__isnull=False)
        .values("revision__edit_meta__organisation")
        .annotate(n=Count("pk"))
    ):
        result[row["revision__edit_meta__organisation"]]["edits"] += row["n"]
    comments = Comment.objects.filter(
        document_id__in=document_ids,
        created_at__gte=timebox.starts_at,
        organisation__isnull=False,
    )
    if until is not None:
        comments = comments.filter(created_at__lte=until)
    for row in comments.values("organisation").annotate(n=Count("pk")):
        result[row["organisation"]]["comments"] += row["n"]
    signoffs = kinds.signoffs(document_ids)
    if signoffs is not None:
        signoffs = signoffs.filter(signed_at__gte=timebox.starts_at)
        if until is not None:
            signoffs = signoffs.filter(signed_at__lte=until)
        for row in signoffs.values("organisation").annotate(n=Count("pk")):
            result[row["organisation"]]["signoffs"] += row["n"]
    return dict(result)


def changed_documents(timebox: Timebox, document_ids: set[int], *, until=None) -> list[Document]:
    changed = set(
        _versions_in(timebox, document_ids, until).values_list("object_id", flat=True).distinct()
    )
    return list(
        Document.objects.filter(pk__in=[int(pk) for pk in changed]).order_by("kind", "title")
    )


def open_discussions(timebox: Timebox, document_ids: set[int]) -> list[tuple[Document, int]]:
    """Documents in scope with open discussion threads (begun in the timebox or before: an open
    question still waits for an answer), each with how many."""
    counts = wiki_selectors.open_thread_counts(document_ids)
    documents = Document.objects.filter(pk__in=counts).order_by("title")
    return [(d, counts[d.pk]) for d in documents]


@dataclass
class SignOffStatus:
    document: Document
    agree: int = 0
    remarks: int = 0
    objections: int = 0
    stale: int = 0

    @property
    def none(self) -> bool:
        return not (self.agree or self.remarks or self.objections)


def signoff_status(document_ids: set[int]) -> list[SignOffStatus] | None:
    """Sign-offs per document in scope; None when no kind of document has sign-off."""
    signoffs = kinds.signoffs(document_ids)
    if signoffs is None:
        return None
    documents = {
        d.pk: SignOffStatus(d)
        for d in Document.objects.filter(pk__in=document_ids).order_by("kind", "title")
    }
    for signoff in signoffs.select_related("document"):
        status = documents[signoff.document_id]
        if signoff.version_id != signoff.document.head_id:
            status.stale += 1
        elif signoff.verdict == "agree":
            status.agree += 1
        elif signoff.verdict == "object":
            status.objections += 1
        else:
            status.remarks += 1
    return list(documents.values())


def detail_warnings(
    document_ids: set[int], programme: Programme
) -> list[tuple[Document, list[str]]] | None:
    """Documents in scope that are written in too much detail, from the kinds of document that
    check it (use cases); None when no kind does."""
    return kinds.detail_warnings(document_ids, programme)


@dataclass
class Checklist:
    documents: list[Document]
    changed: list[Document]
    contributions: list[tuple[Organisation, dict[str, int]]]
    silent: list[Organisation]
    discussions: list[tuple[Document, int]]
    signoffs: list[SignOffStatus] | None
    warnings: list[tuple[Document, list[str]]] | None

    @property
    def without_signoff(self) -> list[Document]:
        return [s.document for s in self.signoffs or [] if s.none]


def checklist(timebox: Timebox) -> Checklist:
    """What the lead sees before closing."""
    ids = scope_document_ids(timebox)
    per_org = contributions(timebox, ids)
    contributing = list(
        Organisation.objects.filter(
            memberships__programme=timebox.programme,
            memberships__level=Membership.MemberLevel.CONTRIBUTOR,
        ).order_by("name")
    )
    others = Organisation.objects.filter(pk__in=set(per_org) - {o.pk for o in contributing})
    organisations = contributing + list(others.order_by("name"))
    empty = {"edits": 0, "comments": 0, "signoffs": 0}
    return Checklist(
        documents=list(Document.objects.filter(pk__in=ids).order_by("kind", "title")),
        changed=changed_documents(timebox, ids),
        contributions=[(o, per_org.get(o.pk, empty)) for o in organisations],
        silent=[o for o in contributing if o.pk not in per_org],
        discussions=open_discussions(timebox, ids),
        signoffs=signoff_status(ids),
        warnings=detail_warnings(ids, timebox.programme),
    )


# --- timeline ----------------------------------------------------------------------------------


@dataclass
class TimelineBar:
    timebox: Timebox
    x: float
    width: float
    row: int


def timeline(timeboxes: list[Timebox], *, width: float = 1000.0) -> dict:
    """Positions of the timeboxes on a horizontal time axis, for the programme's timeline."""
    if not timeboxes:
        return {"bars": [], "months": [], "now": None, "width": width, "height": 0}
    now = timezone.now()
    start = min(t.starts_at for t in timeboxes)
    end = max([t.deadline for t in timeboxes] + [now])
    start = min(start, now) - timedelta(days=3)
    end = end + timedelta(days=3)
    span = (end - start).total_seconds()

    def x(moment: datetime) -> float:
        return round((moment - start).total_seconds() / span * width, 1)

    bars = [
        TimelineBar(t, x(t.starts_at), max(x(t.deadline) - x(t.starts_at), 4), n)
        for n, t in enumerate(timeboxes)
    ]
    months = []
    tz = timeboxes[0].tz
    cursor = timezone.localtime(start, tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while cursor < end:
        if cursor >= start:
            months.append((x(cursor), cursor))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return {
        "bars": bars,
        "months": months,
        "now": x(now),
        "width": width,
        "height": 30 * len(bars) + 30,
    }


# --- baselines ---------------------------------------------------------------------------------


@dataclass
class BaselineDocument:
    document_id: int
    version: Version
    title: str
    slug: str
    kind: str
    parent_id: int | None
    body: str
    head_id: int | None = None
    files: dict | None = None

    @property
    def kind_label(self) -> str:
        try:
            return Document.Kind(self.kind).label
        except ValueError:
            return self.kind


def baseline_documents(baseline: Baseline) -> list[BaselineDocument]:
    """The documents of a baseline as they were, ordered like the programme's tree."""
    kind_order = {kind: n for n, kind in enumerate(Document.Kind.values)}
    result = []
    versions = baseline.revision.version_set.filter(
        content_type=ContentType.objects.get_for_model(Document)
    )
    for version in versions.order_by("pk"):
        fields = version.field_dict
        result.append(
            BaselineDocument(
                document_id=int(version.object_id),
                version=version,
                title=fields.get("title", ""),
                slug=fields.get("slug", ""),
                kind=fields.get("kind", ""),
                parent_id=fields.get("parent_id"),
                body=fields.get("body", ""),
                head_id=baseline.heads.get(version.object_id),
                files=fields.get("files") or {},
            )
        )
    result.sort(key=lambda d: (kind_order.get(d.kind, 99), d.title.casefold()))
    return result


def baseline_document(baseline: Baseline, slug: str) -> BaselineDocument | None:
    return next((d for d in baseline_documents(baseline) if d.slug == slug), None)


def _documents_now(ids: set[int]) -> list[BaselineDocument]:
    result = []
    for document in Document.objects.alive().filter(pk__in=ids).select_related("head"):
        result.append(
            BaselineDocument(
                document_id=document.pk,
                version=document.head,
                title=document.title,
                slug=document.slug,
                kind=document.kind,
                parent_id=document.parent_id,
                body=document.body,
                head_id=document.head_id,
            )
        )
    return result


@dataclass
class Comparison:
    left: BaselineDocument | None
    right: BaselineDocument | None
    diff: Diff | None

    @property
    def state(self) -> str:
        if self.left is None:
            return "added"
        if self.right is None:
            return "removed"
        if self.left.title != self.right.title or not self.diff.unchanged:
            return "changed"
        return "unchanged"

    @property
    def title(self) -> str:
        return (self.right or self.left).title


def compare_sides(baseline: Baseline, other: Baseline | None) -> tuple[Baseline, Baseline | None]:
    """The two sides of a comparison, the older on the left, as a diff reads: what the newer
    one has more shows as added, not as removed. Now (None) is always the newer side."""
    if other is not None and (other.created_at, other.pk) < (baseline.created_at, baseline.pk):
        return other, baseline
    return baseline, other


def compare(baseline: Baseline, other: Baseline | None) -> list[Comparison]:
    """Document by document: a baseline (left) against a later baseline, or against now (None),
    on the right (see `compare_sides`). Documents only on one side show as added or removed."""
    left = {d.document_id: d for d in baseline_documents(baseline)}
    if other is None:
        right = {
            d.document_id: d
            for d in _documents_now(set(left) | scope_document_ids(baseline.timebox))
        }
    else:
        right = {d.document_id: d for d in baseline_documents(other)}
    rows = []
    for pk in sorted(
        set(left) | set(right), key=lambda k: (left.get(k) or right[k]).title.casefold()
    ):
        a, b = left.get(pk), right.get(pk)
        diff = diff_texts(a.body, b.body) if a is not None and b is not None else None
        rows.append(Comparison(a, b, diff))
    return rows


def baseline_exports(baseline: Baseline, language: str) -> dict[str, BaselineExport | None]:
    """The baseline's PDF and Word exports in `language` (None for one never asked for)."""
    found = {
        e.format: e
        for e in BaselineExport.objects.filter(baseline=baseline, language=language.split("-")[0])
    }
    return {fmt: found.get(fmt) for fmt in BaselineExport.Format.values}
