"""Costs and benefits and the decision log on the site: thin views that parse input, call one
service or selector, and render. Permission is decided in participation.permissions (through
`programme_for` and the services); a refusal of the rules (a decided proposal) is shown as a
message with what the person typed kept in the form."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participation import permissions
from participation.forms import add_service_errors
from participation.http import id_from
from participation.selectors import programme_for
from participation.spreadsheets import csv_response, csv_writer
from timeboxes.forms import format_offsets
from timeboxes.selectors import timebox_for, timeboxes_of
from usecases.selectors import wiki_diff_url
from wiki.models import Document
from wiki.services import organisation_of

from . import charts, selectors, services
from .actions import ANSWER, DECIDE, PROPOSE, RECORD_STAKES
from .forms import AnswerForm, CommentForm, DecideForm, ProposalForm, StakeForm
from .models import STAKE_DOCUMENT_KINDS, Answer, Proposal


def _timebox_of(request, programme):
    value = request.GET.get("timebox", "")
    if not value:
        return None
    return timebox_for(request.user, programme, id_from(value))


# --- costs and benefits ------------------------------------------------------------------------


@require_GET
def balance(request, programme):
    programme = programme_for(request.user, programme)
    timebox = _timebox_of(request, programme)
    result = selectors.balance(programme, timebox=timebox)
    return render(
        request,
        "stakes/balance.html",
        {
            "programme": programme,
            "balance": result,
            "chart": charts.balance_chart(result),
            "timebox": timebox,
            "timeboxes": timeboxes_of(programme),
        },
    )


@require_GET
def balance_csv(request, programme):
    programme = programme_for(request.user, programme)
    timebox = _timebox_of(request, programme)
    suffix = f"-timebox-{timebox.pk}" if timebox else ""
    response = csv_response(f"{programme.slug}-balance{suffix}.csv")
    return charts.balance_csv(selectors.balance(programme, timebox=timebox), response)


def _document(programme, slug: str) -> Document:
    document = (
        Document.objects.alive()
        .filter(programme=programme, slug=slug, kind__in=STAKE_DOCUMENT_KINDS)
        .first()
    )
    if document is None:
        raise Http404
    return document


@require_http_methods(["GET", "POST"])
def document_stakes(request, programme, slug):
    programme = programme_for(request.user, programme)
    document = _document(programme, slug)
    can_record = permissions.can(request.user, RECORD_STAKES, programme)
    organisation = organisation_of(request.user, programme) if can_record else None
    if organisation is not None and not permissions.may_speak_for(
        request.user, programme, organisation
    ):
        organisation = None
    form = StakeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.stake_record(
                    document=document,
                    kind=data["kind"],
                    direction=data["direction"],
                    size=data["size"],
                    amount=data["amount"],
                    explanation=data["explanation"],
                    author=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except services.StakesError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your organisation's entry was saved."))
                return redirect("stakes:document", programme=programme.slug, slug=document.slug)
    stakes = list(selectors.stakes_of(document))
    for stake in stakes:
        stake.diff_url = (
            wiki_diff_url(document, stake.version_id, document.head_id) if stake.is_stale else ""
        )
    return render(
        request,
        "stakes/document.html",
        {
            "programme": programme,
            "document": document,
            "stakes": stakes,
            "form": form,
            "organisation": organisation,
        },
        status=status,
    )


@require_POST
def stake_remove(request, programme, pk):
    programme = programme_for(request.user, programme, RECORD_STAKES)
    stake = selectors.stake_for(programme, pk)
    services.stake_remove(stake=stake, by=request.user)
    messages.success(request, _("The entry was removed; its history stays."))
    return redirect("stakes:document", programme=programme.slug, slug=stake.document.slug)


@require_GET
def stake_history(request, programme, pk):
    programme = programme_for(request.user, programme)
    stake = selectors.stake_for(programme, pk)
    return render(
        request,
        "stakes/history.html",
        {
            "programme": programme,
            "stake": stake,
            "document": stake.document,
            "versions": selectors.stake_history(stake),
        },
    )


# --- proposals and the decision log ------------------------------------------------------------


@require_GET
def decisions(request, programme):
    programme = programme_for(request.user, programme)
    query = request.GET.get("q", "")
    status = request.GET.get("status", "")
    return render(
        request,
        "stakes/decisions.html",
        {
            "programme": programme,
            "proposals": selectors.proposals_of(programme, query=query, status=status),
            "query": query,
            "status": status,
            "can_propose": permissions.can(request.user, PROPOSE, programme),
            "can_decide": permissions.can(request.user, DECIDE, programme),
        },
    )


@require_GET
def decisions_csv(request, programme):
    programme = programme_for(request.user, programme)
    proposals = selectors.proposals_of(
        programme, query=request.GET.get("q", ""), status=request.GET.get("status", "")
    )
    response = csv_response(f"{programme.slug}-decisions.csv")
    writer = csv_writer(response)
    writer.writerow(
        [_("Number"), _("Title"), _("Status"), _("Deadline"), _("Decided"), _("Outcome")]
        + [_("Documents")]
    )
    for proposal in proposals:
        writer.writerow(
            [
                proposal.reference,
                proposal.title,
                proposal.get_status_display(),
                timezone.localtime(proposal.deadline).isoformat(),
                timezone.localtime(proposal.decided_at).isoformat() if proposal.decided_at else "",
                proposal.outcome,
                "; ".join(d.title for d in proposal.documents.all()),
            ]
        )
    return response


@require_http_methods(["GET", "POST"])
def proposal_create(request, programme):
    programme = programme_for(request.user, programme, PROPOSE)
    with timezone.override(programme.timezone):
        initial = {}
        document = request.GET.get("document")
        if document:
            initial["documents"] = Document.objects.alive().filter(
                programme=programme, slug=document
            )
        form = ProposalForm(request.POST or None, programme=programme, initial=initial)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                data = form.cleaned_data
                try:
                    proposal = services.proposal_create(
                        programme=programme,
                        by=request.user,
                        title=data["title"],
                        text=data["text"],
                        options=data["options"],
                        documents=list(data["documents"]),
                        deadline=data["deadline"],
                        reminder_offsets=data["reminders"] or None,
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("The proposal was put to the organisations."))
                    return redirect(proposal.get_absolute_url())
        return render(
            request,
            "stakes/proposal_form.html",
            {"programme": programme, "form": form},
            status=status,
        )


def _proposal_page(request, programme, proposal, *, status=200, **forms):
    user = request.user
    speaking = None
    if permissions.can(user, ANSWER, programme):
        organisation = organisation_of(user, programme)
        if organisation is not None and permissions.may_speak_for(user, programme, organisation):
            speaking = organisation
    rows = selectors.answers_of(proposal)
    own = next((r.answer for r in rows if speaking and r.organisation.pk == speaking.pk), None)
    answer_form = forms.get("answer_form") or AnswerForm(
        initial={"choice": own.choice, "remarks": own.remarks} if own else None
    )
    with timezone.override(programme.timezone):
        return render(
            request,
            "stakes/proposal.html",
            {
                "programme": programme,
                "proposal": proposal,
                "documents": proposal.documents.order_by("title"),
                "rows": rows,
                "speaking": speaking,
                "own_answer": own,
                "may_answer": speaking is not None
                and proposal.is_open
                and proposal.deadline > timezone.now(),
                "can_decide": proposal.is_open and permissions.can(user, DECIDE, programme),
                "can_discuss": permissions.can(user, permissions.Action.DISCUSS, programme),
                "answer_form": answer_form,
                "decide_form": forms.get("decide_form") or DecideForm(),
                "comment_form": forms.get("comment_form") or CommentForm(),
                "comments": proposal.comments.select_related("author", "organisation"),
                "reminders": format_offsets(proposal.reminder_offsets),
            },
            status=status,
        )


@require_GET
def proposal_detail(request, programme, number):
    programme = programme_for(request.user, programme)
    return _proposal_page(request, programme, selectors.proposal_for(programme, number))


def _proposal_form_view(
    action,
    form_class,
    form_name: str,
    act: Callable[[object, Proposal, dict], object],
    *,
    done: Promise | None = None,
    anchor: str = "",
):
    """The view for the POST of one of a proposal's forms (answer, decide, comment): it checks
    the form, then `act(user, proposal, cleaned_data)` calls the service. On success `done` (if
    any) is shown on the proposal's page at `anchor`; a refusal is shown beside the form, with
    what was typed kept, on the proposal's page answered with 400 (`form_name` is that form's
    name in the page's context)."""

    @require_POST
    def view(request, programme, number):
        programme = programme_for(request.user, programme, action)
        proposal = selectors.proposal_for(programme, number)
        form = form_class(request.POST)
        if form.is_valid():
            try:
                act(request.user, proposal, form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            except services.StakesError as error:
                form.add_error(None, error.message)
            else:
                if done:
                    messages.success(request, str(done))
                return redirect(proposal.get_absolute_url() + anchor)
        return _proposal_page(request, programme, proposal, status=400, **{form_name: form})

    return view


def _answer(user, proposal: Proposal, data: dict):
    return services.answer_give(
        proposal=proposal, by=user, choice=data["choice"], remarks=data["remarks"]
    )


def _decide(user, proposal: Proposal, data: dict):
    return services.proposal_decide(proposal=proposal, by=user, outcome=data["outcome"])


def _comment(user, proposal: Proposal, data: dict):
    return services.proposal_comment_add(proposal=proposal, author=user, body=data["body"])


proposal_answer = _proposal_form_view(
    ANSWER,
    AnswerForm,
    "answer_form",
    _answer,
    done=gettext_lazy("Your organisation's answer was recorded."),
)
proposal_decide = _proposal_form_view(
    DECIDE, DecideForm, "decide_form", _decide, done=gettext_lazy("The proposal was decided.")
)
proposal_comment = _proposal_form_view(
    permissions.Action.DISCUSS, CommentForm, "comment_form", _comment, anchor="#discussion"
)


@require_POST
def objection_escalate(request, programme, number, answer):
    programme = programme_for(request.user, programme, ANSWER)
    proposal = selectors.proposal_for(programme, number)
    found = Answer.objects.filter(proposal=proposal, pk=answer).first()
    if found is None:
        raise Http404
    try:
        services.objection_escalate(answer=found, by=request.user)
    except services.StakesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The objection was brought before the leads."))
    return redirect(proposal.get_absolute_url())


@require_GET
def escalated(request, programme):
    programme = programme_for(request.user, programme, DECIDE)
    return render(
        request,
        "stakes/escalated.html",
        {"programme": programme, "objections": selectors.escalated_objections(programme)},
    )
