"""Reads for views, the API and templates: querysets with their joins, named after what they
return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from . import permissions
from .models import (
    Affiliation,
    AffiliationRequest,
    InvitationLink,
    JoinRequest,
    Membership,
    MembershipChange,
    Notification,
    Organisation,
    Programme,
    ProgrammeRole,
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
    # On every page of a logged-in person: SQL of our own, as building the ORM's count costs
    # more than PostgreSQL's answer (see participation.prepared).
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT COUNT(*) FROM "participation_notification"'
            ' WHERE "recipient_id" = %s AND "read_at" IS NULL',
            [user.pk],
        )
        return cursor.fetchone()[0]


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


def account_for_login(identifier: str):
    """The account a person means by what they typed on a log-in form: their user name (as
    typed, else in any case) or their e-mail address (in any case; only when one account has
    it). None when nothing, or more than one account, fits."""
    User = get_user_model()
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    field = User.USERNAME_FIELD
    for lookup in ({field: identifier}, {f"{field}__iexact": identifier}):
        found = list(User._default_manager.filter(**lookup)[:2])
        if len(found) == 1:
            return found[0]
    if "@" in identifier:
        found = list(User._default_manager.filter(email__iexact=identifier)[:2])
        if len(found) == 1:
            return found[0]
    return None


def affiliation_confirmers(organisation: Organisation) -> list:
    """Who is asked to confirm that someone works for the organisation: its contacts, for a
    confirmed organisation that has them; otherwise the leads of the programmes it takes part
    in or asks to join; otherwise the superusers. Each of them may decide it
    (`permissions.may_confirm_affiliation`), and nobody else is told."""
    User = get_user_model()
    active = User.objects.filter(is_active=True)
    contacts = active.filter(
        affiliations__organisation=organisation,
        affiliations__is_contact=True,
        affiliations__organisation__is_confirmed=True,
    )
    involved = Programme.objects.filter(
        Q(memberships__organisation=organisation)
        | Q(
            join_requests__organisation=organisation,
            join_requests__status=JoinRequest.Status.PENDING,
        )
    )
    leads = active.filter(
        programme_roles__role=ProgrammeRole.Role.LEAD, programme_roles__programme__in=involved
    )
    for people in (contacts, leads, active.filter(is_superuser=True)):
        allowed = [
            person
            for person in people.distinct().order_by("pk")
            if permissions.may_confirm_affiliation(person, organisation)
        ]
        if allowed:
            return allowed
    return []


@dataclass
class PathStep:
    """One step on a person's way into a programme: done, or what it waits for and whom."""

    key: str
    label: str
    done: bool
    detail: str = ""
    waiting_for: str = ""


def _names(people, limit: int = 3) -> str:
    names = [person.get_full_name() or person.get_username() for person in people[:limit]]
    if len(people) > limit:
        names.append(_("and %(count)s more") % {"count": len(people) - limit})
    return ", ".join(names)


def _leads_of(programme: Programme) -> list:
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            programme_roles__programme=programme,
            programme_roles__role=ProgrammeRole.Role.LEAD,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# The steps of `joining_path` that belong to one programme (the others are the person's own).
PROGRAMME_STEPS = ("join_request", "approved", "level")


def joining_path(user, programme: Programme | None = None) -> list[PathStep]:
    """Where the person stands on the way in: signed up, e-mail address confirmed, affiliation
    confirmed and, for a programme, asked to join, admitted and at which level; each step not
    done yet says whom it waits for (the person, the organisation's confirmers, the leads)."""
    from .models import Profile

    you = _("you")
    if user is None or user.pk is None:
        return [PathStep("signed_up", _("Signed up"), False, waiting_for=you)]
    steps = [PathStep("signed_up", _("Signed up"), True, detail=user.email or user.username)]

    profile = Profile.objects.filter(user=user).first()
    confirmed = bool(profile and profile.email_confirmed_at) or user.socialaccount_set.exists()
    steps.append(
        PathStep(
            "email",
            _("E-mail address confirmed"),
            confirmed or not user.has_usable_password(),
            waiting_for=""
            if confirmed
            else _("you: open the link we sent to %(email)s") % {"email": user.email},
        )
    )

    organisations = list(organisations_of(user))
    pending = list(
        AffiliationRequest.objects.filter(
            user=user, status=AffiliationRequest.Status.PENDING
        ).select_related("organisation")
    )
    if organisations:
        steps.append(
            PathStep(
                "affiliation",
                _("Affiliation confirmed"),
                True,
                detail=", ".join(o.name for o in organisations),
            )
        )
    elif pending:
        organisation = pending[0].organisation
        confirmers = affiliation_confirmers(organisation)
        steps.append(
            PathStep(
                "affiliation",
                _("Affiliation confirmed"),
                False,
                detail=organisation.name,
                waiting_for=_names(confirmers)
                if confirmers
                else _("the leads of the programme %(organisation)s asks to join: ask to join one")
                % {"organisation": organisation.name},
            )
        )
    else:
        steps.append(
            PathStep(
                "affiliation",
                _("Affiliation confirmed"),
                False,
                waiting_for=_("you: name your organisation, or open an invitation link"),
            )
        )
    if programme is None:
        return steps

    membership = (
        Membership.objects.filter(programme=programme, organisation__in=organisations)
        .select_related("organisation")
        .order_by("level")  # "contributor" before "observer"
        .first()
    )
    requests = JoinRequest.objects.filter(
        programme=programme,
        organisation__in=[o.pk for o in organisations] + [p.organisation_id for p in pending],
    )
    asking = requests.filter(status=JoinRequest.Status.PENDING).select_related("organisation")
    asked = asking.first()
    leads = _names(_leads_of(programme)) or _("the programme's leads")
    steps.append(
        PathStep(
            "join_request",
            _("Asked to join"),
            membership is not None or requests.exists(),
            detail=asked.organisation.name if asked else "",
            waiting_for=""
            if membership is not None or requests.exists()
            else _("you: ask to join for your organisation"),
        )
    )
    waiting_to_join = asked is not None and membership is None
    steps.append(
        PathStep(
            "approved",
            _("Admitted"),
            membership is not None,
            detail=membership.organisation.name if membership else "",
            waiting_for=leads if waiting_to_join else "",
        )
    )
    promotion = asked if membership is not None and asked is not None else None
    steps.append(
        PathStep(
            "level",
            _("Level"),
            membership is not None and promotion is None,
            detail=membership.get_level_display() if membership else "",
            waiting_for=(
                _("%(leads)s, on your request to become %(level)s")
                % {"leads": leads, "level": promotion.get_level_display()}
            )
            if promotion
            else "",
        )
    )
    return steps


def invitation_links_of(programme: Programme) -> QuerySet[InvitationLink]:
    """The programme's invitation links, usable ones first, then the newest."""
    from django.db.models import Case, IntegerField, Value, When
    from django.utils import timezone

    return (
        InvitationLink.objects.filter(programme=programme)
        .select_related("organisation", "created_by", "revoked_by")
        .annotate(
            usable=Case(
                When(revoked_at__isnull=True, expires_at__gt=timezone.now(), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-usable", "-created_at")[:50]
    )


def programmes_on_the_way_of(user) -> QuerySet[Programme]:
    """The programmes the person's organisations take part in or asked to join (theirs or the
    ones they wait to be confirmed for)."""
    organisations = Q(affiliations__user=user) | Q(
        affiliation_requests__user=user,
        affiliation_requests__status=AffiliationRequest.Status.PENDING,
    )
    involved = Organisation.objects.filter(organisations).values("pk")
    return (
        Programme.objects.filter(
            Q(memberships__organisation__in=involved) | Q(join_requests__organisation__in=involved)
        )
        .distinct()
        .order_by("name")
    )
