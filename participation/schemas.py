"""The shapes the API reads and writes for programmes, organisations and memberships, and the
error bodies every router of the API shares."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from .models import Membership, Organisation, Programme


class ErrorOut(Schema):
    """A refusal or a problem: `detail` says what happened in the reader's language. On 400,
    `errors` maps each field (`__all__` for the whole request) to its messages."""

    detail: str
    errors: dict[str, list[str]] | None = None


class PageIn(Schema):
    limit: int = Field(50, ge=1, le=100, description="How many items, at most.")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="How many items to skip.")


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: Literal[tuple(Organisation.Kind.values)]  # type: ignore[valid-type]


class ProgrammeOut(Schema):
    slug: str
    name: str
    description: str
    visibility: Literal[tuple(Programme.Visibility.values)]  # type: ignore[valid-type]
    timezone: str
    your_level: str = Field(
        description="The requester's level here: none, reader, observer, contributor or lead."
    )
    your_actions: list[str] = Field(
        description="What the requester may do here, e.g. view, discuss, edit, manage_members."
    )


class ProgrammePage(Schema):
    count: int
    items: list[ProgrammeOut]


class OrganisationPage(Schema):
    count: int
    items: list[OrganisationOut]


class MembershipOut(Schema):
    organisation: OrganisationOut
    level: Literal[tuple(Membership.MemberLevel.values)]  # type: ignore[valid-type]
    joined_at: datetime


class ProgrammeMembershipOut(Schema):
    """A membership seen from the organisation's side."""

    programme: str = Field(description="The programme's slug.")
    programme_name: str
    level: Literal[tuple(Membership.MemberLevel.values)]  # type: ignore[valid-type]
    joined_at: datetime


class OrganisationDetailOut(OrganisationOut):
    memberships: list[ProgrammeMembershipOut] = Field(
        description="Its memberships of the programmes the requester may read."
    )


REASON = Field("", max_length=500, description="Why: told to the organisation's people.")


class MembershipIn(Schema):
    organisation: str = Field(description="The organisation's slug.", min_length=1)
    level: Literal[tuple(Membership.MemberLevel.values)]  # type: ignore[valid-type]
    reason: str = REASON


class MembershipLevelIn(Schema):
    level: Literal[tuple(Membership.MemberLevel.values)]  # type: ignore[valid-type]
    reason: str = REASON
