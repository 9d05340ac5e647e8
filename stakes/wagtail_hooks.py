"""Costs, benefits and decisions in the Wagtail admin: a programme's leads read (and search) the
entries and the decision log of their own programmes, superusers all of them. Who may see what
is asked of `participation.permissions` (stakes' DECIDE action, the leads'), as in the site and
the API. Nothing is written here: recording, answering and deciding carry business rules and go
through the site or the API, which call the services."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from participation.admin_views import (
    ObjectPermissionMixin,
    ProgrammeScopedPolicy,
    ScopedIndexView,
)

from .actions import DECIDE
from .models import Proposal, Stake


class ReadOnlyProgrammePolicy(ProgrammeScopedPolicy):
    """Viewing, in the programmes where the person may decide proposals; nothing else."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return action == "view" and super().user_has_permission_for_instance(user, action, instance)


register_permission_policy(Proposal, ReadOnlyProgrammePolicy(Proposal, DECIDE))
register_permission_policy(Stake, ReadOnlyProgrammePolicy(Stake, DECIDE))


class ScopedInspectView(ObjectPermissionMixin, InspectView):
    object_action = "view"


class ReadOnlyViewSet(ModelViewSet):
    index_view_class = ScopedIndexView
    inspect_view_class = ScopedInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_admin_menu = False
    form_fields: list[str] = []


class ProposalViewSet(ReadOnlyViewSet):
    model = Proposal
    name = "proposals"
    icon = "list-ol"
    list_display = ["__str__", "programme", "status", "deadline", "decided_at"]
    list_filter = ["status"]
    search_fields = ["title", "text", "outcome"]
    inspect_view_fields = ["title", "text", "status", "deadline", "outcome", "decided_at"]


class StakeViewSet(ReadOnlyViewSet):
    model = Stake
    name = "stake_entries"
    icon = "doc-full"
    list_display = ["document", "organisation", "direction", "kind", "size", "amount"]
    list_filter = ["direction", "kind"]
    search_fields = ["explanation"]
    inspect_view_fields = ["document", "organisation", "direction", "kind", "size", "amount"]


class StakesViewSetGroup(ModelViewSetGroup):
    menu_label = _("Costs, benefits and decisions")
    menu_icon = "list-ol"
    menu_order = 170
    items = (ProposalViewSet, StakeViewSet)


@hooks.register("register_admin_viewset")
def register_stakes_viewsets():
    return StakesViewSetGroup()
