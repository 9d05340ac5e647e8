"""Every write to programmes, organisations and memberships that carries a business rule.

Each service checks permission through `participation.permissions` first and works inside one
transaction, so the site, the API, the Wagtail admin and management commands cannot disagree.
"""

import logging
import secrets
from datetime import timedelta
from enum import StrEnum

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import notifications, permissions
from .events import PREFERENCES, event_kinds
from .mail import mail_deliver, mail_queue, mail_send
from .models import (
    Affiliation,
    AffiliationRequest,
    Event,
    IdentityDomain,
    Invitation,
    InvitationLink,
    JoinRequest,
    Membership,
    MembershipChange,
    Notification,
    Organisation,
    Profile,
    Programme,
    ProgrammeRole,
    ProgrammeSettings,
)
from .permissions import Action
from .selectors import affiliation_confirmers
from .text import one_line

logger = logging.getLogger("stip.participation")


def _validate_level(level: str) -> None:
    if level not in Membership.MemberLevel.values:
        raise ValidationError(
            {
                "level": _("Choose a level: %(levels)s.")
                % {"levels": ", ".join(Membership.MemberLevel.values)}
            }
        )


@transaction.atomic
def membership_add(
    *, programme: Programme, organisation: Organisation, level: str, by, reason: str = ""
) -> Membership:
    """Admit an organisation to a programme at a level. Leads only, and only an organisation
    that `permissions.may_admit` (one that asked to join, or that the lead may speak for)."""
    permissions.check(by, Action.MANAGE_MEMBERS, programme)
    _validate_level(level)
    if Membership.objects.filter(programme=programme, organisation=organisation).exists():
        raise ValidationError(
            {
                "organisation": _("%(organisation)s is already a member of this programme.")
                % {"organisation": organisation.name}
            }
        )
    if not permissions.may_admit(by, programme, organisation):
        raise ValidationError(
            {
                "organisation": _(
                    "People work for %(organisation)s already: it joins when one of them asks "
                    "to take part, or accepts an invitation."
                )
                % {"organisation": organisation.name}
            }
        )
    membership = _membership_apply(
        programme=programme, organisation=organisation, level=level, by=by, reason=reason
    )
    permissions.forget(by)
    return membership


@transaction.atomic
def membership_set_level(*, membership: Membership, level: str, by, reason: str = "") -> Membership:
    """Promote an observer to contributor or the other way round. Leads only.

    Locks the membership row, so two leads changing it at once are serialised."""
    permissions.check(by, Action.MANAGE_MEMBERS, membership.programme)
    _validate_level(level)
    current = _membership_apply(
        programme=membership.programme,
        organisation=membership.organisation,
        level=level,
        by=by,
        reason=reason,
    )
    permissions.forget(by)
    return current


@transaction.atomic
def membership_remove(*, membership: Membership, by, reason: str = "") -> None:
    """End an organisation's membership of a programme. Its people keep their accounts and
    everything they wrote; they only lose the membership's level. Leads only."""
    permissions.check(by, Action.MANAGE_MEMBERS, membership.programme)
    _membership_apply(
        programme=membership.programme,
        organisation=membership.organisation,
        level="",
        by=by,
        reason=reason,
    )
    permissions.forget(by)


def _membership_apply(
    *,
    programme: Programme,
    organisation: Organisation,
    level: str,
    by,
    reason: str,
    join_request: JoinRequest | None = None,
) -> Membership | None:
    """Set an organisation's level in a programme ("" removes it), record the change (who, when,
    from, to, why) and tell the organisation's people. No permission check: callers decide.

    Locking: the membership row is locked (`select_for_update`) before it is compared."""
    current = (
        Membership.objects.select_for_update()
        .filter(programme=programme, organisation=organisation)
        .first()
    )
    from_level = current.level if current is not None else ""
    if from_level == level:
        return current
    if not level:
        current.delete()
        current = None
    elif current is None:
        current = Membership.objects.create(
            programme=programme, organisation=organisation, level=level
        )
    else:
        current.level = level
        current.save(update_fields=["level"])
    actor = by if by is not None and by.is_authenticated else None
    MembershipChange.objects.create(
        programme=programme,
        organisation=organisation,
        from_level=from_level,
        to_level=level,
        changed_by=actor,
        reason=reason,
        join_request=join_request,
    )
    if join_request is None:
        notifications.event_record(
            programme=programme,
            kind=Event.Kind.LEVEL_CHANGED,
            actor=actor,
            summary=_level_change_text(organisation, from_level, level, reason),
            recipients=organisation.affiliations.values_list("user_id", flat=True),
        )
    for affiliation in organisation.affiliations.all():
        permissions.forget(affiliation.user)
    return current


def _level_label(level: str) -> str:
    if not level:
        return _("not a member")
    return str(Membership.MemberLevel(level).label)


def _level_change_text(organisation: Organisation, from_level: str, to_level: str, reason: str):
    text = _("%(organisation)s: %(from)s → %(to)s.") % {
        "organisation": organisation.name,
        "from": _level_label(from_level),
        "to": _level_label(to_level),
    }
    if reason:
        text += " " + reason
    return text


LEADS_GROUP = "Programme leads"


def leads_group() -> Group:
    """The group every programme lead is in: it opens the Wagtail admin (`access_admin`), where
    the permission module then limits a lead to their own programmes, and lets leads make and
    revoke their own API tokens there."""
    group, _created = Group.objects.get_or_create(name=LEADS_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            Q(content_type__app_label="wagtailadmin", codename="access_admin")
            | Q(
                content_type__app_label="wagtailcore",
                codename__in=["add_apitoken", "delete_apitoken"],
            )
        )
    )
    return group


@transaction.atomic
def lead_appoint(*, programme: Programme, user, by) -> ProgrammeRole:
    """Give a person the lead role in a programme, and with it the Wagtail admin. Leads only.
    Appointing someone who already leads the programme changes nothing."""
    permissions.check(by, Action.MANAGE_MEMBERS, programme)
    role, _created = ProgrammeRole.objects.get_or_create(
        programme=programme, user=user, role=ProgrammeRole.Role.LEAD
    )
    leads_group().user_set.add(user)
    permissions.forget(user)
    permissions.forget(by)
    return role


@transaction.atomic
def lead_remove(*, role: ProgrammeRole, by) -> None:
    """Take the lead role away. A programme keeps at least one lead; the person leaves the
    leads group when they lead no programme any more. Leads only.

    Locks the programme's lead roles, so two leads removing each other at once cannot leave
    the programme without a lead."""
    permissions.check(by, Action.MANAGE_MEMBERS, role.programme)
    leads = list(
        ProgrammeRole.objects.select_for_update()
        .filter(programme=role.programme, role=ProgrammeRole.Role.LEAD)
        .values_list("pk", flat=True)
    )
    if role.pk in leads and len(leads) == 1:
        raise ValidationError(
            {"user": _("A programme needs a lead: appoint another lead before removing this one.")}
        )
    user = role.user
    ProgrammeRole.objects.filter(pk=role.pk).delete()
    if not ProgrammeRole.objects.filter(user=user, role=ProgrammeRole.Role.LEAD).exists():
        leads_group().user_set.remove(user)
    permissions.forget(user)
    permissions.forget(by)


# --- Sign-up and affiliation ---


class JoiningError(Exception):
    """A joining step the rules refuse; `message` is for the person who tried it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _enqueue_or_run(task_name: str, *args) -> None:
    """After commit: hand the work to Celery (the task by its name: tasks call services, so
    services do not import them); when the broker is unreachable, do it here."""
    task = current_app.tasks[task_name]
    try:
        task.apply_async(args, retry=False)
    except Exception:
        if task.app.conf.task_always_eager:
            raise
        logger.warning("Broker unreachable; running %s in the request", task.name)
        task.run(*args)


@transaction.atomic
def signup(
    *,
    name: str,
    email: str,
    password: str,
    organisation: Organisation | None = None,
    new_organisation_name: str = "",
    new_organisation_kind: str = Organisation.Kind.OTHER,
    language: str = "",
):
    """Create an inactive account and send the confirmation link. The person names an existing
    organisation (its contact or a lead confirms them) or a new one (created unconfirmed; a lead
    confirms both). The e-mail address is the user name."""
    _address_free(email)
    new_organisation_name = one_line(new_organisation_name)
    if organisation is None and not new_organisation_name:
        raise ValidationError({"organisation": _("Choose your organisation, or name a new one.")})
    user = _account_create(
        name=name, email=email, password=password, language=language, active=False
    )
    created = False
    if organisation is None:
        organisation_name = new_organisation_name
        existing = Organisation.objects.filter(name__iexact=organisation_name).first()
        if existing is not None:
            organisation = existing
        else:
            organisation = Organisation.objects.create(
                name=organisation_name,
                slug=_unique_organisation_slug(organisation_name),
                kind=new_organisation_kind,
                is_confirmed=False,
            )
            created = True
    AffiliationRequest.objects.create(
        user=user, organisation=organisation, new_organisation=created
    )
    transaction.on_commit(
        lambda: _enqueue_or_run("participation.signup_confirmation_send", user.pk)
    )
    return user


def _address_free(email: str) -> str:
    """The address, normalised, if no account has it as name or address yet."""
    User = get_user_model()
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
        raise ValidationError(
            {"email": _("There is already an account with this e-mail address; log in instead.")}
        )
    return email


def _account_create(*, name: str, email: str, password: str, language: str, active: bool):
    """A password account whose user name is its e-mail address."""
    User = get_user_model()
    email = _address_free(email)
    first_name, _space, last_name = one_line(name).partition(" ")
    user = User(
        username=email, email=email, first_name=first_name, last_name=last_name, is_active=active
    )
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    Profile.objects.create(user=user, language=language or settings.LANGUAGE_CODE)
    return user


def _unique_organisation_slug(name: str) -> str:
    base = slugify(name)[:190] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def signup_confirmation_send(*, user) -> None:
    """Send the link that confirms `user`'s address, unless it is confirmed already (the task
    may run twice). Whoever signed up through an invitation link is active at once and gets
    it too."""
    from .emails import signup_confirmation_message

    if user.is_active and notifications.profile_of(user).email_confirmed_at is not None:
        return

    mail_send([signup_confirmation_message(user)], kind="signup")


@transaction.atomic
def signup_confirm(*, token: str):
    """Activate the account the link was made for. Raises JoiningError for a bad or expired
    link; a second use of a good link just returns the (already active) person."""
    from .emails import signup_read

    try:
        user_id, email = signup_read(token)
    except signing.SignatureExpired:
        raise JoiningError(_("This confirmation link has expired. Sign up again.")) from None
    except signing.BadSignature:
        raise JoiningError(_("This confirmation link is not valid.")) from None
    user = get_user_model().objects.select_for_update().filter(pk=user_id, email=email).first()
    if user is None:
        raise JoiningError(_("This confirmation link is not valid."))
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    profile = notifications.profile_of(user)
    if profile.email_confirmed_at is None:
        profile.email_confirmed_at = timezone.now()
        profile.save(update_fields=["email_confirmed_at"])
    from allauth.account.models import EmailAddress

    # allauth knows the address is confirmed too: single sign-on may join this account.
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    for pk in AffiliationRequest.objects.filter(
        user=user, status=AffiliationRequest.Status.PENDING, announced_at__isnull=True
    ).values_list("pk", flat=True):
        transaction.on_commit(
            lambda pk=pk: _enqueue_or_run("participation.affiliation_request_announce", pk)
        )
    return user


def affiliation_request_announce(*, request_id: int) -> int:
    """E-mail the people who may confirm a pending affiliation request, once: the row is locked
    and marked in the transaction that queues the messages, which are sent after it commits.
    Returns the number of messages."""
    from .emails import affiliation_request_message

    with transaction.atomic():
        request = (
            AffiliationRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                pk=request_id,
                status=AffiliationRequest.Status.PENDING,
                announced_at__isnull=True,
                user__is_active=True,
            )
            .select_related("user", "organisation")
            .first()
        )
        if request is None:
            return 0
        messages = [
            affiliation_request_message(request, to=person)
            for person in affiliation_confirmers(request.organisation)
            if person.email and person.pk != request.user_id
        ]
        queued = [mail_queue(message, kind="affiliation-request").pk for message in messages]
        request.announced_at = timezone.now()
        request.save(update_fields=["announced_at"])
    if queued:
        mail_deliver(ids=queued)
    return len(messages)


@transaction.atomic
def affiliation_decide(*, request: AffiliationRequest, by, confirm: bool) -> AffiliationRequest:
    """Confirm (or decline) that a person works for an organisation; confirming a new
    organisation's first request confirms the organisation too. Its contact, or a lead of a
    programme the organisation takes part in or asks to join (`permissions`)."""
    if not permissions.may_confirm_affiliation(by, request.organisation):
        raise PermissionDenied(
            _(
                "Only the organisation's contact, or a lead of a programme it takes part in or "
                "asks to join, may confirm this."
            )
        )
    current = AffiliationRequest.objects.select_for_update().get(pk=request.pk)
    if current.status != AffiliationRequest.Status.PENDING:
        raise JoiningError(_("This request has already been decided."))
    current.status = (
        AffiliationRequest.Status.CONFIRMED if confirm else AffiliationRequest.Status.DECLINED
    )
    current.decided_by = by
    current.decided_at = timezone.now()
    current.save(update_fields=["status", "decided_by", "decided_at"])
    if confirm:
        organisation = current.organisation
        first = not organisation.affiliations.exists()
        Affiliation.objects.get_or_create(
            user=current.user, organisation=organisation, defaults={"is_contact": first}
        )
        if not organisation.is_confirmed:
            organisation.is_confirmed = True
            organisation.save(update_fields=["is_confirmed"])
        permissions.forget(current.user)
    return current


# --- Join requests ---


def admits_observers(programme: Programme) -> bool:
    return ProgrammeSettings.objects.filter(programme=programme, admit_observers=True).exists()


@transaction.atomic
def join_request_create(
    *, programme: Programme, organisation: Organisation, by, motivation: str, level: str = ""
) -> JoinRequest:
    """Ask for an organisation to join as observer, or (a member already) to become contributor.
    A programme that admits observers at once makes them observers without a decision.
    Anyone who may read the programme and works for the organisation may ask; so may the person
    who named a new organisation at sign-up, for it: the programme's leads then confirm it, and
    its request always waits for their decision."""
    permissions.check(by, Action.VIEW, programme)
    if not permissions.may_ask_for(by, organisation):
        raise PermissionDenied(_("You may only ask on behalf of your own organisation."))
    motivation = motivation.strip()
    if not motivation:
        raise ValidationError({"motivation": _("Say in a few words why you want to join.")})
    current = Membership.objects.filter(programme=programme, organisation=organisation).first()
    if not level:
        level = (
            Membership.MemberLevel.CONTRIBUTOR
            if current is not None
            else Membership.MemberLevel.OBSERVER
        )
    _validate_level(level)
    if current is not None and (
        current.level == level or current.level == Membership.MemberLevel.CONTRIBUTOR
    ):
        raise JoiningError(
            _("%(organisation)s already takes part as %(level)s.")
            % {"organisation": organisation.name, "level": current.get_level_display()}
        )
    if current is None and level == Membership.MemberLevel.CONTRIBUTOR:
        raise JoiningError(_("Join as observer first; then ask to become contributor."))
    if JoinRequest.objects.filter(
        programme=programme, organisation=organisation, status=JoinRequest.Status.PENDING
    ).exists():
        raise JoiningError(
            _("%(organisation)s already has a request waiting for a decision.")
            % {"organisation": organisation.name}
        )
    join_request = JoinRequest.objects.create(
        programme=programme,
        organisation=organisation,
        level=level,
        motivation=motivation,
        requested_by=by,
    )
    if (
        level == Membership.MemberLevel.OBSERVER
        and organisation.is_confirmed
        and admits_observers(programme)
    ):
        join_request.status = JoinRequest.Status.APPROVED
        join_request.decided_at = timezone.now()
        join_request.reason = _("This programme admits observers at once.")
        join_request.save(update_fields=["status", "decided_at", "reason"])
        _membership_apply(
            programme=programme,
            organisation=organisation,
            level=level,
            by=by,
            reason=join_request.reason,
            join_request=join_request,
        )
        return join_request
    notifications.event_record(
        programme=programme,
        kind=Event.Kind.JOIN_REQUESTED,
        actor=by,
        summary=f"{organisation.name}: {motivation}",
        join_request=join_request,
        recipients=notifications.leads_of(programme),
    )
    return join_request


@transaction.atomic
def join_request_decide(
    *, join_request: JoinRequest, by, approve: bool, reason: str = ""
) -> JoinRequest:
    """Approve or decline a pending request; the requester is told either way. Declining needs
    a reason. Leads only.

    Locking: the request row is locked, so two leads deciding at once cannot both decide."""
    permissions.check(by, Action.MANAGE_MEMBERS, join_request.programme)
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Give a reason when you decline a request.")})
    current = (
        JoinRequest.objects.select_for_update()
        .select_related("programme", "organisation")
        .get(pk=join_request.pk)
    )
    if current.status != JoinRequest.Status.PENDING:
        raise JoiningError(_("This request has already been decided."))
    current.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    current.decided_by = by
    current.decided_at = timezone.now()
    current.reason = reason
    current.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    if approve:
        _membership_apply(
            programme=current.programme,
            organisation=current.organisation,
            level=current.level,
            by=by,
            reason=reason or current.motivation,
            join_request=current,
        )
        _confirm_new_organisation(current, by=by)
    told = set(current.organisation.affiliations.values_list("user_id", flat=True))
    if current.requested_by_id:
        told.add(current.requested_by_id)
    notifications.event_record(
        programme=current.programme,
        kind=Event.Kind.JOIN_APPROVED if approve else Event.Kind.JOIN_DECLINED,
        actor=by,
        summary=_level_request_text(current),
        join_request=current,
        recipients=told,
    )
    permissions.forget(by)
    return current


def _confirm_new_organisation(join_request: JoinRequest, *, by) -> None:
    """Approving a new organisation's request confirms the organisation, and that the person
    who asked works there: that is what the lead decided on."""
    if join_request.organisation.is_confirmed or join_request.requested_by_id is None:
        return
    pending = AffiliationRequest.objects.filter(
        user_id=join_request.requested_by_id,
        organisation=join_request.organisation,
        status=AffiliationRequest.Status.PENDING,
    ).first()
    if pending is not None:
        affiliation_decide(request=pending, by=by, confirm=True)


def _level_request_text(join_request: JoinRequest) -> str:
    text = _("%(organisation)s as %(level)s.") % {
        "organisation": join_request.organisation.name,
        "level": join_request.get_level_display(),
    }
    if join_request.reason:
        text += " " + join_request.reason
    return text


# --- Invitations ---


@transaction.atomic
def invitation_create(
    *,
    programme: Programme,
    email: str,
    by,
    level: str = Membership.MemberLevel.OBSERVER,
    organisation: Organisation | None = None,
    message: str = "",
) -> Invitation:
    """Invite a person (and with them an organisation) by e-mail. The link works once and
    expires after STIP_INVITATION_DAYS. Leads only."""
    permissions.check(by, Action.MANAGE_MEMBERS, programme)
    _validate_level(level)
    if organisation is not None and not permissions.may_invite_for(by, organisation):
        raise ValidationError(
            {
                "organisation": _(
                    "People work for %(organisation)s already: invite one of them without naming "
                    "the organisation, and they take part for it when they accept."
                )
                % {"organisation": organisation.name}
            }
        )
    days = getattr(settings, "STIP_INVITATION_DAYS", 14)
    invitation = Invitation.objects.create(
        programme=programme,
        email=email.strip().lower(),
        organisation=organisation,
        level=level,
        message=message.strip(),
        token=secrets.token_urlsafe(32),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    invitee = get_user_model().objects.filter(email__iexact=invitation.email).first()
    if invitee is not None:
        notifications.event_record(
            programme=programme,
            kind=Event.Kind.INVITED,
            actor=by,
            summary=invitation.message,
            recipients=[invitee.pk],
        )
    transaction.on_commit(lambda: _enqueue_or_run("participation.invitation_send", invitation.pk))
    return invitation


def invitation_send(*, invitation: Invitation) -> None:
    from .emails import invitation_message

    mail_send([invitation_message(invitation)], kind="invitation")


def invitation_usable(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("programme", "organisation").filter(token=token).first()
    )
    if invitation is None:
        raise JoiningError(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise JoiningError(_("This invitation has already been used."))
    if invitation.expires_at <= timezone.now():
        raise JoiningError(
            _("This invitation has expired. Ask the programme's lead for a new one.")
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user, organisation: Organisation | None = None) -> Invitation:
    """Use an invitation: the invited organisation (or one of the person's own) takes part at
    the invited level (an organisation already higher keeps its level). Works once.

    Locking: the invitation row is locked, so the link cannot be used twice at once."""
    found = invitation_usable(token)
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    if invitation.accepted_at is not None:
        raise JoiningError(_("This invitation has already been used."))
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in or sign up to accept the invitation."))
    if invitation.organisation is not None:
        organisation = invitation.organisation
        Affiliation.objects.get_or_create(user=user, organisation=organisation)
    elif organisation is None or not organisation.affiliations.filter(user=user).exists():
        raise ValidationError({"organisation": _("Choose the organisation you take part for.")})
    current = Membership.objects.filter(
        programme=invitation.programme, organisation=organisation
    ).first()
    if current is None or (
        current.level == Membership.MemberLevel.OBSERVER
        and invitation.level == Membership.MemberLevel.CONTRIBUTOR
    ):
        _membership_apply(
            programme=invitation.programme,
            organisation=organisation,
            level=invitation.level,
            by=invitation.invited_by,
            reason=_("Invited by e-mail (%(email)s).") % {"email": invitation.email},
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    permissions.forget(user)
    return invitation


@transaction.atomic
def invitation_signup(*, token: str, name: str, password: str, language: str = ""):
    """Sign up from an invitation by e-mail that names the organisation, and accept it at once:
    the account gets the invited address, confirmed (the link came to that mailbox), so the
    person takes part without a confirmation mail or a wait."""
    from allauth.account.models import EmailAddress

    invitation = invitation_usable(token)
    if invitation.organisation is None:
        raise JoiningError(_("Sign up first, naming your organisation, then open this link again."))
    user = _account_create(
        name=name, email=invitation.email, password=password, language=language, active=True
    )
    profile = notifications.profile_of(user)
    profile.email_confirmed_at = timezone.now()
    profile.save(update_fields=["email_confirmed_at"])
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    invitation_accept(token=token, user=user)
    return user


# --- Invitation links: joining in one step ---


@transaction.atomic
def invitation_link_create(
    *,
    programme: Programme,
    by,
    level: str = Membership.MemberLevel.OBSERVER,
    organisation: Organisation | None = None,
    new_organisation_name: str = "",
    new_organisation_kind: str = Organisation.Kind.SCHOOL,
    days: int | None = None,
) -> InvitationLink:
    """A link that lets whoever opens it take part in the programme for the organisation at the
    level, in one step (`invitation_link_accept`). A lead who may speak for the organisation
    (`permissions.may_share_invitation_link`); a new organisation named here is created,
    confirmed by the lead who names it. The link expires after `days` (STIP_INVITATION_DAYS)."""
    permissions.check(by, Action.MANAGE_MEMBERS, programme)
    _validate_level(level)
    days = getattr(settings, "STIP_INVITATION_DAYS", 14) if days is None else days
    if not 1 <= days <= 90:
        raise ValidationError({"days": _("A link is valid for 1 to 90 days.")})
    if organisation is None:
        name = one_line(new_organisation_name)
        if not name:
            raise ValidationError(
                {"organisation": _("Choose the organisation, or name a new one.")}
            )
        organisation = Organisation.objects.filter(name__iexact=name).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=name,
                slug=_unique_organisation_slug(name),
                kind=new_organisation_kind
                if new_organisation_kind in Organisation.Kind.values
                else Organisation.Kind.OTHER,
                is_confirmed=True,
            )
    if not permissions.may_share_invitation_link(by, programme, organisation):
        raise ValidationError(
            {
                "organisation": _(
                    "People work for %(organisation)s already, and you do not speak for it: "
                    "ask one of them to ask to join, or invite one of them by e-mail."
                )
                % {"organisation": organisation.name}
            }
        )
    return InvitationLink.objects.create(
        programme=programme,
        organisation=organisation,
        level=level,
        token=secrets.token_urlsafe(32),
        created_by=by,
        expires_at=timezone.now() + timedelta(days=days),
    )


@transaction.atomic
def invitation_link_revoke(*, link: InvitationLink, by) -> InvitationLink:
    """From now on the link lets nobody in; who used it keeps taking part."""
    if not permissions.may_revoke_invitation_link(by, link):
        raise PermissionDenied(_("Only a lead of the programme may withdraw its links."))
    link = InvitationLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = by
        link.save(update_fields=["revoked_at", "revoked_by"])
    return link


def invitation_link_usable(token: str) -> InvitationLink:
    link = (
        InvitationLink.objects.select_related("programme", "organisation", "created_by")
        .filter(token=token)
        .first()
    )
    if link is None:
        raise JoiningError(_("This invitation link is not valid."))
    lead = link.created_by
    who = (lead.get_full_name() or lead.get_username()) if lead else _("the programme's lead")
    if link.revoked_at is not None:
        raise JoiningError(
            _("This invitation link has been withdrawn. Ask %(lead)s for a new one.")
            % {"lead": who}
        )
    if link.expires_at <= timezone.now():
        raise JoiningError(
            _("This invitation link has expired. Ask %(lead)s for a new one.") % {"lead": who}
        )
    return link


@transaction.atomic
def invitation_link_accept(*, token: str, user) -> InvitationLink:
    """Take part through the link: the person is one of the organisation's people (the lead who
    made the link vouched for whoever has it; a pending request to be confirmed there is
    settled), and the organisation takes part at the link's level (one already higher keeps
    its level).

    Locking: the link row is locked, so a lead who revokes it meanwhile wins or waits."""
    found = invitation_link_usable(token)
    link = InvitationLink.objects.select_for_update().get(pk=found.pk)
    if not link.is_usable:
        invitation_link_usable(token)  # raises, with the reason
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Log in or sign up to accept the invitation."))
    organisation = link.organisation
    Affiliation.objects.get_or_create(user=user, organisation=organisation)
    AffiliationRequest.objects.filter(
        user=user, organisation=organisation, status=AffiliationRequest.Status.PENDING
    ).update(
        status=AffiliationRequest.Status.CONFIRMED,
        decided_by=link.created_by,
        decided_at=timezone.now(),
    )
    current = Membership.objects.filter(programme=link.programme, organisation=organisation).first()
    if current is None or (
        current.level == Membership.MemberLevel.OBSERVER
        and link.level == Membership.MemberLevel.CONTRIBUTOR
    ):
        _membership_apply(
            programme=link.programme,
            organisation=organisation,
            level=link.level,
            by=link.created_by,
            reason=_("Joined through an invitation link (%(person)s).")
            % {"person": user.get_full_name() or user.get_username()},
        )
    InvitationLink.objects.filter(pk=link.pk).update(uses=F("uses") + 1)
    permissions.forget(user)
    return link


@transaction.atomic
def invitation_link_signup(*, token: str, name: str, email: str, password: str, language: str = ""):
    """Sign up through an invitation link and take part at once: the account is active
    straight away, since the lead vouched for whoever has the link. The address is confirmed
    as after any sign-up (the same e-mail is sent); until then the person's path says so, and
    single sign-on does not join the account."""
    invitation_link_usable(token)
    user = _account_create(
        name=name, email=email, password=password, language=language, active=True
    )
    invitation_link_accept(token=token, user=user)
    transaction.on_commit(
        lambda: _enqueue_or_run("participation.signup_confirmation_send", user.pk)
    )
    return user


# --- Notifications and preferences ---


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the person's notifications read (the given ones, or all)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


PREFERENCE_FIELDS = (
    "language",
    "email_frequency",
    "email_edits",
    "email_comments",
    "email_structure",
    "email_membership",
    "email_timeboxes",
    "auto_watch",
)


@transaction.atomic
def preferences_update(*, user, **values) -> Profile:
    """Change a person's preferences. Notifications still waiting for e-mail follow the new
    choice (a kind turned off is not sent; a new frequency moves them)."""
    profile = Profile.objects.select_for_update().get(pk=notifications.profile_of(user).pk)
    for name, value in values.items():
        if name not in PREFERENCE_FIELDS:
            raise ValueError(name)
        setattr(profile, name, value)
    profile.full_clean(exclude=["user"])
    profile.save()
    waiting = Notification.objects.filter(
        recipient=user,
        email__in=[
            Notification.Email.INSTANT,
            Notification.Email.DAILY,
            Notification.Email.WEEKLY,
        ],
    )
    for preference in PREFERENCES:
        kinds = event_kinds(preference=preference)
        if not getattr(profile, preference) or (
            profile.email_frequency == Profile.EmailFrequency.NEVER
        ):
            waiting.filter(kind__in=kinds).update(email=Notification.Email.NONE)
        else:
            waiting.filter(kind__in=kinds).update(email=profile.email_frequency)
    return profile


def unsubscribe(*, token: str) -> tuple[Profile, str]:
    """Turn off one kind of e-mail from the link in a message, without logging in."""
    from .emails import unsubscribe_read

    try:
        user_id, preference = unsubscribe_read(token)
    except signing.BadSignature:
        raise JoiningError(_("This unsubscribe link is not valid.")) from None
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise JoiningError(_("This unsubscribe link is not valid."))
    return preferences_update(user=user, **{preference: False}), preference


@transaction.atomic
def joining_settings_update(
    *, programme: Programme, by, admit_observers: bool
) -> ProgrammeSettings:
    """Whether organisations asking to look along become observers at once. Leads only."""
    permissions.check(by, Action.MANAGE_PROGRAMME, programme)
    joining, _created = ProgrammeSettings.objects.update_or_create(
        programme=programme, defaults={"admit_observers": admit_observers}
    )
    return joining


@transaction.atomic
def programme_login_requirement_set(*, programme: Programme, by, requirement: str):
    """How the programme's contributors and leads must log in (any way, two-factor, or single
    sign-on). Leads only, and only a requirement the lead's own log-in meets: a lead cannot
    lock themselves out of their programme."""
    permissions.check(by, Action.MANAGE_PROGRAMME, programme)
    if requirement not in ProgrammeSettings.LoginRequirement.values:
        raise ValidationError({"login_requirement": _("Choose one of the ways to log in.")})
    if not permissions.requirement_is_met(by, requirement):
        raise ValidationError(
            {
                "login_requirement": _(
                    "Log in that way yourself first: you would otherwise read along as an "
                    "observer in your own programme."
                )
            }
        )
    joining, _created = ProgrammeSettings.objects.update_or_create(
        programme=programme, defaults={"login_requirement": requirement}
    )
    permissions.forget(by)
    return joining


# --- Single sign-on: identities, organisations from the identity provider ---


class SsoAffiliation(StrEnum):
    AFFILIATED = "affiliated"  # works for a confirmed organisation the provider named
    WAITING = "waiting"  # asked to be confirmed, as after a sign-up
    UNKNOWN = "unknown"  # the provider named no organisation, and the person has none


def identity_domain_normalise(value: str) -> str:
    return " ".join((value or "").split()).lower()


@transaction.atomic
def sso_affiliate(*, user, value: str) -> SsoAffiliation:
    """After a single sign-on: the organisation the identity provider names (`value`, its
    schacHomeOrganization or tenant id) takes the person in. A confirmed organisation with that
    domain: at once. Otherwise the person asks to be confirmed, exactly as after a sign-up
    (the organisation's contact or a lead confirms, `affiliation_decide`); an organisation
    nobody registered yet is created unconfirmed, with the domain, so confirming the first
    person confirms the organisation and everyone after them belongs at once."""
    value = identity_domain_normalise(value)
    if not value:
        if Affiliation.objects.filter(user=user).exists():
            return SsoAffiliation.AFFILIATED
        return SsoAffiliation.UNKNOWN
    domain = (
        IdentityDomain.objects.select_related("organisation").filter(value__iexact=value).first()
    )
    if domain is not None:
        organisation = domain.organisation
    else:
        organisation = Organisation.objects.filter(name__iexact=value).first()
    if organisation is not None and organisation.is_confirmed and domain is not None:
        Affiliation.objects.get_or_create(user=user, organisation=organisation)
        AffiliationRequest.objects.filter(
            user=user, organisation=organisation, status=AffiliationRequest.Status.PENDING
        ).update(status=AffiliationRequest.Status.CONFIRMED, decided_at=timezone.now())
        permissions.forget(user)
        return SsoAffiliation.AFFILIATED
    if (
        organisation is not None
        and Affiliation.objects.filter(user=user, organisation=organisation).exists()
    ):
        return SsoAffiliation.AFFILIATED
    created = False
    if organisation is None:
        organisation = Organisation.objects.create(
            name=value[:200], slug=_unique_organisation_slug(value), is_confirmed=False
        )
        IdentityDomain.objects.create(organisation=organisation, value=value)
        created = True
    request, made = AffiliationRequest.objects.get_or_create(
        user=user,
        organisation=organisation,
        status=AffiliationRequest.Status.PENDING,
        defaults={"new_organisation": created},
    )
    if made:
        transaction.on_commit(
            lambda: _enqueue_or_run("participation.affiliation_request_announce", request.pk)
        )
    return SsoAffiliation.WAITING


@transaction.atomic
def person_update_from_identity(
    *, user, first_name: str, last_name: str, email: str, email_verified: bool
) -> None:
    """At each single sign-on, name and e-mail address follow the identity provider. A new
    address is taken only when the provider vouches for it and no other account has it; the
    user name follows it when it was the old address."""
    User = get_user_model()
    changed = []
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        value = " ".join((value or "").split())[:150]
        if value and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    email = (email or "").strip().lower()
    if email and email != (user.email or "").lower() and email_verified:
        if (
            User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
            .exclude(pk=user.pk)
            .exists()
        ):
            logger.warning("Identity of user %s names an address another account has", user.pk)
        else:
            if user.username.lower() == (user.email or "").lower():
                user.username = email
                changed.append("username")
            user.email = email
            changed.append("email")
            from allauth.account.models import EmailAddress

            EmailAddress.objects.filter(user=user).delete()
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if changed:
        user.save(update_fields=changed)


def profile_for_identity(*, user, language: str, email_verified: bool) -> Profile:
    """The profile of a person who arrived through single sign-on."""
    profile, _created = Profile.objects.get_or_create(
        user=user,
        defaults={
            "language": language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        },
    )
    if email_verified and profile.email_confirmed_at is None:
        profile.email_confirmed_at = timezone.now()
        profile.save(update_fields=["email_confirmed_at"])
    return profile


@transaction.atomic
def identity_domain_add(*, organisation: Organisation, value: str, by) -> IdentityDomain:
    """Name a domain or tenant id by which identity providers name the organisation. A lead of
    a programme the organisation takes part in, or a superuser."""
    if not permissions.may_manage_identity_domains(by, organisation):
        raise PermissionDenied(
            _("Only a lead of a programme this organisation takes part in may change this.")
        )
    value = identity_domain_normalise(value)
    if not value or " " in value:
        raise ValidationError(
            {"value": _("Enter a domain such as albeda.nl, or a tenant id, without spaces.")}
        )
    other = IdentityDomain.objects.filter(value__iexact=value).select_related("organisation")
    if other.exists():
        raise ValidationError(
            {
                "value": _("%(organisation)s already has this domain or tenant id.")
                % {"organisation": other.first().organisation.name}
            }
        )
    return IdentityDomain.objects.create(organisation=organisation, value=value)


@transaction.atomic
def identity_domain_remove(*, domain: IdentityDomain, by) -> None:
    if not permissions.may_manage_identity_domains(by, domain.organisation):
        raise PermissionDenied(
            _("Only a lead of a programme this organisation takes part in may change this.")
        )
    domain.delete()


def profile_set_language(*, user, language: str) -> None:
    """Remember a person's language: the site follows it in every browser, and e-mail uses it."""
    if language not in dict(settings.LANGUAGES) or not user.is_authenticated:
        return
    Profile.objects.update_or_create(user=user, defaults={"language": language})


# --- API tokens ---

API_TOKENS_ACTIVE_MAX = 20


@transaction.atomic
def api_token_create(*, user, name: str):
    """A new bearer token for the person, acting with their rights. Returns the token and its
    plaintext, which is shown once and never stored."""
    from wagtail.models import APIToken

    name = one_line(name)
    if not name:
        raise ValidationError({"name": _("Give the token a name, so you know later what uses it.")})
    if len(name) > 255:
        raise ValidationError({"name": _("Keep the name under 256 characters.")})
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Log in to create an API token."))
    active = permissions.api_tokens_of(user).select_for_update().filter(revoked_at__isnull=True)
    if active.count() >= API_TOKENS_ACTIVE_MAX:
        raise ValidationError(
            {
                "name": _("You have %(count)s active tokens; revoke one you no longer use first.")
                % {"count": API_TOKENS_ACTIVE_MAX}
            }
        )
    return APIToken.create_token(user=user, name=name)


def api_token_revoke(*, user, token_id: int) -> None:
    """Revoke one of the person's own tokens; requests with it are refused from now on."""
    token = permissions.api_tokens_of(user).filter(pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise Http404(_("No such token."))
    token.revoke()
