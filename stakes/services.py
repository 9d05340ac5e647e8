"""Every write of stakes: costs and benefits, proposals, answers, decisions. Each checks
permission through `participation.permissions` first, then works inside one transaction.

Locking: the services that change a proposal's state or answers (`answer_give`,
`proposal_decide`, `objection_escalate`) and the sweeper's handlers lock the proposal row
(`select_for_update`; the sweeper with `skip_locked`, so a second beat passes it by) before they
look at its status and deadline: an answer that reaches the lock before the deadline is kept,
one after it is refused, and the decision counts exactly the answers committed before it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participation import permissions
from participation.models import Organisation, Programme
from participation.notifications import event_record
from participation.text import one_line
from timeboxes.models import DAY
from timeboxes.selectors import contributor_people, lead_people
from wiki.models import Document
from wiki.services import document_lock, organisation_of

from .actions import ANSWER, DECIDE, PROPOSE, RECORD_STAKES
from .models import (
    STAKE_DOCUMENT_KINDS,
    Answer,
    Proposal,
    ProposalComment,
    ProposalMilestone,
    Stake,
)

logger = logging.getLogger("stip.stakes")

# The kinds of participation event stakes write, with their verbs.
NOTIFICATION_KINDS = {
    "st_proposed": gettext_lazy("proposed a decision"),
    "st_reminder": gettext_lazy("reminder: your organisation has not answered the proposal"),
    "st_reminder_due": gettext_lazy(
        "last reminder: the proposal closes soon and your organisation has not answered"
    ),
    "st_decided": gettext_lazy("decided the proposal"),
    "st_escalated": gettext_lazy("escalated an objection to the leads"),
    "st_commented": gettext_lazy("commented on the proposal"),
}

MAX_EXPLANATION = 2000
MAX_PROPOSAL_TEXT = 20_000
MAX_OPTIONS = 10
MAX_AMOUNT = Decimal("9999999999.99")
THOUSANDS_WITH_DOTS = re.compile(r"^\d{1,3}(\.\d{3})+$")


class StakesError(Exception):
    """A change the rules refuse now (answering a decided proposal); `message` is for the
    person who tried it. The site shows it, the API answers 409."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def clean_text(text: str | None) -> str:
    """Multi-line text as stored: line ends unified, trailing blanks and NUL characters gone."""
    text = (text or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def speaking_organisation(user, programme: Programme) -> Organisation:
    """The organisation the person speaks for in the programme; PermissionDenied when they may
    speak for none (an observer, someone of no contributing organisation)."""
    organisation = organisation_of(user, programme)
    if organisation is None or not permissions.may_speak_for(user, programme, organisation):
        raise PermissionDenied(
            _("You act here for an organisation, and yours does not contribute to this programme.")
        )
    return organisation


# --- costs and benefits ------------------------------------------------------------------------


def _parse_amount(amount) -> Decimal | None:
    if amount in (None, ""):
        return None
    text = str(amount).strip().replace("€", "").replace(" ", "").replace("\u00a0", "")
    if "," in text and "." in text:  # 12.500,50 or 12,500.50: the last one marks the cents
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    elif THOUSANDS_WITH_DOTS.match(text):  # 12.500
        text = text.replace(".", "")
    text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError({"amount": _("Give the amount in euros as a number.")}) from None
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        raise ValidationError({"amount": _("Give an amount of zero euros or more.")})
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def stake_record(
    *,
    document: Document,
    kind: str,
    direction: str,
    size: int | None,
    amount=None,
    explanation: str = "",
    author,
) -> Stake:
    """Record (or change) what the document costs or brings the author's organisation, of one
    kind, pinned to the document's current version. One reversion revision per save."""
    programme = document.programme
    permissions.check(author, RECORD_STAKES, programme)
    organisation = speaking_organisation(author, programme)
    current = document_lock(document)
    errors: dict[str, str] = {}
    if current.is_deleted or current.kind not in STAKE_DOCUMENT_KINDS:
        raise StakesError(
            _("Costs and benefits are recorded on main processes, work processes and use cases.")
        )
    if current.head_id is None:
        raise StakesError(_("This document has no version yet."))
    if kind not in Stake.Kind.values:
        errors["kind"] = _("Choose a kind of cost or benefit.")
    if direction not in Stake.Direction.values:
        errors["direction"] = _("Choose cost or benefit.")
    if size in ("", None):
        size = None
    elif str(size) not in {str(v) for v in Stake.Size.values}:
        errors["size"] = _("Choose none, small, medium or large.")
    else:
        size = int(size)
    try:
        value = _parse_amount(amount)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
        value = None
    if size is None and value is None and "amount" not in errors and "size" not in errors:
        errors["size"] = _("Give a rough size or an amount in euros.")
    explanation = clean_text(explanation)
    if len(explanation) > MAX_EXPLANATION:
        errors["explanation"] = _("Keep the explanation to %(max)d characters.") % {
            "max": MAX_EXPLANATION
        }
    if errors:
        raise ValidationError(errors)
    with reversion.create_revision(atomic=False):
        stake, _created = Stake.objects.update_or_create(
            document=current,
            organisation=organisation,
            kind=kind,
            direction=direction,
            defaults={
                "programme": programme,
                "size": size,
                "amount": value,
                "explanation": explanation,
                "version_id": current.head_id,
                "updated_by": author,
                "updated_at": timezone.now(),
            },
        )
        reversion.set_user(author)
        reversion.set_comment(str(organisation))
    return stake


@transaction.atomic
def stake_remove(*, stake: Stake, by) -> None:
    """Take back an entry of one's own organisation; its versions stay in the history."""
    permissions.check(by, RECORD_STAKES, stake.programme)
    organisation = speaking_organisation(by, stake.programme)
    if stake.organisation_id != organisation.pk:
        raise PermissionDenied(_("You may change only your own organisation's entries."))
    with reversion.create_revision(atomic=False):
        reversion.set_user(by)
        reversion.set_comment(_("removed"))
        reversion.add_to_revision(stake)
    stake.delete()


# --- proposals ---------------------------------------------------------------------------------


def _validate_offsets(offsets: list[int] | None) -> list[int]:
    if offsets is None:
        return [7 * DAY, DAY, 3600]
    cleaned = sorted({int(o) for o in offsets}, reverse=True)
    if any(o <= 0 for o in cleaned):
        raise ValidationError({"reminders": _("Reminders go out before the deadline.")})
    if len(cleaned) > 10:
        raise ValidationError({"reminders": _("Choose at most ten reminders.")})
    return cleaned


@transaction.atomic
def proposal_create(
    *,
    programme: Programme,
    by,
    title: str,
    text: str,
    options: list[str] = (),  # type: ignore[assignment]
    documents: list[Document] = (),  # type: ignore[assignment]
    deadline: datetime,
    reminder_offsets: list[int] | None = None,
) -> Proposal:
    """Put a decision to the member organisations. Announced to the programme's members."""
    permissions.check(by, PROPOSE, programme)
    now = timezone.now()
    errors: dict[str, str] = {}
    title = one_line(title.replace("\x00", ""))
    text = clean_text(text)
    options = [one_line(o.replace("\x00", "")) for o in options]
    options = list(dict.fromkeys(o for o in options if o))
    if not title:
        errors["title"] = _("Give the proposal a title.")
    elif len(title) > 200:
        errors["title"] = _("Keep the title to %(max)d characters.") % {"max": 200}
    if not text:
        errors["text"] = _("Say what is proposed.")
    elif len(text) > MAX_PROPOSAL_TEXT:
        errors["text"] = _("Keep the proposal to %(max)d characters.") % {"max": MAX_PROPOSAL_TEXT}
    if len(options) > MAX_OPTIONS or any(len(o) > 200 for o in options):
        errors["options"] = _("Give at most ten options of one line each.")
    if deadline is None or timezone.is_naive(deadline):
        errors["deadline"] = _("Give the deadline with its time zone.")
    elif deadline <= now:
        errors["deadline"] = _("The deadline must lie in the future.")
    if not documents:
        errors["documents"] = _("Link the proposal to at least one document.")
    for document in documents:
        if document.programme_id != programme.pk or document.is_deleted:
            errors["documents"] = _("A proposal can only be linked to this programme's documents.")
    offsets = _validate_offsets(reminder_offsets)
    if errors:
        raise ValidationError(errors)
    Programme.objects.select_for_update().filter(pk=programme.pk).first()  # numbers in turn
    number = (programme.proposals.aggregate(top=Max("number"))["top"] or 0) + 1
    proposal = Proposal.objects.create(
        programme=programme,
        number=number,
        title=title,
        text=text,
        options=options,
        deadline=deadline,
        reminder_offsets=offsets,
        reminders_from=now,
        proposed_by=by,
    )
    proposal.documents.set(documents)
    event_record(
        programme=programme,
        kind="st_proposed",
        actor=by,
        target=proposal,
        summary=proposal.title,
    )
    return proposal


def _locked(proposal: Proposal, *, skip_locked: bool = False) -> Proposal | None:
    locked = (
        Proposal.objects.select_for_update(skip_locked=skip_locked, of=("self",))
        .select_related("programme")
        .filter(pk=proposal.pk)
        .first()
    )
    return locked


def _still_open(proposal: Proposal, now: datetime) -> None:
    if not proposal.is_open:
        raise StakesError(_("This proposal has been decided; answers can no longer change."))
    if proposal.deadline <= now:
        raise StakesError(
            _("The deadline of this proposal has passed; answers can no longer change.")
        )


@transaction.atomic
def answer_give(*, proposal: Proposal, by, choice: str, remarks: str = "") -> Answer:
    """The answer of the person's organisation; giving it again (until the deadline) replaces
    the organisation's earlier answer. One answer per organisation."""
    permissions.check(by, ANSWER, proposal.programme)
    organisation = speaking_organisation(by, proposal.programme)
    current = _locked(proposal)
    _still_open(current, timezone.now())
    remarks = clean_text(remarks)
    if choice not in Answer.Choice.values:
        raise ValidationError(
            {"choice": _("Choose consent, consent with remarks, object or abstain.")}
        )
    if choice == Answer.Choice.OBJECT and not remarks:
        raise ValidationError({"remarks": _("Say why your organisation objects.")})
    if len(remarks) > MAX_EXPLANATION:
        raise ValidationError(
            {"remarks": _("Keep the remarks to %(max)d characters.") % {"max": MAX_EXPLANATION}}
        )
    answer, _created = Answer.objects.update_or_create(
        proposal=current,
        organisation=organisation,
        defaults={
            "choice": choice,
            "remarks": remarks,
            "answered_by": by,
            "answered_at": timezone.now(),
            # A changed answer is no longer the objection that was escalated.
            "escalated_at": None,
            "escalated_by": None,
        },
    )
    return answer


@transaction.atomic
def objection_escalate(*, answer: Answer, by) -> Answer:
    """Bring an objection before the programme's leads (by whoever speaks for the objecting
    organisation), while the proposal is open."""
    proposal = answer.proposal
    permissions.check(by, ANSWER, proposal.programme)
    organisation = speaking_organisation(by, proposal.programme)
    current = _locked(proposal)
    _still_open(current, timezone.now())
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    if answer.organisation_id != organisation.pk:
        raise PermissionDenied(_("Only the objecting organisation escalates its objection."))
    if answer.choice != Answer.Choice.OBJECT:
        raise StakesError(_("Only an objection can be escalated."))
    if answer.escalated_at is None:
        answer.escalated_at = timezone.now()
        answer.escalated_by = by
        answer.save(update_fields=["escalated_at", "escalated_by"])
        event_record(
            programme=current.programme,
            kind="st_escalated",
            actor=by,
            target=current,
            recipients=lead_people(current.programme),
            summary=str(organisation),
        )
    return answer


def outcome_summary(proposal: Proposal) -> str:
    """The outcome a proposal decided at its deadline records: by consent, adopted unless an
    organisation objects."""
    counts = dict.fromkeys(Answer.Choice.values, 0)
    for choice in proposal.answers.values_list("choice", flat=True):
        counts[choice] += 1
    numbers = (
        _(
            "%(consent)d consent, %(remarks)d consent with remarks, %(object)d objection(s), "
            "%(abstain)d abstention(s)."
        )
        % counts
    )
    if counts[Answer.Choice.OBJECT]:
        return _("Not adopted at the deadline: an organisation objects.") + " " + numbers
    if counts[Answer.Choice.CONSENT] + counts[Answer.Choice.REMARKS]:
        return _("Adopted by consent at the deadline.") + " " + numbers
    return _("Not adopted at the deadline: no organisation consented.") + " " + numbers


def _decide(proposal: Proposal, *, by, outcome: str, now: datetime) -> Proposal:
    proposal.status = Proposal.Status.DECIDED
    proposal.outcome = outcome
    proposal.decided_at = now
    proposal.decided_by = by
    proposal.save(update_fields=["status", "outcome", "decided_at", "decided_by"])
    event_record(
        programme=proposal.programme,
        kind="st_decided",
        actor=by,
        target=proposal,
        summary=outcome[:250],
    )
    return proposal


@transaction.atomic
def proposal_decide(*, proposal: Proposal, by, outcome: str) -> Proposal:
    """A lead decides an open proposal (before its deadline, or after it when the sweeper has
    not yet) with an outcome text."""
    permissions.check(by, DECIDE, proposal.programme)
    outcome = clean_text(outcome)
    if not outcome:
        raise ValidationError({"outcome": _("Write the outcome of this proposal.")})
    if len(outcome) > MAX_PROPOSAL_TEXT:
        raise ValidationError(
            {"outcome": _("Keep the outcome to %(max)d characters.") % {"max": MAX_PROPOSAL_TEXT}}
        )
    current = _locked(proposal)
    if not current.is_open:
        raise StakesError(_("This proposal has been decided already."))
    return _decide(current, by=by, outcome=outcome, now=timezone.now())


@transaction.atomic
def proposal_comment_add(*, proposal: Proposal, author, body: str) -> ProposalComment:
    """Members, observers too, discuss a proposal."""
    permissions.check(author, permissions.Action.DISCUSS, proposal.programme)
    body = clean_text(body)
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if len(body) > MAX_EXPLANATION:
        raise ValidationError(
            {"body": _("Keep the comment to %(max)d characters.") % {"max": MAX_EXPLANATION}}
        )
    comment = ProposalComment.objects.create(
        proposal=proposal,
        author=author,
        organisation=organisation_of(author, proposal.programme),
        body=body,
    )
    event_record(
        programme=proposal.programme,
        kind="st_commented",
        actor=author,
        target=proposal,
        summary=body[:250],
    )
    return comment


# --- reminders and the deadline ----------------------------------------------------------------


@dataclass
class SweepReport:
    reminders: int = 0
    skipped: list[str] = field(default_factory=list)
    decided: int = 0


def reminder_moments(proposal: Proposal) -> list[tuple[int, datetime]]:
    """(offset, moment) of the proposal's reminders, earliest first; those before it was made
    are not sent (as with timeboxes)."""
    moments = [
        (int(offset), proposal.deadline - timedelta(seconds=int(offset)))
        for offset in sorted(set(proposal.reminder_offsets or []), reverse=True)
    ]
    return [(o, m) for o, m in moments if m >= proposal.reminders_from]


def silent_people(proposal: Proposal) -> set[int]:
    """Active people of the contributing organisations that have not answered yet."""
    answered = set(proposal.answers.values_list("organisation_id", flat=True))
    people = contributor_people(proposal.programme)
    if not answered:
        return people
    from django.contrib.auth import get_user_model

    of_answered = set(
        get_user_model()
        .objects.filter(pk__in=people, affiliations__organisation_id__in=answered)
        .values_list("pk", flat=True)
    )
    return people - of_answered


def proposals_sweep(*, now: datetime | None = None) -> SweepReport:
    """Send the reminder rounds whose moment has come, and decide the proposals whose deadline
    has passed. Safe to run concurrently and repeatedly: each moment is claimed with the
    proposal row locked (`skip_locked`) and recorded as a unique `ProposalMilestone`. After
    downtime only the latest due reminder round is sent; the earlier ones, and reminders later
    than their own offset, are recorded as skipped."""
    now = now or timezone.now()
    report = SweepReport()
    handled = set(
        ProposalMilestone.objects.filter(proposal__status=Proposal.Status.OPEN).values_list(
            "proposal_id", "occasion"
        )
    )
    for proposal in Proposal.objects.filter(status=Proposal.Status.OPEN).only(
        "pk", "deadline", "reminder_offsets", "reminders_from"
    ):
        due = [
            (offset, moment)
            for offset, moment in reminder_moments(proposal)
            if moment <= now and (proposal.pk, f"reminder:{offset}") not in handled
        ]
        try:
            if proposal.deadline <= now:
                report.decided += _handle_deadline(proposal.pk, now)
            elif due:
                report.reminders += _handle_reminders(proposal.pk, due, now, report)
        except IntegrityError:
            logger.info("Proposal %s was handled by another sweeper", proposal.pk)
    return report


@transaction.atomic
def _handle_deadline(pk: int, now: datetime) -> int:
    proposal = Proposal.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
    if proposal is None or not proposal.is_open or proposal.deadline > now:
        return 0
    proposal.programme = Programme.objects.get(pk=proposal.programme_id)
    ProposalMilestone.objects.create(
        proposal=proposal, occasion="deadline", due_at=proposal.deadline, handled_at=now
    )
    _decide(proposal, by=None, outcome=outcome_summary(proposal), now=now)
    return 1


@transaction.atomic
def _handle_reminders(
    pk: int, due: list[tuple[int, datetime]], now: datetime, report: SweepReport
) -> int:
    proposal = Proposal.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
    if proposal is None or not proposal.is_open or proposal.deadline <= now:
        return 0
    proposal.programme = Programme.objects.get(pk=proposal.programme_id)
    done = set(proposal.milestones.values_list("occasion", flat=True))
    due = sorted((o, m) for o, m in due if f"reminder:{o}" not in done)  # nearest deadline first
    sent = 0
    for index, (offset, moment) in enumerate(due):
        late = now - moment > timedelta(seconds=offset)
        if index > 0 or late:
            ProposalMilestone.objects.create(
                proposal=proposal,
                occasion=f"reminder:{offset}",
                due_at=moment,
                handled_at=now,
                outcome=ProposalMilestone.Outcome.SKIPPED,
            )
            report.skipped.append(f"{proposal.pk}:reminder:{offset}")
            continue
        ProposalMilestone.objects.create(
            proposal=proposal, occasion=f"reminder:{offset}", due_at=moment, handled_at=now
        )
        recipients = silent_people(proposal)
        if recipients:
            # Sharper near the deadline: from one day before, the last call.
            kind = "st_reminder_due" if offset <= DAY else "st_reminder"
            event_record(
                programme=proposal.programme,
                kind=kind,
                actor=None,
                target=proposal,
                recipients=recipients,
                summary=proposal.title,
            )
            sent += len(recipients)
    return sent
