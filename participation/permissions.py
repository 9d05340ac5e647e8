"""The one place that decides what a person may do in a programme.

Views, the API, the Wagtail admin, services and management commands all ask here; nothing
else compares levels. A person's level in a programme is the highest of:

- lead, for superusers and people with the lead role in the programme;
- the level of the memberships of their organisations (contributor above observer);
- reader, for anyone (anonymous too) when the programme is open.

A programme may ask its contributors and leads to log in a certain way (single sign-on, or
two-factor log-in; `ProgrammeSettings.login_requirement`). Whoever has not logged in that way
reads as an observer there, and `login_requirement_unmet` says why. Superusers are not held to it.

Refusals come in two kinds: a programme the person may not even read is *hidden* (views and the
API answer 404, so its existence is not revealed); anything else the person may not do is
*denied* (403).
"""

from enum import IntEnum, StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .models import (
    Affiliation,
    AffiliationRequest,
    JoinRequest,
    Level,
    Membership,
    Organisation,
    Programme,
    ProgrammeRole,
    ProgrammeSettings,
)
from .prepared import PreparedQuery

Requirement = ProgrammeSettings.LoginRequirement


class LoginStrength(IntEnum):
    """How the person logged in, weakest first."""

    PASSWORD = 0
    TWO_FACTOR = 1  # a password and a code from an authenticator app
    SSO = 2  # single sign-on: the organisation's identity provider vouched for them


REQUIRED_STRENGTH = {
    Requirement.TWO_FACTOR: LoginStrength.TWO_FACTOR,
    Requirement.SSO: LoginStrength.SSO,
}

UNMET_MESSAGES = {
    Requirement.TWO_FACTOR: _(
        "This programme asks its contributors to log in with two-factor log-in (a code from "
        "an authenticator app, or single sign-on). You logged in with a password only, so you "
        "read along as an observer. Set up two-factor log-in under Your settings, then log "
        "in again."
    ),
    Requirement.SSO: _(
        "This programme asks its contributors to log in with single sign-on through their "
        "organisation's identity provider. You logged in another way, so you read along as "
        "an observer. Log out and log in again with your organisation's account."
    ),
}


class Action(StrEnum):
    VIEW = "view"  # read documents, their history, versions and diffs; search
    DISCUSS = "discuss"  # comment on documents
    WATCH = "watch"  # follow documents and receive notifications
    PRESENCE = "presence"  # see who else has a document open (and be seen there)
    EDIT = "edit"  # create, edit, revert, rename and move documents
    DELETE = "delete"  # soft-delete a document
    RESTORE = "restore"  # bring a deleted document back
    SIGN_OFF = "sign_off"  # sign off a document on behalf of one's organisation
    MANAGE_MEMBERS = "manage_members"  # admit, promote, demote, remove organisations
    MANAGE_TIMEBOXES = "manage_timeboxes"  # create, extend, close and reopen timeboxes
    MANAGE_PROGRAMME = "manage_programme"  # settings, glossary word lists, portal page


REQUIRED_LEVEL: dict[Action, Level] = {
    Action.VIEW: Level.READER,
    Action.DISCUSS: Level.OBSERVER,
    Action.WATCH: Level.READER,
    Action.PRESENCE: Level.READER,
    Action.EDIT: Level.CONTRIBUTOR,
    Action.DELETE: Level.CONTRIBUTOR,
    Action.RESTORE: Level.LEAD,
    Action.SIGN_OFF: Level.CONTRIBUTOR,
    Action.MANAGE_MEMBERS: Level.LEAD,
    Action.MANAGE_TIMEBOXES: Level.LEAD,
    Action.MANAGE_PROGRAMME: Level.LEAD,
}

DENIED_MESSAGES = {
    Action.VIEW: _("You may not read this programme."),
    Action.DISCUSS: _("Only members of this programme may take part in the discussion."),
    Action.WATCH: _("Log in to watch documents."),
    Action.PRESENCE: _("Log in to see who else is reading or editing."),
    Action.EDIT: _("Only contributing organisations may change documents in this programme."),
    Action.DELETE: _("Only contributing organisations may delete documents in this programme."),
    Action.RESTORE: _("Only the programme's leads may restore deleted documents."),
    Action.SIGN_OFF: _("Only contributing organisations may sign off documents."),
    Action.MANAGE_MEMBERS: _("Only the programme's leads may manage its members."),
    Action.MANAGE_TIMEBOXES: _("Only the programme's leads may manage its timeboxes."),
    Action.MANAGE_PROGRAMME: _("Only the programme's leads may change the programme."),
}


# Actions of apps above participation, registered in their `AppConfig.ready()`
# (`action_register`): the level each needs and the message a refusal shows.
_registered_levels: dict[str, Level] = {}
_registered_messages: dict[str, object] = {}


def action_register(action: str, *, level: Level, denied) -> str:
    """Make an app's own action known to `can` and `check`, with the level it needs and the
    (lazy, translated) message a refusal shows. Registering it again replaces it."""
    if action in REQUIRED_LEVEL:
        raise ValueError(f"{action!r} is one of participation's own actions")
    _registered_levels[action] = level
    _registered_messages[action] = denied
    return action


def required_level(action: str) -> Level:
    """The level an action needs, participation's own or a registered one."""
    if action in REQUIRED_LEVEL:
        return REQUIRED_LEVEL[action]
    return _registered_levels[action]


# Actions only a logged-in person takes: watching (notifications need an address) and presence
# (a name to show; anonymous readers of an open programme are neither shown nor shown others).
LOGGED_IN_ONLY = frozenset({Action.WATCH, Action.PRESENCE})


def level_of(user, programme: Programme) -> Level:
    """The person's level in the programme, memoised on the user object for one request."""
    levels = _memoised_levels(user)
    if programme.pk not in levels:
        levels[programme.pk] = _compute_level(user, programme)
    return levels[programme.pk]


def _memoised_levels(user) -> dict[int, Level]:
    """The levels worked out for the person in this request (see `forget`); for nobody, a
    dictionary that is not kept."""
    return _memo(user, "_stip_levels") if user is not None else {}


def _memo(user, name: str) -> dict:
    """A dictionary kept on the user object for the request, by attribute: request.user (a lazy
    object) and the person it wraps share it."""
    memo = getattr(user, name, None)
    if memo is None:
        memo = {}
        setattr(user, name, memo)
    return memo


def _floor(programme: Programme) -> Level:
    """What anyone has in the programme without a membership: reading, when it is open."""
    return Level.READER if programme.is_open else Level.NONE


def _compute_level(user, programme: Programme) -> Level:
    authenticated = user is not None and user.is_authenticated and user.is_active
    floor = _floor(programme)
    if not authenticated:
        return floor
    if user.is_superuser:
        return Level.LEAD
    if _lead_roles(user).filter(programme=programme).exists():
        return _held_to_requirement(user, programme, Level.LEAD)
    levels = set(_memberships(user).filter(programme=programme).values_list("level", flat=True))
    level = _member_level(
        floor,
        contributor=Membership.MemberLevel.CONTRIBUTOR in levels,
        observer=Membership.MemberLevel.OBSERVER in levels,
    )
    return _held_to_requirement(user, programme, level)


def login_strength(user) -> LoginStrength:
    """How the person logged in. In a browser session that is what the session's log-in used
    (`participation.middleware.LoginMethodMiddleware` puts it on the user). Without a session
    (an API token) it is what the account can do: an authenticator app or a linked single
    sign-on account count as two-factor; single sign-on itself cannot be proved without one."""
    known = getattr(user, "_stip_login_strength", None)
    if known is None:
        known = _login_strength(user)
        user._stip_login_strength = known
    return known


def _login_strength(user) -> LoginStrength:
    methods = getattr(user, "stip_login_methods", None)
    if methods is not None:
        if "socialaccount" in methods:
            return LoginStrength.SSO
        if "mfa" in methods:
            return LoginStrength.TWO_FACTOR
        return LoginStrength.PASSWORD
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    if (
        Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        or SocialAccount.objects.filter(user=user).exists()
    ):
        return LoginStrength.TWO_FACTOR
    return LoginStrength.PASSWORD


def _requirement_of(programme: Programme) -> str:
    if hasattr(programme, "stip_login_requirement"):
        return programme.stip_login_requirement or ""
    return (
        ProgrammeSettings.objects.filter(programme=programme)
        .values_list("login_requirement", flat=True)
        .first()
        or ""
    )


def _held_to_requirement(user, programme: Programme, level: Level) -> Level:
    """Contributors and leads who did not log in as the programme asks read as observers; the
    reason is kept for `login_requirement_unmet`."""
    unmet = _memo(user, "_stip_unmet")
    unmet.pop(programme.pk, None)
    if level <= Level.OBSERVER or login_strength(user) == LoginStrength.SSO:
        return level
    requirement = _requirement_of(programme)
    if requirement and login_strength(user) < REQUIRED_STRENGTH[requirement]:
        unmet[programme.pk] = requirement
        return Level.OBSERVER
    return level


def login_requirement_unmet(user, programme: Programme) -> str:
    """Why the person reads as an observer in the programme although their organisation (or
    their lead role) would let them contribute: the programme's log-in requirement, in words.
    Empty when nothing holds them back."""
    if user is None or not user.is_authenticated:
        return ""
    level_of(user, programme)
    requirement = _memo(user, "_stip_unmet").get(programme.pk)
    return str(UNMET_MESSAGES[requirement]) if requirement else ""


def requirement_is_met(user, requirement: str) -> bool:
    """Whether the person's current log-in meets a requirement (before a lead sets it)."""
    if not requirement or user.is_superuser:
        return True
    return login_strength(user) >= REQUIRED_STRENGTH[requirement]


def _lead_roles(user) -> QuerySet[ProgrammeRole]:
    return ProgrammeRole.objects.filter(user=user, role=ProgrammeRole.Role.LEAD)


def _memberships(user) -> QuerySet[Membership]:
    """The memberships that count for the person: those of their organisations."""
    return Membership.objects.filter(organisation__affiliations__user=user)


def _member_level(floor: Level, *, contributor: bool, observer: bool) -> Level:
    if contributor:
        return Level.CONTRIBUTOR
    if observer:
        return Level.OBSERVER
    return floor


def _programme_with_level_query(slug, user_id) -> QuerySet[Programme]:
    return Programme.objects.filter(slug=slug).annotate(
        stip_login_requirement=Subquery(
            ProgrammeSettings.objects.filter(programme=OuterRef("pk")).values("login_requirement")[
                :1
            ]
        ),
        stip_lead=Exists(_lead_roles(user_id).filter(programme=OuterRef("pk"))),
        stip_contributor=Exists(
            _memberships(user_id).filter(
                programme=OuterRef("pk"), level=Membership.MemberLevel.CONTRIBUTOR
            )
        ),
        stip_observer=Exists(
            _memberships(user_id).filter(
                programme=OuterRef("pk"), level=Membership.MemberLevel.OBSERVER
            )
        ),
    )


# Every page of a programme starts with one of these: built once (participation.prepared).
_programme_by_slug = PreparedQuery(lambda slug: Programme.objects.filter(slug=slug), kinds=(str,))
_programme_with_level_by_slug = PreparedQuery(_programme_with_level_query, kinds=(str, int))


def _one(programmes: list[Programme]) -> Programme:
    if not programmes:
        raise Programme.DoesNotExist("No programme with this slug.")
    return programmes[0]


def programme_with_level(user, slug: str) -> Programme:
    """The programme with this slug (Programme.DoesNotExist when there is none), with the
    person's level in it worked out in the same query and memoised as level_of does: one query
    where loading the programme and then asking level_of takes three."""
    authenticated = user is not None and user.is_authenticated and user.is_active
    if not authenticated or user.is_superuser:
        return _one(_programme_by_slug.all(slug))  # level_of needs no query for them
    programme = _one(_programme_with_level_by_slug.all(slug, user.pk))
    if programme.stip_lead:
        level = Level.LEAD
    else:
        level = _member_level(
            _floor(programme),
            contributor=programme.stip_contributor,
            observer=programme.stip_observer,
        )
    level = _held_to_requirement(user, programme, level)
    _memoised_levels(user)[programme.pk] = level
    return programme


def forget(user) -> None:
    """Drop what was memoised for the person (levels, `programmes_where`), after a membership
    or role changed within a request."""
    for name in ("_stip_levels", "_stip_programmes_where", "_stip_unmet"):
        if user is not None and hasattr(user, name):
            delattr(user, name)


def can(user, action: Action, programme: Programme) -> bool:
    level = level_of(user, programme)
    if action in LOGGED_IN_ONLY and not (user is not None and user.is_authenticated):
        return False
    return level >= required_level(action)


def check(user, action: Action, programme: Programme) -> None:
    """Raise Http404 when the programme is hidden from the person, PermissionDenied when the
    action is not theirs to take. Return quietly otherwise."""
    if level_of(user, programme) < Level.READER:
        raise Http404(_("No such programme."))
    if not can(user, action, programme):
        denied = DENIED_MESSAGES.get(action) or _registered_messages.get(action)
        raise PermissionDenied(login_requirement_unmet(user, programme) or denied)


def visible_programmes(user) -> QuerySet[Programme]:
    """Programmes the person may read: open ones, and members-only ones they belong to."""
    programmes = Programme.objects.all()
    if user is not None and user.is_authenticated and user.is_superuser:
        return programmes
    condition = Q(visibility=Programme.Visibility.OPEN)
    if user is not None and user.is_authenticated and user.is_active:
        condition |= Q(memberships__organisation__affiliations__user=user) | Q(roles__user=user)
    return programmes.filter(condition).distinct()


def programmes_where(user, action: Action) -> list[int]:
    """Ids of the programmes in which the person may take `action` (for the admin's lists and
    the portal pages' rights); memoised on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    memo = _memo(user, "_stip_programmes_where")
    if action not in memo:
        memo[action] = [
            programme.pk for programme in visible_programmes(user) if can(user, action, programme)
        ]
    return memo[action]


def organisations_confirmable_by(user) -> QuerySet[Organisation]:
    """The organisations for which the person may confirm that someone works there, and so let
    that someone into every programme the organisation takes part in: all of them for a
    superuser; otherwise those whose confirmed contact they are, and those taking part in, or
    asking to join, a programme they lead. A lead of one programme has no say over the people
    of an organisation that has nothing to do with it.

    A new organisation (unconfirmed, named at sign-up) therefore waits for the leads of the
    programme it asks to join; until it asks, only superusers may confirm it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    led = _lead_roles(user).values("programme")
    return Organisation.objects.filter(
        Q(
            pk__in=Affiliation.objects.filter(
                user=user, is_contact=True, organisation__is_confirmed=True
            ).values("organisation")
        )
        | Q(pk__in=Membership.objects.filter(programme__in=led).values("organisation"))
        | Q(
            pk__in=JoinRequest.objects.filter(
                programme__in=led, status=JoinRequest.Status.PENDING
            ).values("organisation")
        )
    )


def may_confirm_affiliation(user, organisation: Organisation) -> bool:
    """Whether the person may confirm (or decline) that someone works for the organisation;
    see `organisations_confirmable_by`, which the lists of requests are filtered through."""
    return organisations_confirmable_by(user).filter(pk=organisation.pk).exists()


def may_ask_for(user, organisation: Organisation) -> bool:
    """Whether the person may ask, on the organisation's behalf, for it to join a programme:
    they work there (confirmed), or they named it as a new organisation at sign-up and wait for
    it to be confirmed (its first request to join is what brings it to a lead)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if organisation.affiliations.filter(user=user).exists():
        return True
    return (
        not organisation.is_confirmed
        and AffiliationRequest.objects.filter(
            user=user, organisation=organisation, status=AffiliationRequest.Status.PENDING
        ).exists()
    )


def organisations_invitable_by(user) -> QuerySet[Organisation]:
    """The organisations a lead may speak for: invite someone on their behalf (accepting makes
    that someone one of its people, as confirming would) or admit them to a programme they
    lead. Those whose people they may confirm (`organisations_confirmable_by`), and confirmed
    ones that nobody works for yet and that take part in no programme but theirs."""
    confirmable = organisations_confirmable_by(user)
    if user is None or not user.is_authenticated or not user.is_active or user.is_superuser:
        return confirmable
    led = _lead_roles(user).values("programme")
    if not led.exists():
        return confirmable
    unclaimed = (
        Organisation.objects.filter(is_confirmed=True)
        .exclude(pk__in=Affiliation.objects.values("organisation"))
        .exclude(pk__in=Membership.objects.exclude(programme__in=led).values("organisation"))
    )
    return Organisation.objects.filter(
        Q(pk__in=confirmable.values("pk")) | Q(pk__in=unclaimed.values("pk"))
    )


def may_invite_for(user, organisation: Organisation) -> bool:
    return organisations_invitable_by(user).filter(pk=organisation.pk).exists()


def may_admit(user, programme: Programme, organisation: Organisation) -> bool:
    """Whether the person may admit the organisation to the programme directly (not by deciding
    its request): a lead of the programme, for an organisation that asked to join it or that
    they may speak for (`organisations_invitable_by`). An organisation whose people have
    nothing to do with the lead's programmes joins when one of them asks or accepts an
    invitation: otherwise a lead could admit any organisation and then, as lead of a programme
    it takes part in, confirm strangers into all of its programmes."""
    if not can(user, Action.MANAGE_MEMBERS, programme):
        return False
    asked = JoinRequest.objects.filter(
        programme=programme, organisation=organisation, status=JoinRequest.Status.PENDING
    ).exists()
    return asked or may_invite_for(user, organisation)


def may_speak_for(user, programme: Programme, organisation: Organisation) -> bool:
    """Whether the person may answer in the programme on behalf of the organisation: they work
    there, the organisation contributes to the programme, and the person's own level there is
    contributor or higher (an observing organisation, or a person held to observer by the
    programme's log-in requirement, reads and discusses but does not speak for anyone)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if level_of(user, programme) < Level.CONTRIBUTOR:
        return False
    return (
        organisation.affiliations.filter(user=user).exists()
        and Membership.objects.filter(
            programme=programme,
            organisation=organisation,
            level=Membership.MemberLevel.CONTRIBUTOR,
        ).exists()
    )


def may_share_invitation_link(user, programme: Programme, organisation: Organisation) -> bool:
    """Whether the person may make a link that lets anyone who has it take part in the
    programme for the organisation: a lead of the programme who may speak for the
    organisation (`organisations_invitable_by`), as for an invitation by e-mail. Opening the
    link makes the person one of the organisation's people, as the lead's confirmation would."""
    return can(user, Action.MANAGE_MEMBERS, programme) and may_invite_for(user, organisation)


def may_revoke_invitation_link(user, link) -> bool:
    """Any lead of the link's programme may revoke it."""
    return can(user, Action.MANAGE_MEMBERS, link.programme)


def may_manage_identity_domains(user, organisation) -> bool:
    """Whether the person may say by which domain or tenant id identity providers name the
    organisation: a superuser, or a lead of a programme the organisation is a member of."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return organisation.memberships.filter(
        programme_id__in=programmes_where(user, Action.MANAGE_MEMBERS)
    ).exists()


def organisations_with_identity_rights(user) -> QuerySet:
    """The organisations whose identity-provider domains the person may change."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        memberships__programme_id__in=programmes_where(user, Action.MANAGE_MEMBERS)
    ).distinct()


def api_tokens_of(user):
    """The API tokens a person may see and revoke in the site: their own. Every active person
    may have tokens; a token acts with exactly its person's rights, decided here as for the
    site. (Superusers manage everyone's in the Wagtail admin.)"""
    from wagtail.models import APIToken

    if user is None or not user.is_authenticated or not user.is_active:
        return APIToken.objects.none()
    return APIToken.objects.filter(user=user)


def _is_author(user, author_id: int | None) -> bool:
    return bool(
        author_id is not None
        and user is not None
        and user.is_authenticated
        and user.is_active
        and user.pk == author_id
    )


def may_settle_thread(user, programme: Programme, author_id: int | None) -> bool:
    """Whether the person may resolve or reopen a discussion thread: the author of its top
    comment while they may still discuss, or a lead of the programme."""
    if can(user, Action.MANAGE_PROGRAMME, programme):
        return True
    return _is_author(user, author_id) and can(user, Action.DISCUSS, programme)


def may_edit_comment(user, programme: Programme, author_id: int | None) -> bool:
    """Only the author edits a comment (a lead deletes, but never puts words in someone's
    mouth), while they may still discuss in the programme."""
    return _is_author(user, author_id) and can(user, Action.DISCUSS, programme)


def may_delete_comment(user, programme: Programme, author_id: int | None) -> bool:
    """The author (while they may discuss) or a lead of the programme."""
    return may_settle_thread(user, programme, author_id)


def mentionable_people(programme: Programme):
    """The people a comment in the programme may name with `@username` (and so notify, and
    whom the editor suggests): its participants, the active people of its member
    organisations and its leads. Never anyone who may not read the programme; in an open
    programme, whom anyone may read, not every account of the site either: a mention is for
    the people working on it, and the suggestions must not list the site's users."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(affiliations__organisation__memberships__programme=programme)
            | Q(programme_roles__programme=programme)
        )
        .distinct()
    )


def mentionable_organisations(programme: Programme) -> QuerySet[Organisation]:
    """The organisations a comment may name with `@organisation-slug`: the programme's members.
    Naming one reaches its people among `mentionable_people`."""
    return Organisation.objects.filter(memberships__programme=programme).distinct()


def may_see_outgoing_mail(user) -> bool:
    """The mail outbox (every message, its addresses and why one failed) is for superusers: it
    holds mail to people of every programme."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def may_retry_outgoing_mail(user) -> bool:
    """Sending a failed message again is for whoever sees the outbox."""
    return may_see_outgoing_mail(user)
