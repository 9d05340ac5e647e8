"""API: join requests and decisions, and notifications.

Thin: parse, call one selector or service, shape the answer. `participation.permissions`
decides (through the services); refusals surface as exceptions that `config.api` turns into
400/403/404, and a step the joining rules refuse now (a request already decided, one already
waiting) is answered with 409.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from . import permissions, selectors, services
from .events import notification_url
from .models import JoinRequest
from .permissions import Action
from .schemas import ErrorOut
from .selectors import programme_for

router = Router(tags=["joining"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def person_required(request):
    if not request.user.is_authenticated:
        raise AuthenticationError(message=_("Send an API token to do this."))
    return request.user


class JoinRequestOut(Schema):
    id: int
    organisation: str = Field(..., alias="organisation.slug")
    level: str
    motivation: str
    status: str
    requested_by: str | None = None
    created_at: datetime
    decided_at: datetime | None = None
    reason: str

    @staticmethod
    def resolve_requested_by(obj) -> str | None:
        return obj.requested_by.get_username() if obj.requested_by else None


class JoinRequestIn(Schema):
    organisation: str = Field(..., description="The slug of your organisation.")
    motivation: str = Field(..., min_length=1, max_length=2000)
    level: Literal["observer", "contributor", ""] = Field(
        "", description="Empty: observer for a newcomer, contributor for an observer."
    )


class DecisionIn(Schema):
    approve: bool
    reason: str = Field("", max_length=2000, description="Required when declining.")


class NotificationOut(Schema):
    id: int
    kind: str
    programme: str = Field(..., alias="programme.slug")
    document: str | None = None
    actor: str | None = None
    count: int
    summary: str = Field(..., alias="event.summary")
    subject: str = Field(..., alias="event.subject")
    url: str
    created_at: datetime
    updated_at: datetime
    read: bool

    @staticmethod
    def resolve_document(obj) -> str | None:
        """The slug of what the notification is about, when that is a document (or anything
        else with a slug)."""
        return getattr(obj.target, "slug", None)

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.get_username() if obj.actor_id else None

    @staticmethod
    def resolve_url(obj) -> str:
        return notification_url(obj)

    @staticmethod
    def resolve_read(obj) -> bool:
        return obj.read_at is not None


class ReadIn(Schema):
    ids: list[Annotated[int, Field(ge=1, le=2**62)]] | None = Field(
        None, max_length=500, description="Leave out to mark all read."
    )


class BoundedPagination(LimitOffsetPagination):
    """ninja's limit/offset paging with bounds the database can hold."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=100, description="How many items, at most.")
        offset: int = Field(0, ge=0, le=1_000_000_000, description="How many items to skip.")


class ReadOut(Schema):
    marked: int


def _joining(call):
    try:
        return call()
    except services.JoiningError as error:
        raise HttpError(409, error.message) from None


@router.get(
    "/programmes/{programme}/join-requests/",
    response={200: list[JoinRequestOut], **ERRORS},
    summary="Join requests: all pending ones (leads) or your organisations' own",
)
def join_request_list(request, programme: str):
    person = person_required(request)
    found = programme_for(person, programme)
    if permissions.can(person, Action.MANAGE_MEMBERS, found):
        return list(selectors.join_requests_pending(found).select_related("requested_by"))
    return list(selectors.join_requests_of(person, found).select_related("requested_by"))


@router.post(
    "/programmes/{programme}/join-requests/",
    response={201: JoinRequestOut, **ERRORS},
    summary="Ask for your organisation to join as observer, or to become contributor",
)
def join_request_create(request, programme: str, payload: JoinRequestIn):
    person = person_required(request)
    found = programme_for(person, programme)
    organisation = (
        selectors.organisations_asking_for(person).filter(slug=payload.organisation).first()
    )
    if organisation is None:
        # The same answer whether or not the organisation exists: its name is not revealed.
        raise PermissionDenied(_("You may only ask on behalf of your own organisation."))
    join_request = _joining(
        lambda: services.join_request_create(
            programme=found,
            organisation=organisation,
            by=person,
            motivation=payload.motivation,
            level=payload.level,
        )
    )
    return Status(201, join_request)


@router.post(
    "/programmes/{programme}/join-requests/{request_id}/decision/",
    response={200: JoinRequestOut, **ERRORS},
    summary="Approve or decline a join request (leads)",
)
def join_request_decide(request, programme: str, request_id: int, payload: DecisionIn):
    person = person_required(request)
    found = programme_for(person, programme, Action.MANAGE_MEMBERS)
    join_request = get_object_or_404(JoinRequest, pk=request_id, programme=found)
    return _joining(
        lambda: services.join_request_decide(
            join_request=join_request, by=person, approve=payload.approve, reason=payload.reason
        )
    )


@router.get(
    "/notifications/",
    response={200: list[NotificationOut], 401: ErrorOut},
    summary="Your notifications, newest first",
)
@paginate(BoundedPagination)
def notification_list(request, unread: bool = False):
    person = person_required(request)
    found = selectors.notifications_of(person)
    if unread:
        found = found.filter(read_at__isnull=True)
    return found


@router.post(
    "/notifications/read/",
    response={200: ReadOut, **ERRORS},
    summary="Mark notifications read",
)
def notifications_read(request, payload: ReadIn):
    person = person_required(request)
    return {"marked": services.notifications_mark_read(user=person, ids=payload.ids)}
