"""Every write to programmes, organisations and memberships that carries a business rule.

Each service checks permission through `participation.permissions` first and works inside one
transaction, so the site, the API, the Wagtail admin and management commands cannot disagree.
"""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import permissions
from .models import Membership, Organisation, Programme, ProgrammeRole
from .permissions import Action


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
    *, programme: Programme, organisation: Organisation, level: str, by
) -> Membership:
    """Admit an organisation to a programme at a level. Leads only."""
    permissions.check(by, Action.MANAGE_MEMBERS, programme)
    _validate_level(level)
    if Membership.objects.filter(programme=programme, organisation=organisation).exists():
        raise ValidationError(
            {
                "organisation": _("%(organisation)s is already a member of this programme.")
                % {"organisation": organisation.name}
            }
        )
    membership = Membership.objects.create(
        programme=programme, organisation=organisation, level=level
    )
    permissions.forget(by)
    return membership


@transaction.atomic
def membership_set_level(*, membership: Membership, level: str, by) -> Membership:
    """Promote an observer to contributor or the other way round. Leads only.

    Locks the membership row, so two leads changing it at once are serialised."""
    permissions.check(by, Action.MANAGE_MEMBERS, membership.programme)
    _validate_level(level)
    current = Membership.objects.select_for_update().get(pk=membership.pk)
    if current.level != level:
        current.level = level
        current.save(update_fields=["level"])
    permissions.forget(by)
    return current


@transaction.atomic
def membership_remove(*, membership: Membership, by) -> None:
    """End an organisation's membership of a programme. Its people keep their accounts and
    everything they wrote; they only lose the membership's level. Leads only."""
    permissions.check(by, Action.MANAGE_MEMBERS, membership.programme)
    Membership.objects.filter(pk=membership.pk).delete()
    permissions.forget(by)


LEADS_GROUP = "Programme leads"


def leads_group() -> Group:
    """The group every programme lead is in: it opens the Wagtail admin (`access_admin`), where
    the permission module then limits a lead to their own programmes."""
    group, _created = Group.objects.get_or_create(name=LEADS_GROUP)
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    group.permissions.add(access_admin)
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
