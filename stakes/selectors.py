"""Reads of stakes: entries, the balance of costs and benefits ("wie betaalt, wie wint"), what
the closing checklist misses, proposals, the decision log and escalated objections. Permission
to read is the programme's (`participation.selectors.programme_for`); lists are filtered here."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404

from participation import permissions
from participation.models import Membership, Organisation, Programme
from timeboxes.models import Timebox
from timeboxes.selectors import scope_document_ids
from wiki.models import Document

from .actions import DECIDE
from .models import STAKE_DOCUMENT_KINDS, Answer, Proposal, Stake

# A document is flagged when one organisation carries at least this share of its cost points
# and comes out below zero, while another organisation comes out above zero.
PAYER_SHARE = 0.5


def stakes_of(document: Document) -> QuerySet[Stake]:
    return (
        Stake.objects.filter(document=document)
        .select_related("organisation", "document", "updated_by")
        .order_by("organisation__name", "direction", "kind")
    )


def stake_for(programme: Programme, pk: int) -> Stake:
    stake = (
        Stake.objects.filter(programme=programme, pk=pk)
        .select_related("document", "organisation", "programme")
        .first()
    )
    if stake is None:
        raise Http404
    return stake


def stake_history(stake: Stake):
    from reversion.models import Version

    return (
        Version.objects.get_for_object(stake)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def stake_documents(programme: Programme, ids: set[int] | None = None) -> QuerySet[Document]:
    documents = Document.objects.alive().filter(programme=programme, kind__in=STAKE_DOCUMENT_KINDS)
    if ids is not None:
        documents = documents.filter(pk__in=ids)
    return documents.order_by("kind", "title")


def contributing_organisations(programme: Programme) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            memberships__programme=programme,
            memberships__level=Membership.MemberLevel.CONTRIBUTOR,
        ).order_by("name")
    )


@dataclass
class Cell:
    costs: int = 0
    benefits: int = 0
    euros_cost: Decimal = Decimal(0)
    euros_benefit: Decimal = Decimal(0)
    entries: int = 0

    @property
    def net(self) -> int:
        return self.benefits - self.costs

    def add(self, stake: Stake) -> None:
        self.entries += 1
        if stake.direction == Stake.Direction.COST:
            self.costs += stake.weight
            self.euros_cost += stake.amount or 0
        else:
            self.benefits += stake.weight
            self.euros_benefit += stake.amount or 0


@dataclass
class DocumentRow:
    document: Document
    cells: list[Cell]
    flagged: bool = False
    payer: Organisation | None = None
    gainers: list[Organisation] = field(default_factory=list)


@dataclass
class Balance:
    """Organisations × documents. Points: none 0, small 1, medium 2, large 3 (an amount in
    euros counts by its order of size), costs against benefits."""

    organisations: list[Organisation]
    rows: list[DocumentRow]
    totals: list[Cell]
    timebox: Timebox | None = None

    @property
    def flagged(self) -> list[DocumentRow]:
        return [row for row in self.rows if row.flagged]

    @property
    def per_organisation(self) -> list[tuple[Organisation, Cell]]:
        return list(zip(self.organisations, self.totals, strict=True))

    @property
    def is_empty(self) -> bool:
        return not any(total.entries for total in self.totals)


def _flag(row: DocumentRow, organisations: list[Organisation]) -> None:
    cost_points = sum(cell.costs for cell in row.cells)
    if not cost_points:
        return
    for organisation, cell in zip(organisations, row.cells, strict=True):
        if cell.net < 0 and cell.costs / cost_points >= PAYER_SHARE:
            gainers = [
                other
                for other, other_cell in zip(organisations, row.cells, strict=True)
                if other != organisation and other_cell.net > 0
            ]
            if gainers:
                row.flagged, row.payer, row.gainers = True, organisation, gainers
                return


def balance(programme: Programme, *, timebox: Timebox | None = None) -> Balance:
    """The balance of the programme's documents (those of a timebox's scope, with one)."""
    ids = scope_document_ids(timebox) if timebox is not None else None
    documents = list(stake_documents(programme, ids))
    stakes = list(
        Stake.objects.filter(programme=programme, document__in=documents).select_related(
            "organisation"
        )
    )
    organisations = contributing_organisations(programme)
    known = {o.pk for o in organisations}
    extra = {s.organisation.pk: s.organisation for s in stakes if s.organisation.pk not in known}
    organisations += sorted(extra.values(), key=lambda o: o.name)
    column = {o.pk: n for n, o in enumerate(organisations)}
    rows = {d.pk: DocumentRow(d, [Cell() for _ in organisations]) for d in documents}
    totals = [Cell() for _ in organisations]
    for stake in stakes:
        rows[stake.document_id].cells[column[stake.organisation_id]].add(stake)
        totals[column[stake.organisation_id]].add(stake)
    for row in rows.values():
        _flag(row, organisations)
    return Balance(organisations, list(rows.values()), totals, timebox)


@dataclass
class Missing:
    organisation: Organisation
    documents: list[Document]
    nothing_at_all: bool


def missing_entries(timebox: Timebox) -> tuple[list[Document], list[Missing]]:
    """For the closing checklist: the documents in scope that take costs and benefits, and the
    contributing organisations that entered nothing for some of them."""
    documents = list(stake_documents(timebox.programme, scope_document_ids(timebox)))
    entered: dict[int, set[int]] = {}
    for organisation_id, document_id in Stake.objects.filter(document__in=documents).values_list(
        "organisation_id", "document_id"
    ):
        entered.setdefault(organisation_id, set()).add(document_id)
    missing = []
    for organisation in contributing_organisations(timebox.programme):
        done = entered.get(organisation.pk, set())
        without = [d for d in documents if d.pk not in done]
        if without:
            missing.append(Missing(organisation, without, nothing_at_all=not done))
    return documents, missing


# --- proposals ---------------------------------------------------------------------------------


def proposals_of(programme: Programme, *, query: str = "", status: str = "") -> QuerySet[Proposal]:
    """The programme's proposals, newest first; `query` searches title, text and outcome."""
    proposals = Proposal.objects.filter(programme=programme).prefetch_related("documents")
    if status in Proposal.Status.values:
        proposals = proposals.filter(status=status)
    query = query.replace("\x00", "").strip()[:200]
    if query:
        proposals = proposals.filter(
            Q(title__icontains=query) | Q(text__icontains=query) | Q(outcome__icontains=query)
        )
    return proposals.select_related("programme", "proposed_by", "decided_by")


def proposal_for(programme: Programme, number: int) -> Proposal:
    proposal = (
        Proposal.objects.filter(programme=programme, number=number)
        .select_related("programme", "proposed_by", "decided_by")
        .first()
    )
    if proposal is None:
        raise Http404
    return proposal


@dataclass
class AnswerRow:
    organisation: Organisation
    answer: Answer | None


def answers_of(proposal: Proposal) -> list[AnswerRow]:
    """One row per contributing organisation (and any other that answered), answered or not."""
    answers = {
        a.organisation_id: a
        for a in proposal.answers.select_related("organisation", "answered_by", "escalated_by")
    }
    organisations = contributing_organisations(proposal.programme)
    known = {o.pk for o in organisations}
    organisations += [a.organisation for pk, a in answers.items() if pk not in known]
    return [AnswerRow(o, answers.get(o.pk)) for o in organisations]


def escalated_objections(programme: Programme) -> QuerySet[Answer]:
    return (
        Answer.objects.filter(proposal__programme=programme, escalated_at__isnull=False)
        .select_related("proposal", "proposal__programme", "organisation", "escalated_by")
        .order_by("proposal__status", "-escalated_at")
    )


def decisions_behind(programme: Programme, document_ids: set[int]) -> list[Proposal]:
    """The decided proposals linked to any of these documents, in the order they were decided."""
    return list(
        Proposal.objects.filter(
            programme=programme,
            status=Proposal.Status.DECIDED,
            documents__in=document_ids,
        )
        .distinct()
        .prefetch_related("documents")
        .order_by("decided_at", "number")
    )


def may_decide(user, programme: Programme) -> bool:
    return permissions.can(user, DECIDE, programme)


def proposal_audience(proposal: Proposal):
    """Who follows a proposal: the people of the programme's member organisations and its
    leads (participation keeps those who may read it)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            Q(affiliations__organisation__memberships__programme=proposal.programme_id)
            | Q(programme_roles__programme=proposal.programme_id)
        )
        .distinct()
    )
