"""Who may edit which portal page in the Wagtail admin: the leads of its programme.

Wagtail keeps page rights as `GroupPagePermission` rows (a group, a page, a right) and reads
them through the page permission policy registered for all pages; since Wagtail 6 that policy
comes from `wagtail.permissions.policy_registry`, so a project may register its own. Stip
registers `PortalPagePolicy` (in `WikiConfig.ready`): to whatever the groups grant it adds the
rights `add`, `change` and `publish` on a programme's portal page (and so on its news) for
everyone whom `participation.permissions` allows `MANAGE_PROGRAMME` in that programme. The
rights are derived from `ProgrammeRole` at each request and stored nowhere, so nothing has to
be kept in step: appointing or removing a lead (through any path), or creating a portal page
later, changes them at once. A synchronised per-programme group would hold a second copy of
who leads what, which every path that writes a role or a portal page must remember to update.

Wagtail's own machinery (explorer, edit view, page permission tester, publishing) reads the
derived rights like stored ones, since they come as unsaved `GroupPagePermission` objects.
`PortalPermissionTester` keeps the portal page itself in place: only superusers delete, move
or copy it, as a programme has exactly one.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from wagtail.models import GroupPagePermission, Page, PagePermissionTester
from wagtail.permission_policies.pages import PagePermissionPolicy

from participation import permissions
from participation.models import Programme, ProgrammeRole
from participation.permissions import Action

PORTAL_ACTIONS = ("add", "change", "publish")


def portal_editors(programme: Programme):
    """The people (superusers aside) who may edit the programme's portal page."""
    leads = get_user_model().objects.filter(
        is_active=True,
        programme_roles__programme=programme,
        programme_roles__role=ProgrammeRole.Role.LEAD,
    )
    return [user for user in leads if permissions.can(user, Action.MANAGE_PROGRAMME, programme)]


class PortalPagePolicy(PagePermissionPolicy):
    """Wagtail's page policy, plus the portal rights the permission module gives leads."""

    def get_all_permissions_for_user(self, user):
        granted = list(super().get_all_permissions_for_user(user))
        if not user.is_active or user.is_anonymous or user.is_superuser:
            return granted
        programmes = permissions.programmes_where(user, Action.MANAGE_PROGRAMME)
        if not programmes:
            return granted
        portals = Page.objects.filter(programmeportalpage__programme_id__in=programmes)
        rights = Permission.objects.filter(
            content_type__app_label="wagtailcore",
            codename__in=self._get_permission_codenames(PORTAL_ACTIONS),
        )
        return granted + [
            GroupPagePermission(page=portal, permission=right)
            for portal in portals
            for right in rights
        ]

    def users_with_any_permission(self, actions, include_superusers=True):
        users = super().users_with_any_permission(actions, include_superusers)
        if not self._portal_actions(actions):
            return users
        editors = [
            user.pk
            for programme in Programme.objects.filter(portal_page__isnull=False)
            for user in portal_editors(programme)
        ]
        return _with(users, editors)

    def users_with_any_permission_for_instance(self, actions, instance, include_superusers=True):
        users = super().users_with_any_permission_for_instance(
            actions, instance, include_superusers
        )
        if not self._portal_actions(actions):
            return users
        programme = Programme.objects.filter(
            portal_page__pk__in=instance.get_ancestors(inclusive=True).values("pk")
        ).first()
        if programme is None:
            return users
        return _with(users, [user.pk for user in portal_editors(programme)])

    @staticmethod
    def _portal_actions(actions) -> bool:
        return bool(set(actions) & set(PORTAL_ACTIONS))


def _with(users, extra: list[int]):
    return get_user_model().objects.filter(Q(pk__in=users.values("pk")) | Q(pk__in=extra))


class PortalPermissionTester(PagePermissionTester):
    """A programme has one portal page: leads edit and publish it, only superusers delete,
    move or copy it."""

    def can_delete(self, ignore_bulk=False):
        return self.user.is_superuser and super().can_delete(ignore_bulk)

    def can_copy(self):
        return self.user.is_superuser and super().can_copy()
