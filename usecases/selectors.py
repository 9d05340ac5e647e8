"""Reads of the use cases app: what views, the API and templates show."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from reversion.models import Version

from participation.models import Membership, Organisation, Programme
from wiki.models import Document
from wiki.selectors import TreeNode, document_tree

from . import structure
from .models import Actor, DetailSettings, SignOff, Term, UseCase


def wiki_diff_url(document: Document, from_id: int | None, to_id: int | None) -> str:
    """The wiki's side-by-side diff of a document between two versions."""
    try:
        base = reverse("wiki:diff", args=[document.programme.slug, document.slug])
    except NoReverseMatch:
        base = f"/p/{document.programme.slug}/d/{document.slug}/diff/"
    return f"{base}?{urlencode({'from': from_id or '', 'to': to_id or ''})}"


def technical_words(programme: Programme) -> list[str]:
    settings = DetailSettings.objects.filter(programme=programme).first()
    return settings.word_list() if settings else []


def usecase_of(document: Document) -> UseCase | None:
    return UseCase.objects.filter(document=document).first()


def usecase_data(document: Document) -> dict:
    usecase = usecase_of(document)
    return structure.normalise(usecase.data()) if usecase else structure.empty_data()


@dataclass
class SignOffStatus:
    signoff: SignOff
    stale: bool
    diff_url: str = ""


def signoffs_for(document: Document) -> list[SignOffStatus]:
    """The document's sign-offs per organisation; a stale one links to the diff since."""
    statuses = []
    for signoff in (
        SignOff.objects.filter(document=document)
        .select_related("organisation", "signed_by", "version__revision")
        .order_by("organisation__name")
    ):
        stale = signoff.version_id != document.head_id
        url = wiki_diff_url(document, signoff.version_id, document.head_id) if stale else ""
        statuses.append(SignOffStatus(signoff, stale, url))
    return statuses


def contributing_organisations(programme: Programme) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            memberships__programme=programme,
            memberships__level=Membership.MemberLevel.CONTRIBUTOR,
        ).order_by("name")
    )


@dataclass
class ParentChange:
    parent: Document
    from_version_id: int | None
    to_version_id: int | None
    diff_url: str


def traced_from(document: Document) -> Document | None:
    """The document this one follows from: its parent; for a main process without one, the
    programme's vision, which the main processes work out (they stand beside it in the tree)."""
    if document.parent_id is not None:
        return document.parent
    if document.kind != Document.Kind.MAIN_PROCESS:
        return None
    return (
        Document.objects.alive()
        .filter(programme_id=document.programme_id, kind=Document.Kind.VISION)
        .order_by("position", "pk")
        .first()
    )


def parent_change(document: Document) -> ParentChange | None:
    """Whether the document it follows from (`traced_from`: its parent, or the vision for a
    main process) changed after the document was last edited, with the diff since then."""
    parent = traced_from(document)
    if parent is None or document.head_id is None or parent.head_id is None:
        return None
    own_revision = (
        Version.objects.filter(pk=document.head_id).values_list("revision_id", flat=True).first()
    )
    parent_versions = Version.objects.get_for_object(parent)
    newer = parent_versions.filter(revision_id__gt=own_revision)
    if not newer.exists():
        return None
    seen = parent_versions.filter(revision_id__lte=own_revision).order_by("-pk").first()
    from_id = seen.pk if seen else parent_versions.order_by("pk").values_list("pk", flat=True)[0]
    return ParentChange(
        parent=parent,
        from_version_id=from_id,
        to_version_id=parent.head_id,
        diff_url=wiki_diff_url(parent, from_id, parent.head_id),
    )


@dataclass
class OverviewNode:
    document: Document
    children: list["OverviewNode"] = field(default_factory=list)
    usecase: UseCase | None = None
    step_count: int = 0
    extension_count: int = 0
    variant_count: int = 0
    warnings: list = field(default_factory=list)
    signoffs: dict[int, SignOff] = field(default_factory=dict)
    signoff_cells: list = field(default_factory=list)
    usecase_count: int = 0


@dataclass
class Overview:
    roots: list[OverviewNode]
    organisations: list[Organisation]
    counts: dict[str, int]
    goal_levels: dict[str, int]
    rows: list[tuple[int, OverviewNode]]


def overview(programme: Programme) -> Overview:
    """The whole tree of the programme with, per document, its use case figures, warnings and
    sign-offs per contributing organisation. A fixed number of queries."""
    return _overview(programme, document_tree(programme), None)


def _overview(programme: Programme, tree: list[TreeNode], ids: set[int] | None) -> Overview:
    """The overview of `tree`, whose documents have the ids `ids` (None: all the programme's)."""
    if ids is None:
        usecase_rows = UseCase.objects.filter(document__programme=programme)
        signoff_rows = SignOff.objects.filter(document__programme=programme)
    else:
        usecase_rows = UseCase.objects.filter(document_id__in=ids)
        signoff_rows = SignOff.objects.filter(document_id__in=ids)
    usecases = {u.document_id: u for u in usecase_rows}
    signoffs: dict[int, dict[int, SignOff]] = {}
    for signoff in signoff_rows:
        signoffs.setdefault(signoff.document_id, {})[signoff.organisation_id] = signoff
    organisations = contributing_organisations(programme)
    words = technical_words(programme) if usecases else []
    counts: dict[str, int] = {}
    goal_levels: dict[str, int] = {}
    rows: list[tuple[int, OverviewNode]] = []

    def build(node: TreeNode, depth: int) -> OverviewNode:
        document = node.document
        item = OverviewNode(document=document)
        rows.append((depth, item))
        counts[document.kind] = counts.get(document.kind, 0) + 1
        usecase = usecases.get(document.pk)
        if usecase is not None:
            data = structure.normalise(usecase.data())
            item.usecase = usecase
            item.step_count = len(data["steps"])
            item.extension_count = len(data["extensions"])
            item.variant_count = len(data["variants"])
            item.warnings = structure.detail_warnings(data, words, title=document.title)
            goal_levels[usecase.goal_level] = goal_levels.get(usecase.goal_level, 0) + 1
        item.signoffs = signoffs.get(document.pk, {})
        for organisation in organisations:
            signoff = item.signoffs.get(organisation.pk)
            stale = signoff is not None and signoff.version_id != document.head_id
            item.signoff_cells.append((organisation, signoff, stale))
        item.children = [build(child, depth + 1) for child in node.children]
        item.usecase_count = sum(
            c.usecase_count + (1 if c.document.kind == Document.Kind.USE_CASE else 0)
            for c in item.children
        )
        return item

    roots = [build(node, 0) for node in tree]
    return Overview(roots, organisations, counts, goal_levels, rows)


def actor_usecases(actor: Actor) -> list[Document]:
    """The use cases an actor takes part in: as primary or supporting actor or in a step."""
    name = actor.name.casefold()
    found = []
    for usecase in UseCase.objects.filter(
        document__programme=actor.programme, document__deleted_at__isnull=True
    ).select_related("document__programme"):
        data = usecase.data()
        names = {data["primary_actor"], *data["supporting_actors"]}
        names |= {s.get("actor", "") for s in data["steps"]}
        names |= {s.get("actor", "") for e in data["extensions"] for s in e.get("steps", [])}
        if name in {n.casefold() for n in names}:
            found.append(usecase.document)
    return sorted(found, key=lambda d: d.title.casefold())


def glossary(programme: Programme):
    return Term.objects.filter(programme=programme).prefetch_related("local_words__organisation")


def term_usages(term: Term) -> list[Document]:
    """The living documents of the programme whose text mentions the term or a local word."""
    from django.db.models import Q

    words = [term.term, *term.local_words.values_list("word", flat=True)]
    condition = Q()
    for word in words:
        condition |= Q(body__icontains=word) | Q(title__icontains=word)
    candidates = Document.objects.alive().filter(programme=term.programme).filter(condition)
    from .glossary import mentions

    return [d for d in candidates if mentions(f"{d.title}\n{d.body}", words)]


def subtree(programme: Programme, document: Document) -> Overview | None:
    """The overview of one document (its node is the only root): the use cases below it, with
    their figures, and the contributing organisations. Only the documents below it are looked at;
    below a document without children there is nothing (and no organisations)."""

    def find(nodes: list[TreeNode]) -> TreeNode | None:
        for node in nodes:
            if node.document.pk == document.pk:
                return node
            found = find(node.children)
            if found is not None:
                return found
        return None

    node = find(document_tree(programme))
    if node is None:
        return None
    if not node.children:
        return Overview([OverviewNode(document=node.document)], [], {}, {}, [])
    ids: set[int] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        ids.add(item.document.pk)
        stack.extend(item.children)
    return _overview(programme, [node], ids)


def usecases_below(node: OverviewNode) -> list[tuple[int, OverviewNode]]:
    rows: list[tuple[int, OverviewNode]] = []

    def walk(item: OverviewNode, depth: int) -> None:
        for child in item.children:
            rows.append((depth, child))
            walk(child, depth + 1)

    walk(node, 0)
    return rows


def usecase_data_at(document: Document, version: Version | None = None) -> dict | None:
    """The normalised use case data of `document` as it was in `version` (the current data for
    its head or None), from the use case's version in the same revision; None when the document
    has no fields (a plain text use case) or had none then."""
    usecase = usecase_of(document)
    if usecase is None:
        return None
    if version is None or version.pk == document.head_id:
        return structure.normalise(usecase.data())
    kept = (
        Version.objects.get_for_model(UseCase)
        .filter(revision_id=version.revision_id, object_id=str(usecase.pk))
        .first()
    )
    if kept is None:
        return None
    return structure.normalise(kept.field_dict)
