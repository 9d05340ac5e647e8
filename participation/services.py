"""Every write to programmes, organisations and memberships that carries a business rule.

Each service checks permission through `participation.permissions` first and works inside one
transaction, so the site, the API, the Wagtail admin and management commands cannot disagree.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import permissions
from .models import Membership, Organisation, Programme
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
