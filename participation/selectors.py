"""Reads for views, the API and templates: querysets with their joins, named after what they
return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from . import permissions
from .models import (
    Affiliation,
    AffiliationRequest,
    JoinRequest,
    Membership,
    MembershipChange,
    Notification,
    Organisation,
    Programme,
    ProgrammeSettings,
)
from .permissions import Action


def language_of(user) -> str:
    """The language a person reads Stip in: their own choice (their profile's), else the site's
    (Dutch). A browser's language preference is not a person's choice: a person without a
    profile language reads Dutch like everyone else until they pick another."""
    signed_in = getattr(user, "is_authenticated", False)
    profile = getattr(user, "stip_profile", None) if signed_in else None
    language = getattr(profile, "language", "")
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def programme_for(user, slug: str, action: Action = Action.VIEW) -> Programme:
    """The programme with this slug, if the person may do `action` in it (404 when hidden)."""
    try:
        programme = permissions.programme_with_level(user, slug)
    except Programme.DoesNotExist:
        raise Http404 from None
    permissions.check(user, action, programme)
    return programme


def members_of(programme: Programme) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(programme=programme)
        .select_related("organisation")
        .prefetch_related("organisation__people")
        .order_by("-level", "organisation__name")
    )


def membership_history(programme: Programme, limit: int = 50) -> QuerySet[MembershipChange]:
    return (
        MembershipChange.objects.filter(programme=programme)
        .select_related("organisation", "changed_by")
        .order_by("-changed_at", "-pk")[:limit]
    )


def join_requests_pending(programme: Programme) -> QuerySet[JoinRequest]:
    return (
        JoinRequest.objects.filter(programme=programme, status=JoinRequest.Status.PENDING)
        .select_related("organisation", "requested_by")
        .order_by("created_at")
    )


def join_requests_of(user, programme: Programme) -> QuerySet[JoinRequest]:
    return (
        JoinRequest.objects.filter(programme=programme, organisation__affiliations__user=user)
        .select_related("organisation", "decided_by")
        .order_by("-created_at")
        .distinct()
    )


def organisations_of(user) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(affiliations__user=user).order_by("name")


def organisations_asking_for(user) -> QuerySet[Organisation]:
    """The organisations the person may ask for to join a programme (`permissions.may_ask_for`):
    their own, and the new one they named at sign-up while it waits to be confirmed."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        Q(pk__in=Affiliation.objects.filter(user=user).values("organisation"))
        | Q(
            is_confirmed=False,
            pk__in=AffiliationRequest.objects.filter(
                user=user, status=AffiliationRequest.Status.PENDING
            ).values("organisation"),
        )
    ).order_by("name")


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """The organisations a person may see named in lists and look up by slug: those taking part
    in a programme they may read, and their own. A lead also sees those that asked to join one
    of their programmes and the confirmed ones that take part in none yet (to admit them).
    Superusers see all. So an organisation that takes part only in members-only programmes
    stays hidden from outsiders, as does a new one until it asks to join."""
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return Organisation.objects.order_by("name")
    condition = Q(
        pk__in=Membership.objects.filter(programme__in=permissions.visible_programmes(user)).values(
            "organisation"
        )
    )
    if user is not None and user.is_authenticated and user.is_active:
        condition |= Q(pk__in=Affiliation.objects.filter(user=user).values("organisation"))
        managed = permissions.programmes_where(user, Action.MANAGE_MEMBERS)
        if managed:
            condition |= Q(
                pk__in=JoinRequest.objects.filter(programme_id__in=managed).values("organisation")
            )
            condition |= Q(is_confirmed=True) & ~Q(pk__in=Membership.objects.values("organisation"))
    return Organisation.objects.filter(condition).order_by("name")


def organisations_public() -> QuerySet[Organisation]:
    """The confirmed organisations anyone may see (the sign-up form's list)."""
    return organisations_visible_to(AnonymousUser()).filter(is_confirmed=True)


def affiliation_requests_for(user) -> QuerySet[AffiliationRequest]:
    """Pending affiliation requests this person may decide (`permissions.may_confirm_affiliation`
    holds for each)."""
    return (
        AffiliationRequest.objects.filter(
            status=AffiliationRequest.Status.PENDING,
            user__is_active=True,
            organisation__in=permissions.organisations_confirmable_by(user),
        )
        .select_related("user", "organisation")
        .order_by("created_at")
    )


def notifications_of(user) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=user)
        .select_related("programme", "actor", "event")
        .prefetch_related("target")
    )


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class GrowthPoint:
    day: date
    observers: int
    contributors: int

    @property
    def total(self) -> int:
        return self.observers + self.contributors


def membership_growth(programme: Programme) -> list[GrowthPoint]:
    """Members per level after each day on which the membership changed, from the recorded
    changes (memberships from before the record began count from when they joined)."""
    changes = list(
        MembershipChange.objects.filter(programme=programme)
        .order_by("changed_at", "pk")
        .values_list("organisation_id", "changed_at", "to_level")
    )
    recorded = {organisation_id for organisation_id, _at, _to in changes}
    levels: dict[int, str] = {}
    timeline: list[tuple] = [
        (m.joined_at, m.organisation_id, m.level)
        for m in Membership.objects.filter(programme=programme).exclude(
            organisation_id__in=recorded
        )
    ]
    timeline += [(at, organisation_id, to) for organisation_id, at, to in changes]
    timeline.sort(key=lambda row: row[0])
    points: dict[date, GrowthPoint] = {}
    for at, organisation_id, level in timeline:
        if level:
            levels[organisation_id] = level
        else:
            levels.pop(organisation_id, None)
        values = list(levels.values())
        day = at.date()
        points[day] = GrowthPoint(
            day=day,
            observers=values.count(Membership.MemberLevel.OBSERVER),
            contributors=values.count(Membership.MemberLevel.CONTRIBUTOR),
        )
    return list(points.values())


def growth_chart(points: list[GrowthPoint], width: int = 600, height: int = 200) -> dict:
    """Coordinates for a server-side SVG step chart of the members over time."""
    if not points:
        return {}
    pad = 30
    top = max(point.total for point in points) or 1
    first, last = points[0].day.toordinal(), points[-1].day.toordinal()
    span = max(last - first, 1)

    def x(day: date) -> float:
        return round(pad + (day.toordinal() - first) / span * (width - 2 * pad), 1)

    def y(value: int) -> float:
        return round(height - pad - value / top * (height - 2 * pad), 1)

    def steps(values) -> str:
        coords = []
        previous = None
        for point, value in zip(points, values, strict=True):
            if previous is not None:
                coords.append(f"{x(point.day)},{y(previous)}")
            coords.append(f"{x(point.day)},{y(value)}")
            previous = value
        coords.append(f"{width - pad},{y(previous)}")
        return " ".join(coords)

    return {
        "width": width,
        "height": height,
        "pad": pad,
        "top": top,
        "axis_y": height - pad,
        "top_y": y(top),
        "right": width - pad,
        "total": steps([p.total for p in points]),
        "contributors": steps([p.contributors for p in points]),
        "first": points[0].day,
        "last": points[-1].day,
    }


def login_requirement_of(programme: Programme) -> str:
    """How the programme asks its contributors to log in (empty: any way)."""
    return (
        ProgrammeSettings.objects.filter(programme=programme)
        .values_list("login_requirement", flat=True)
        .first()
        or ""
    )
