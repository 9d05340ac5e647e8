"""Join requests in the Wagtail admin: leads see their programmes' requests and approve or
decline them. The decision goes through `services.join_request_decide`, as in the site and the
API; who may decide is `participation.permissions`' answer (via the programme-scoped policy)."""

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.actions import EditAction
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy

from . import services
from .admin_views import (
    ProgrammeScopedPolicy,
    ScopedForm,
    ScopedIndexView,
    ServiceEditView,
    StipModelViewSet,
)
from .models import JoinRequest, MembershipChange


class ReadOnlyPolicy(ProgrammeScopedPolicy):
    """The membership record is history: leads read it, nobody edits it here."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return action == "view" and super().user_has_permission_for_instance(user, action, instance)


class JoinRequestPolicy(ProgrammeScopedPolicy):
    """Requests are made by the people asking; leads only decide (edit) them here."""

    def user_has_permission(self, user, action):
        return action in ("change", "view") and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return action in ("change", "view") and super().user_has_permission_for_instance(
            user, action, instance
        )


class DecisionAdminForm(ScopedForm):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (JoinRequest.Status.APPROVED, _("Approve")),
            (JoinRequest.Status.DECLINED, _("Decline")),
        ],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = JoinRequest
        fields = ["status", "reason"]


class JoinRequestDecideAction(EditAction):
    def execute(self, skip_permission_checks=False):
        self.check(skip_permission_checks=skip_permission_checks)
        with transaction.atomic():
            decided = services.join_request_decide(
                join_request=self.instance,
                by=self.user,
                approve=self.instance.status == JoinRequest.Status.APPROVED,
                reason=self.instance.reason,
            )
            log(instance=decided, action="wagtail.edit", user=self.user, content_changed=True)
        return decided


class DecideView(ServiceEditView):
    """A refused decision (no reason to decline, decided meanwhile) shows on the form, with
    what the lead typed kept."""

    def form_valid(self, form):
        self.produced_error_message = self.get_error_message()
        try:
            return super().form_valid(form)
        except services.JoiningError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)


class PendingIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("programme", "organisation", "requested_by")
            .order_by("status", "-created_at")
        )


class JoinRequestViewSet(StipModelViewSet):
    model = JoinRequest
    name = "join_requests"
    icon = "mail"
    menu_label = _("Join requests")
    menu_order = 160
    add_to_admin_menu = True
    index_view_class = PendingIndexView
    edit_view_class = DecideView
    list_display = ["organisation", "programme", "level", "status", "created_at"]
    list_filter = ["status", "level"]
    form_fields = ["status", "reason"]

    def get_form_class(self, for_update=False):
        return DecisionAdminForm


class MembershipChangeViewSet(StipModelViewSet):
    model = MembershipChange
    name = "membership_changes"
    icon = "history"
    menu_label = _("Membership changes")
    menu_order = 170
    add_to_admin_menu = True
    list_display = ["changed_at", "organisation", "programme", "from_level", "to_level", "reason"]
    list_filter = ["to_level"]
    form_fields = ["reason"]


register_permission_policy(JoinRequest, JoinRequestPolicy(JoinRequest))
register_permission_policy(MembershipChange, ReadOnlyPolicy(MembershipChange))


@hooks.register("register_actions")
def register_join_actions(registry):
    registry.register(JoinRequest, JoinRequestDecideAction)


@hooks.register("register_admin_viewset")
def register_join_viewsets():
    return [JoinRequestViewSet(), MembershipChangeViewSet()]
