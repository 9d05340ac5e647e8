"""API: a programme's timeboxes (create, extend, close, reopen) and their baselines.

Thin: parse, call one selector or service, shape the answer. The services check permission
through `participation.permissions`; `config.api` turns their exceptions into 400/403/404.
A timebox the rules refuse to change now (closing a closed one) answers 409.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from participation.permissions import Action
from participation.schemas import ErrorOut
from participation.selectors import programme_for
from participation.text import OneLine
from wiki.models import Document, VersionNumber

from . import selectors, services
from .models import Timebox

router = Router(tags=["timeboxes"])

TIMEBOXES = "/programmes/{programme}/timeboxes/"
TIMEBOX = TIMEBOXES + "{timebox_id}/"
BASELINE = "/programmes/{programme}/baselines/{baseline_id}/"
READ_ERRORS = {404: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class EventOut(Schema):
    kind: str
    at: datetime
    reason: str
    deadline_before: datetime | None
    deadline_after: datetime | None


class TimeboxOut(Schema):
    id: int
    name: str
    goal: str
    status: str
    frozen: bool
    starts_at: datetime
    deadline: datetime
    reminder_offsets: list[int] = Field(description="Seconds before the deadline.")
    auto_close: bool
    freeze_discussion: bool
    outcome: str
    documents: list[str] = Field(description="Slugs of the documents in scope.")
    baselines: list[int]
    events: list[EventOut]
    url: str


class TimeboxIn(Schema):
    name: OneLine = Field(min_length=1, max_length=200)
    goal: str = ""
    starts_at: datetime
    deadline: datetime
    documents: list[str] = Field(default_factory=list, description="Slugs of single documents.")
    subtrees: list[str] = Field(
        default_factory=list, description="Slugs of documents in scope with everything below."
    )
    reminder_offsets: list[int] | None = Field(
        None, description="Seconds before the deadline; default one week, one day, one hour."
    )
    auto_close: bool = False
    freeze_discussion: bool = False


class NewDeadlineIn(Schema):
    deadline: datetime
    reason: str


class CloseIn(Schema):
    outcome: str


class BaselineDocumentOut(Schema):
    document_id: int
    slug: str
    title: str
    kind: str
    version_id: int | None = Field(description="The document's own version at the close.")
    version_number: int | None = Field(
        description="That version's number among the document's own (1, 2, 3, …), as the "
        "site, the history and the annex show it."
    )
    baseline_version_id: int
    body: str


class BaselineOut(Schema):
    id: int
    name: str
    timebox: int
    created_at: datetime
    documents: list[BaselineDocumentOut]
    url: str


def _timebox_out(request, timebox: Timebox) -> dict:
    slugs = list(
        Document.objects.filter(pk__in=selectors.scope_document_ids(timebox))
        .order_by("title")
        .values_list("slug", flat=True)
    )
    return {
        "id": timebox.pk,
        "name": timebox.name,
        "goal": timebox.goal,
        "status": timebox.status,
        "frozen": timebox.frozen,
        "starts_at": timebox.starts_at,
        "deadline": timebox.deadline,
        "reminder_offsets": timebox.reminder_offsets,
        "auto_close": timebox.auto_close,
        "freeze_discussion": timebox.freeze_discussion,
        "outcome": timebox.outcome,
        "documents": slugs,
        "baselines": list(timebox.baselines.values_list("pk", flat=True)),
        "events": [
            {
                "kind": e.kind,
                "at": e.at,
                "reason": e.reason,
                "deadline_before": e.deadline_before,
                "deadline_after": e.deadline_after,
            }
            for e in timebox.events.all()
        ],
        "url": request.build_absolute_uri(timebox.get_absolute_url()),
    }


def _documents(programme, slugs: list[str], field: str) -> list[Document]:
    found = {
        d.slug: d for d in Document.objects.alive().filter(programme=programme, slug__in=slugs)
    }
    missing = [s for s in slugs if s not in found]
    if missing:
        message = _("No such documents in this programme: %(slugs)s")
        raise ValidationError({field: message % {"slugs": ", ".join(missing)}})
    return list(found.values())


@router.get(TIMEBOXES, response={200: list[TimeboxOut], **READ_ERRORS})
def timebox_list(request, programme: str):
    found = programme_for(request.user, programme)
    return [_timebox_out(request, t) for t in selectors.timeboxes_of(found)]


@router.post(TIMEBOXES, response={201: TimeboxOut, **WRITE_ERRORS})
def timebox_create(request, programme: str, payload: TimeboxIn):
    found = programme_for(request.user, programme, Action.MANAGE_TIMEBOXES)
    timebox = services.timebox_create(
        programme=found,
        by=request.user,
        name=payload.name,
        goal=payload.goal,
        starts_at=payload.starts_at,
        deadline=payload.deadline,
        documents=_documents(found, payload.documents, "documents"),
        subtrees=_documents(found, payload.subtrees, "subtrees"),
        reminder_offsets=payload.reminder_offsets,
        auto_close=payload.auto_close,
        freeze_discussion=payload.freeze_discussion,
    )
    return Status(201, _timebox_out(request, timebox))


@router.get(TIMEBOX, response={200: TimeboxOut, **READ_ERRORS})
def timebox_detail(request, programme: str, timebox_id: int):
    found = programme_for(request.user, programme)
    return _timebox_out(request, selectors.timebox_for(request.user, found, timebox_id))


def _change(request, programme: str, timebox_id: int, change):
    found = programme_for(request.user, programme)
    timebox = selectors.timebox_for(request.user, found, timebox_id)
    try:
        change(timebox)
    except services.TimeboxError as error:
        return Status(409, {"detail": error.message})
    timebox.refresh_from_db()
    return _timebox_out(request, timebox)


@router.post(TIMEBOX + "extend/", response={200: TimeboxOut, **WRITE_ERRORS})
def timebox_extend(request, programme: str, timebox_id: int, payload: NewDeadlineIn):
    return _change(
        request,
        programme,
        timebox_id,
        lambda t: services.timebox_extend(
            timebox=t, by=request.user, deadline=payload.deadline, reason=payload.reason
        ),
    )


@router.post(TIMEBOX + "reopen/", response={200: TimeboxOut, **WRITE_ERRORS})
def timebox_reopen(request, programme: str, timebox_id: int, payload: NewDeadlineIn):
    return _change(
        request,
        programme,
        timebox_id,
        lambda t: services.timebox_reopen(
            timebox=t, by=request.user, deadline=payload.deadline, reason=payload.reason
        ),
    )


@router.post(TIMEBOX + "close/", response={200: TimeboxOut, **WRITE_ERRORS})
def timebox_close(request, programme: str, timebox_id: int, payload: CloseIn):
    return _change(
        request,
        programme,
        timebox_id,
        lambda t: services.timebox_close(timebox=t, by=request.user, outcome=payload.outcome),
    )


@router.get(BASELINE, response={200: BaselineOut, **READ_ERRORS})
def baseline_detail(request, programme: str, baseline_id: int):
    found = programme_for(request.user, programme)
    baseline = selectors.baseline_for(request.user, found, baseline_id)
    documents = selectors.baseline_documents(baseline)
    numbers = dict(
        VersionNumber.objects.filter(version_id__in=[d.head_id for d in documents]).values_list(
            "version_id", "number"
        )
    )
    return {
        "id": baseline.pk,
        "name": baseline.title,
        "timebox": baseline.timebox_id,
        "created_at": baseline.created_at,
        "documents": [
            {
                "document_id": d.document_id,
                "slug": d.slug,
                "title": d.title,
                "kind": d.kind,
                "version_id": d.head_id,
                "version_number": numbers.get(d.head_id),
                "baseline_version_id": d.version.pk,
                "body": d.body,
            }
            for d in documents
        ],
        "url": request.build_absolute_uri(baseline.get_absolute_url()),
    }
