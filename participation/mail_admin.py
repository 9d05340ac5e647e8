"""The mail outbox in the Wagtail admin (Settings → Outgoing e-mail): superusers see every message
Stip sent, is about to try again, or gave up on, with its attempts and the reason it failed. It
is a record: nothing is added, changed or deleted here. Failed messages can be sent again now
("Retry failed e-mail", one or all, after a confirmation), through `mail.mail_retry`."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from . import mail, permissions
from .http import id_from
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


class RetryView(WagtailAdminTemplateMixin, TemplateView):
    """GET: which failed messages would be sent again (all, or the one `?id=`); POST: send them
    now, then back to the failed messages with what happened."""

    template_name = "participation/outgoing_mail_retry.html"
    page_title = _("Retry failed e-mail")
    header_icon = "mail"
    index_url_name = ""
    shown = 50

    def dispatch(self, request, *args, **kwargs):
        if not permissions.may_retry_outgoing_mail(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def ids(self) -> list[int] | None:
        value = self.request.POST.get("id") or self.request.GET.get("id")
        return [id_from(value)] if value else None

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": OutgoingMail._meta.verbose_name_plural},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        failed = mail.retryable_failed_mail()
        if self.ids is not None:
            failed = failed.filter(pk__in=self.ids)
        context.update(
            failed=failed[: self.shown],
            count=failed.count(),
            one=self.ids[0] if self.ids else "",
            index_url=reverse(self.index_url_name),
        )
        return context

    def post(self, request, *args, **kwargs):
        result = mail.mail_retry(by=request.user, ids=self.ids)
        if not result.retried:
            messages.warning(request, _("There is no failed e-mail to send again."))
        elif result.sent == result.retried:
            messages.success(
                request,
                ngettext("%(count)s e-mail was sent.", "%(count)s e-mails were sent.", result.sent)
                % {"count": result.sent},
            )
        else:
            messages.warning(
                request,
                ngettext(
                    "%(sent)s of %(count)s e-mail was sent. The others will be tried again "
                    "later, or failed again: see their reason below.",
                    "%(sent)s of %(count)s e-mails were sent. The others will be tried again "
                    "later, or failed again: see their reason below.",
                    result.retried,
                )
                % {"sent": result.sent, "count": result.retried},
            )
        return redirect(reverse(self.index_url_name) + "?status=failed")


class OutgoingMailIndexView(generic.IndexView):
    """The outbox with "Retry failed e-mail" in its header and "Retry now" on a failed row."""

    retry_url_name = ""

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if permissions.may_retry_outgoing_mail(self.request.user):
            buttons.append(
                HeaderButton(
                    _("Retry failed e-mail"),
                    url=reverse(self.retry_url_name),
                    icon_name="resubmit",
                )
            )
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.status == OutgoingMail.Status.FAILED and permissions.may_retry_outgoing_mail(
            self.request.user
        ):
            url = f"{reverse(self.retry_url_name)}?id={instance.pk}"
            buttons.append(MenuItem(_("Retry now"), url=url, icon_name="resubmit", priority=40))
        return buttons


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
    index_view_class = OutgoingMailIndexView

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(retry_url_name=self.get_url_name("retry"), **kwargs)

    @property
    def retry_view(self):
        return RetryView.as_view(index_url_name=self.get_url_name("index"))

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("retry/", self.retry_view, name="retry")]


register_permission_policy(OutgoingMail, OutgoingMailPolicy(OutgoingMail))


@hooks.register("register_admin_viewset")
def register_outgoing_mail_viewset():
    return OutgoingMailViewSet()
