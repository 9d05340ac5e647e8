"""API: a programme's costs and benefits, their balance, proposals, answers and decisions.

Thin: parse, call one selector or service, shape the answer. The services check permission
through `participation.permissions`; `config.api` turns their exceptions into 400/403/404, and a
change the rules refuse now (answering a decided proposal) answers 409.
"""

from datetime import datetime
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from participation.http import id_from
from participation.schemas import ErrorOut
from participation.selectors import programme_for
from participation.text import OneLine
from timeboxes.selectors import timebox_for
from wiki.models import Document

from . import selectors, services
from .actions import DECIDE, PROPOSE, RECORD_STAKES
from .models import STAKE_DOCUMENT_KINDS, Answer, Proposal, Stake

router = Router(tags=["stakes"])

STAKES = "/programmes/{programme}/stakes/"
PROPOSALS = "/programmes/{programme}/proposals/"
PROPOSAL = PROPOSALS + "{int:number}/"
READ_ERRORS = {400: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class StakeOut(Schema):
    id: int
    document: str = Field(description="The document's slug.")
    organisation: str
    kind: str
    direction: str
    size: int | None = Field(description="0 none, 1 small, 2 medium, 3 large.")
    amount: Decimal | None = Field(description="In euros.")
    explanation: str
    version_id: int = Field(description="The document's version it was recorded on.")
    stale: bool = Field(description="The document has changed since.")
    updated_at: datetime


class StakeIn(Schema):
    document: str = Field(description="Slug of a main process, work process or use case.")
    kind: Stake.Kind
    direction: Stake.Direction
    size: int | None = Field(None, ge=0, le=3)
    amount: Decimal | None = Field(None, ge=0, le=Decimal("9999999999.99"))
    explanation: str = Field("", max_length=services.MAX_EXPLANATION)


class OrganisationBalanceOut(Schema):
    organisation: str
    cost_points: int
    benefit_points: int
    balance: int
    costs_in_euros: Decimal
    benefits_in_euros: Decimal


class DocumentBalanceOut(Schema):
    document: str
    title: str
    balance: dict[str, int | None] = Field(
        description="Per organisation: benefit points minus cost points (null: nothing entered)."
    )
    flagged: bool = Field(description="One organisation mostly pays while others gain.")
    payer: str | None
    gainers: list[str]


class BalanceOut(Schema):
    timebox: int | None
    organisations: list[OrganisationBalanceOut]
    documents: list[DocumentBalanceOut]


class AnswerOut(Schema):
    id: int
    organisation: str
    choice: str
    remarks: str
    answered_at: datetime
    escalated: bool


class ProposalOut(Schema):
    number: int
    reference: str
    title: str
    text: str
    options: list[str]
    documents: list[str]
    deadline: datetime
    reminder_offsets: list[int]
    status: str
    outcome: str
    decided_at: datetime | None
    answers: list[AnswerOut]
    not_answered: list[str] = Field(description="Contributing organisations yet to answer.")
    url: str


class ProposalIn(Schema):
    title: OneLine = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=services.MAX_PROPOSAL_TEXT)
    options: list[str] = Field(default_factory=list, max_length=services.MAX_OPTIONS)
    documents: list[str] = Field(min_length=1, description="Slugs of the documents it is about.")
    deadline: datetime
    reminder_offsets: list[int] | None = Field(
        None, description="Seconds before the deadline; default one week, one day, one hour."
    )


class AnswerIn(Schema):
    choice: Answer.Choice
    remarks: str = Field("", max_length=services.MAX_EXPLANATION)


class DecideIn(Schema):
    outcome: str = Field(min_length=1, max_length=services.MAX_PROPOSAL_TEXT)


class ProposalCommentIn(Schema):
    body: str = Field(min_length=1, max_length=services.MAX_EXPLANATION)


class ProposalCommentOut(Schema):
    id: int
    author: str
    organisation: str | None
    body: str
    created_at: datetime


class EscalatedOut(Schema):
    proposal: int
    reference: str
    title: str
    status: str
    organisation: str
    reason: str
    escalated_at: datetime


def _stake_out(stake: Stake) -> dict:
    return {
        "id": stake.pk,
        "document": stake.document.slug,
        "organisation": stake.organisation.name,
        "kind": stake.kind,
        "direction": stake.direction,
        "size": stake.size,
        "amount": stake.amount,
        "explanation": stake.explanation,
        "version_id": stake.version_id,
        "stale": stake.is_stale,
        "updated_at": stake.updated_at,
    }


def _proposal_out(request, proposal: Proposal) -> dict:
    rows = selectors.answers_of(proposal)
    return {
        "number": proposal.number,
        "reference": proposal.reference,
        "title": proposal.title,
        "text": proposal.text,
        "options": proposal.options,
        "documents": sorted(d.slug for d in proposal.documents.all()),
        "deadline": proposal.deadline,
        "reminder_offsets": proposal.reminder_offsets,
        "status": proposal.status,
        "outcome": proposal.outcome,
        "decided_at": proposal.decided_at,
        "answers": [
            {
                "id": row.answer.pk,
                "organisation": row.organisation.name,
                "choice": row.answer.choice,
                "remarks": row.answer.remarks,
                "answered_at": row.answer.answered_at,
                "escalated": row.answer.escalated_at is not None,
            }
            for row in rows
            if row.answer is not None
        ],
        "not_answered": [row.organisation.name for row in rows if row.answer is None],
        "url": request.build_absolute_uri(proposal.get_absolute_url()),
    }


def _stake_document(programme, slug: str) -> Document:
    document = (
        Document.objects.alive()
        .filter(programme=programme, slug=slug, kind__in=STAKE_DOCUMENT_KINDS)
        .first()
    )
    if document is None:
        raise Http404
    return document


@router.get(STAKES, response={200: list[StakeOut], **READ_ERRORS})
def stakes_list(request, programme: str, document: str = ""):
    """The costs and benefits recorded in the programme, or on one document (its slug)."""
    programme = programme_for(request.user, programme)
    if document:
        stakes = selectors.stakes_of(_stake_document(programme, document))
    else:
        stakes = (
            Stake.objects.filter(programme=programme)
            .select_related("document", "organisation")
            .order_by("document__title", "organisation__name", "direction", "kind")
        )
    return [_stake_out(s) for s in stakes]


@router.post(STAKES, response={200: StakeOut, **WRITE_ERRORS})
def stake_record(request, programme: str, payload: StakeIn):
    """Record, or change, what a document costs or brings your organisation, of one kind and
    direction (contributors). Give a size or an amount in euros."""
    programme = programme_for(request.user, programme, RECORD_STAKES)
    stake = services.stake_record(
        document=_stake_document(programme, payload.document),
        kind=payload.kind,
        direction=payload.direction,
        size=payload.size,
        amount=payload.amount,
        explanation=payload.explanation,
        author=request.user,
    )
    return _stake_out(selectors.stake_for(programme, stake.pk))


@router.delete(STAKES + "{int:stake_id}/", response={204: None, **WRITE_ERRORS})
def stake_remove(request, programme: str, stake_id: int):
    programme = programme_for(request.user, programme, RECORD_STAKES)
    services.stake_remove(stake=selectors.stake_for(programme, stake_id), by=request.user)
    return Status(204, None)


@router.get(STAKES + "balance/", response={200: BalanceOut, **READ_ERRORS})
def stakes_balance(request, programme: str, timebox: str = ""):
    """Who pays, who gains: points per organisation (none 0, small 1, medium 2, large 3; an
    amount in euros by its size), per document, and the unbalanced documents flagged. With
    `timebox`, the documents in that timebox's scope."""
    programme = programme_for(request.user, programme)
    chosen = timebox_for(request.user, programme, id_from(timebox)) if timebox else None
    result = selectors.balance(programme, timebox=chosen)
    names = [o.name for o in result.organisations]
    return {
        "timebox": chosen.pk if chosen else None,
        "organisations": [
            {
                "organisation": o.name,
                "cost_points": t.costs,
                "benefit_points": t.benefits,
                "balance": t.net,
                "costs_in_euros": t.euros_cost,
                "benefits_in_euros": t.euros_benefit,
            }
            for o, t in result.per_organisation
        ],
        "documents": [
            {
                "document": row.document.slug,
                "title": row.document.title,
                "balance": {
                    name: (cell.net if cell.entries else None)
                    for name, cell in zip(names, row.cells, strict=True)
                },
                "flagged": row.flagged,
                "payer": row.payer.name if row.payer else None,
                "gainers": [o.name for o in row.gainers],
            }
            for row in result.rows
        ],
    }


@router.get(PROPOSALS, response={200: list[ProposalOut], **READ_ERRORS})
def proposals_list(request, programme: str, q: str = "", status: str = ""):
    """The decision log: proposals, newest first; `q` searches title, text and outcome,
    `status` is `open` or `decided`."""
    programme = programme_for(request.user, programme)
    return [
        _proposal_out(request, p) for p in selectors.proposals_of(programme, query=q, status=status)
    ]


@router.post(PROPOSALS, response={201: ProposalOut, **WRITE_ERRORS})
def proposal_create(request, programme: str, payload: ProposalIn):
    """Put a decision to the member organisations (leads and contributors)."""
    programme = programme_for(request.user, programme, PROPOSE)
    documents = list(
        Document.objects.alive().filter(programme=programme, slug__in=payload.documents)
    )
    if len(documents) != len(set(payload.documents)):
        raise Http404
    deadline = payload.deadline
    if timezone.is_naive(deadline):
        deadline = None
    proposal = services.proposal_create(
        programme=programme,
        by=request.user,
        title=payload.title,
        text=payload.text,
        options=payload.options,
        documents=documents,
        deadline=deadline,
        reminder_offsets=payload.reminder_offsets,
    )
    return Status(201, _proposal_out(request, proposal))


@router.get(PROPOSAL, response={200: ProposalOut, **READ_ERRORS})
def proposal_detail(request, programme: str, number: int):
    programme = programme_for(request.user, programme)
    return _proposal_out(request, selectors.proposal_for(programme, number))


@router.put(PROPOSAL + "answer/", response={200: ProposalOut, **WRITE_ERRORS})
def proposal_answer(request, programme: str, number: int, payload: AnswerIn):
    """Your organisation's answer (whoever speaks for a contributing organisation): consent,
    remarks (consent with remarks), object (with a reason) or abstain. Sending it again before
    the deadline replaces it. After the deadline or the decision: 409."""
    programme = programme_for(request.user, programme)
    proposal = selectors.proposal_for(programme, number)
    services.answer_give(
        proposal=proposal, by=request.user, choice=payload.choice, remarks=payload.remarks
    )
    return _proposal_out(request, proposal)


@router.post(
    PROPOSAL + "answers/{int:answer_id}/escalate/", response={200: ProposalOut, **WRITE_ERRORS}
)
def objection_escalate(request, programme: str, number: int, answer_id: int):
    """Bring your organisation's objection before the leads."""
    programme = programme_for(request.user, programme)
    proposal = selectors.proposal_for(programme, number)
    answer = Answer.objects.filter(proposal=proposal, pk=answer_id).first()
    if answer is None:
        raise Http404
    services.objection_escalate(answer=answer, by=request.user)
    return _proposal_out(request, proposal)


@router.post(PROPOSAL + "decide/", response={200: ProposalOut, **WRITE_ERRORS})
def proposal_decide(request, programme: str, number: int, payload: DecideIn):
    """Decide an open proposal now, with its outcome (leads)."""
    programme = programme_for(request.user, programme, DECIDE)
    proposal = selectors.proposal_for(programme, number)
    return _proposal_out(
        request,
        services.proposal_decide(proposal=proposal, by=request.user, outcome=payload.outcome),
    )


@router.get(PROPOSAL + "comments/", response={200: list[ProposalCommentOut], **READ_ERRORS})
def proposal_comments(request, programme: str, number: int):
    programme = programme_for(request.user, programme)
    proposal = selectors.proposal_for(programme, number)
    return [_comment_out(c) for c in proposal.comments.select_related("author", "organisation")]


def _comment_out(comment) -> dict:
    author = comment.author
    return {
        "id": comment.pk,
        "author": (author.get_full_name() or author.username) if author else "",
        "organisation": comment.organisation.name if comment.organisation else None,
        "body": comment.body,
        "created_at": comment.created_at,
    }


@router.post(PROPOSAL + "comments/", response={201: ProposalCommentOut, **WRITE_ERRORS})
def proposal_comment(request, programme: str, number: int, payload: ProposalCommentIn):
    """Comment on a proposal (members, observers too)."""
    programme = programme_for(request.user, programme)
    proposal = selectors.proposal_for(programme, number)
    comment = services.proposal_comment_add(
        proposal=proposal, author=request.user, body=payload.body
    )
    return Status(201, _comment_out(comment))


@router.get(
    "/programmes/{programme}/escalated-objections/",
    response={200: list[EscalatedOut], **WRITE_ERRORS},
)
def escalated_objections(request, programme: str):
    """Every escalated objection of the programme, open proposals first (leads)."""
    programme = programme_for(request.user, programme, DECIDE)
    return [
        {
            "proposal": a.proposal.number,
            "reference": a.proposal.reference,
            "title": a.proposal.title,
            "status": a.proposal.status,
            "organisation": a.organisation.name,
            "reason": a.remarks,
            "escalated_at": a.escalated_at,
        }
        for a in selectors.escalated_objections(programme)
    ]
