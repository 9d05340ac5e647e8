"""The mail outbox in the Wagtail admin (Settings → Outgoing e-mail): superusers see every message
Stip sent, is about to try again, or gave up on, with its attempts and the reason it failed. It
is a record: nothing is added, changed or deleted here."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from . import permissions
from .models import OutgoingMail


class OutgoingMailPolicy(BasePermissionPolicy):
    def user_has_permission(self, user, action):
        return action == "view" and permissions.may_see_outgoing_mail(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def instances_user_has_any_permission_for(self, user, actions):
        if "view" in actions and permissions.may_see_outgoing_mail(user):
            return OutgoingMail.objects.all()
        return OutgoingMail.objects.none()


class OutgoingMailViewSet(ModelViewSet):
    model = OutgoingMail
    name = "outgoing_mail"
    icon = "mail"
    menu_label = _("Outgoing e-mail")
    add_to_settings_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["created_at", "to", "subject", "kind", "status", "attempts", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["subject", "last_error"]
    inspect_view_fields = [
        "created_at",
        "kind",
        "to",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "body",
    ]
    form_fields = ["status"]


register_permission_policy(OutgoingMail, OutgoingMailPolicy(OutgoingMail))


@hooks.register("register_admin_viewset")
def register_outgoing_mail_viewset():
    return OutgoingMailViewSet()
