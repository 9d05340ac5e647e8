"""The back office: programmes, organisations, memberships and leads in the Wagtail admin.

Who may do what here is not decided here: a custom Wagtail permission policy asks
`participation.permissions` (MANAGE_MEMBERS for memberships and leads, MANAGE_PROGRAMME for the
programme itself), so a programme lead sees and manages only their own programmes, and
superusers manage everything. Writes that carry a business rule go through
`participation.services` (via Wagtail actions), exactly as the site and the API do.
Leads reach the admin through the "Programme leads" group that `services.lead_appoint` fills.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.forms import modelform_factory
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.actions import CreateAction, DeleteAction, EditAction
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.log_actions import log
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from . import permissions, selectors, services
from .admin_views import ProgrammeScopedPolicy, ScopedForm, StipModelViewSet, leads_and_superusers
from .models import IdentityDomain, Membership, Organisation, Programme, ProgrammeRole
from .permissions import Action


class ProgrammePolicy(ProgrammeScopedPolicy):
    """Leads change their own programme's settings; only superusers create or delete
    programmes."""

    def __init__(self):
        super().__init__(Programme, Action.MANAGE_PROGRAMME)

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return bool(user.is_active and user.is_superuser)
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if action in ("add", "delete"):
            return bool(user.is_active and user.is_superuser)
        return permissions.can(user, self.action, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        return Programme.objects.filter(pk__in=permissions.programmes_where(user, self.action))


class OrganisationPolicy(BasePermissionPolicy):
    """Leads see organisations and register new ones (to admit them); an organisation may take
    part in several programmes, so only superusers change or delete one. A lead sees only the
    organisations `selectors.organisations_visible_to` shows them, as in the site and the API:
    not those that take part only in others' members-only programmes, nor new ones that asked
    to join none of theirs."""

    def user_has_permission(self, user, action):
        if not (user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        return action in ("add", "view") and bool(
            permissions.programmes_where(user, Action.MANAGE_MEMBERS)
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Organisation.objects.none()
        return selectors.organisations_visible_to(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and self.instances_user_has_any_permission_for(user, [action])
            .filter(pk=instance.pk)
            .exists()
        )

    def users_with_any_permission(self, actions):
        if set(actions) & {"add", "view"}:
            return leads_and_superusers()
        return get_user_model().objects.filter(is_superuser=True, is_active=True)


class IdentityDomainPolicy(BasePermissionPolicy):
    """The domains or tenant ids by which identity providers name an organisation: a lead of a
    programme the organisation takes part in adds and removes them, superusers all of them
    (`permissions.may_manage_identity_domains`). A domain is not edited: removed and added."""

    def user_has_permission(self, user, action):
        if not (user.is_authenticated and user.is_active) or action == "change":
            return False
        return user.is_superuser or bool(permissions.programmes_where(user, Action.MANAGE_MEMBERS))

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "change":
            return False
        return permissions.may_manage_identity_domains(user, instance.organisation)

    def instances_user_has_any_permission_for(self, user, actions):
        return IdentityDomain.objects.filter(
            organisation__in=permissions.organisations_with_identity_rights(user)
        )

    def users_with_any_permission(self, actions):
        return leads_and_superusers()


register_permission_policy(IdentityDomain, IdentityDomainPolicy(IdentityDomain))
register_permission_policy(Membership, ProgrammeScopedPolicy(Membership))
register_permission_policy(ProgrammeRole, ProgrammeScopedPolicy(ProgrammeRole))
register_permission_policy(Programme, ProgrammePolicy())
register_permission_policy(Organisation, OrganisationPolicy(Organisation))


# --- Writes through the services ---------------------------------------------------------


class MembershipCreateAction(CreateAction):
    def execute(self, skip_permission_checks=False):
        self.check(skip_permission_checks=skip_permission_checks)
        with transaction.atomic():
            membership = services.membership_add(
                programme=self.instance.programme,
                organisation=self.instance.organisation,
                level=self.instance.level,
                by=self.user,
            )
            _created(self, membership)
        return membership


class MembershipEditAction(EditAction):
    def execute(self, skip_permission_checks=False):
        self.check(skip_permission_checks=skip_permission_checks)
        with transaction.atomic():
            membership = services.membership_set_level(
                membership=self.instance, level=self.instance.level, by=self.user
            )
            log(instance=membership, action="wagtail.edit", user=self.user, content_changed=True)
        return membership


class MembershipDeleteAction(DeleteAction):
    def execute(self, skip_permission_checks=False):
        self.check(skip_permission_checks=skip_permission_checks)
        with transaction.atomic():
            log(instance=self.instance, action="wagtail.delete", user=self.user, deleted=True)
            services.membership_remove(membership=self.instance, by=self.user)


class LeadCreateAction(CreateAction):
    def execute(self, skip_permission_checks=False):
        self.check(skip_permission_checks=skip_permission_checks)
        with transaction.atomic():
            role = services.lead_appoint(
                programme=self.instance.programme, user=self.instance.user, by=self.user
            )
            _created(self, role)
        return role


class LeadDeleteAction(DeleteAction):
    def execute(self, skip_permission_checks=False):
        self.check(skip_permission_checks=skip_permission_checks)
        with transaction.atomic():
            log(instance=self.instance, action="wagtail.delete", user=self.user, deleted=True)
            services.lead_remove(role=self.instance, by=self.user)


def _created(action, instance) -> None:
    """Point the admin's form at what the service created, and log it."""
    action.instance = instance
    if action.form is not None:
        action.form.instance = instance
    log(instance=instance, action="wagtail.create", user=action.user, content_changed=True)


class IdentityDomainCreateAction(CreateAction):
    def execute(self, skip_permission_checks=False):
        self.check(skip_permission_checks=skip_permission_checks)
        with transaction.atomic():
            domain = services.identity_domain_add(
                organisation=self.instance.organisation, value=self.instance.value, by=self.user
            )
            _created(self, domain)
        return domain


class IdentityDomainDeleteAction(DeleteAction):
    def execute(self, skip_permission_checks=False):
        self.check(skip_permission_checks=skip_permission_checks)
        with transaction.atomic():
            log(instance=self.instance, action="wagtail.delete", user=self.user, deleted=True)
            services.identity_domain_remove(domain=self.instance, by=self.user)


@hooks.register("register_actions")
def register_participation_actions(registry):
    registry.register(IdentityDomain, IdentityDomainCreateAction)
    registry.register(IdentityDomain, IdentityDomainDeleteAction)
    registry.register(Membership, MembershipCreateAction)
    registry.register(Membership, MembershipEditAction)
    registry.register(Membership, MembershipDeleteAction)
    registry.register(ProgrammeRole, LeadCreateAction)
    registry.register(ProgrammeRole, LeadDeleteAction)


class ProgrammeViewSet(StipModelViewSet):
    model = Programme
    name = "programmes"
    icon = "site"
    menu_order = 100
    form_fields = ["name", "slug", "description", "visibility", "timezone"]
    edit_form_fields = ["name", "description", "visibility", "timezone"]
    list_display = ["name", "slug", "visibility"]
    search_fields = ["name", "description"]


class OrganisationViewSet(StipModelViewSet):
    model = Organisation
    name = "organisations"
    icon = "group"
    menu_order = 200
    form_fields = ["name", "slug", "kind", "is_confirmed"]
    list_display = ["name", "kind", "is_confirmed"]
    list_filter = ["kind", "is_confirmed"]
    search_fields = ["name"]


class IdentityDomainForm(ScopedForm):
    """Offers the organisations whose identity-provider domains the admin user may change."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None and "organisation" in self.fields:
            self.fields["organisation"].queryset = permissions.organisations_with_identity_rights(
                self.for_user
            )


class IdentityDomainViewSet(StipModelViewSet):
    model = IdentityDomain
    name = "identity_domains"
    icon = "key"
    menu_order = 250
    form_fields = ["organisation", "value"]
    list_display = ["value", "organisation"]
    search_fields = ["value"]

    def get_form_class(self, for_update=False):
        return modelform_factory(self.model, form=IdentityDomainForm, fields=self.form_fields)


class MembershipViewSet(StipModelViewSet):
    model = Membership
    name = "memberships"
    icon = "list-ul"
    menu_order = 300
    form_fields = ["programme", "organisation", "level"]
    edit_form_fields = ["level"]
    list_display = ["organisation", "programme", "level", "joined_at"]
    list_filter = ["level"]


class ProgrammeRoleViewSet(StipModelViewSet):
    model = ProgrammeRole
    name = "leads"
    icon = "user"
    menu_order = 400
    form_fields = ["programme", "user"]
    edit_form_fields = ["role"]
    list_display = ["user", "programme", "role"]


class ParticipationViewSetGroup(ModelViewSetGroup):
    menu_label = _("Participation")
    menu_icon = "group"
    menu_order = 150
    items = (
        ProgrammeViewSet,
        OrganisationViewSet,
        IdentityDomainViewSet,
        MembershipViewSet,
        ProgrammeRoleViewSet,
    )


@hooks.register("register_admin_viewset")
def register_participation_viewsets():
    return ParticipationViewSetGroup()


# join requests and the membership record; the mail outbox
from . import join_admin, mail_admin  # noqa: E402, F401
