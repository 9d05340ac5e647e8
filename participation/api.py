"""API: programmes, organisations and the memberships of a programme.

Thin: parse, call one selector or service, shape the answer. `participation.permissions`
decides; refusals surface as exceptions that `config.api` turns into 403/404.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from . import permissions, selectors, services
from .models import Level, Membership, Programme
from .permissions import Action
from .schemas import (
    ErrorOut,
    MembershipIn,
    MembershipLevelIn,
    MembershipOut,
    OrganisationDetailOut,
    OrganisationPage,
    PageIn,
    ProgrammeOut,
    ProgrammePage,
)
from .selectors import programme_for

router = Router(tags=["programmes"])

READ_ERRORS = {404: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def paged(queryset, paging: PageIn, shape=None) -> dict:
    """One page of a queryset, `{"count": …, "items": […]}`, shaping only the page's items."""
    items = list(queryset[paging.offset : paging.offset + paging.limit])
    return {"count": queryset.count(), "items": [shape(i) for i in items] if shape else items}


def programme_out(user, programme: Programme) -> dict:
    level = permissions.level_of(user, programme)
    return {
        "slug": programme.slug,
        "name": programme.name,
        "description": programme.description,
        "visibility": programme.visibility,
        "timezone": programme.timezone,
        "your_level": Level(level).name.lower(),
        "your_actions": [str(a) for a in Action if permissions.can(user, a, programme)],
    }


def _memberships(programme: Programme):
    return programme.memberships.select_related("organisation").order_by("organisation__name")


def _membership(programme: Programme, organisation_slug: str) -> Membership:
    try:
        return _memberships(programme).get(organisation__slug=organisation_slug)
    except Membership.DoesNotExist:
        raise Http404(_("This organisation is not a member of this programme.")) from None


# --- programmes --------------------------------------------------------------------------------


@router.get("/programmes/", response=ProgrammePage, summary="Programmes you may read")
def programme_list(request, paging: Query[PageIn]):
    """Open programmes, and the members-only programmes the requester belongs to."""
    programmes = permissions.visible_programmes(request.user).order_by("name")
    return paged(programmes, paging, lambda p: programme_out(request.user, p))


@router.get(
    "/programmes/{programme}/",
    response={200: ProgrammeOut, **READ_ERRORS},
    summary="One programme, with what you may do in it",
)
def programme_detail(request, programme: str):
    return programme_out(request.user, programme_for(request.user, programme))


# --- organisations -----------------------------------------------------------------------------


@router.get(
    "/organisations/",
    response=OrganisationPage,
    tags=["organisations"],
    summary="Organisations taking part in programmes you may read",
)
def organisation_list(request, paging: Query[PageIn]):
    return paged(selectors.organisations_visible_to(request.user), paging)


@router.get(
    "/organisations/{organisation}/",
    response={200: OrganisationDetailOut, **READ_ERRORS},
    tags=["organisations"],
    summary="One organisation and its memberships",
)
def organisation_detail(request, organisation: str):
    found = selectors.organisations_visible_to(request.user).filter(slug=organisation).first()
    if found is None:
        raise Http404(_("No such organisation."))
    memberships = (
        found.memberships.filter(programme__in=permissions.visible_programmes(request.user))
        .select_related("programme")
        .order_by("programme__name")
    )
    return {
        "slug": found.slug,
        "name": found.name,
        "kind": found.kind,
        "memberships": [
            {
                "programme": m.programme.slug,
                "programme_name": m.programme.name,
                "level": m.level,
                "joined_at": m.joined_at,
            }
            for m in memberships
        ],
    }


# --- memberships -------------------------------------------------------------------------------


@router.get(
    "/programmes/{programme}/memberships/",
    response={200: list[MembershipOut], **READ_ERRORS},
    tags=["memberships"],
    summary="The organisations taking part in a programme",
)
def membership_list(request, programme: str):
    return list(_memberships(programme_for(request.user, programme)))


@router.post(
    "/programmes/{programme}/memberships/",
    response={201: MembershipOut, **WRITE_ERRORS},
    tags=["memberships"],
    summary="Admit an organisation (leads)",
)
def membership_create(request, programme: str, payload: MembershipIn):
    found = programme_for(request.user, programme, Action.MANAGE_MEMBERS)
    organisation = (
        selectors.organisations_visible_to(request.user).filter(slug=payload.organisation).first()
    )
    if organisation is None:
        raise ValidationError({"organisation": _("There is no organisation with this slug.")})
    membership = services.membership_add(
        programme=found,
        organisation=organisation,
        level=payload.level,
        by=request.user,
        reason=payload.reason,
    )
    return Status(201, membership)


@router.patch(
    "/programmes/{programme}/memberships/{organisation}/",
    response={200: MembershipOut, **WRITE_ERRORS},
    tags=["memberships"],
    summary="Change an organisation's level (leads)",
)
def membership_update(request, programme: str, organisation: str, payload: MembershipLevelIn):
    found = programme_for(request.user, programme, Action.MANAGE_MEMBERS)
    return services.membership_set_level(
        membership=_membership(found, organisation),
        level=payload.level,
        by=request.user,
        reason=payload.reason,
    )


@router.delete(
    "/programmes/{programme}/memberships/{organisation}/",
    response={204: None, **WRITE_ERRORS},
    tags=["memberships"],
    summary="End an organisation's membership (leads)",
)
def membership_delete(
    request,
    programme: str,
    organisation: str,
    reason: str = Query("", max_length=500, description="Why: told to its people."),
):
    found = programme_for(request.user, programme, Action.MANAGE_MEMBERS)
    services.membership_remove(
        membership=_membership(found, organisation), by=request.user, reason=reason
    )
    return Status(204, None)
