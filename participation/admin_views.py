"""The building blocks of participation's pages in the Wagtail admin: a permission policy for
objects that belong to one programme, and views, a form and a viewset that offer only what the
admin user may manage and show a service's refusal on the form. `wagtail_hooks` and `join_admin`
build their viewsets from these."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms import modelform_factory
from django.shortcuts import redirect
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import policy_registry

from . import permissions, selectors
from .forms import add_service_errors
from .models import Programme, ProgrammeRole
from .permissions import Action
from .text import one_line

ALL_ACTIONS = ("add", "change", "delete", "view")


def leads_and_superusers():
    return (
        get_user_model()
        .objects.filter(
            Q(is_superuser=True) | Q(programme_roles__role=ProgrammeRole.Role.LEAD),
            is_active=True,
        )
        .distinct()
    )


class ProgrammeScopedPolicy(BasePermissionPolicy):
    """Objects that belong to one programme (memberships, lead roles): all actions on them are
    allowed in the programmes where the person may take `action`."""

    def __init__(self, model, action: Action = Action.MANAGE_MEMBERS):
        super().__init__(model)
        self.action = action

    def user_has_permission(self, user, action):
        return bool(permissions.programmes_where(user, self.action))

    def user_has_permission_for_instance(self, user, action, instance):
        return permissions.can(user, self.action, instance.programme)

    def instances_user_has_any_permission_for(self, user, actions):
        return self.model._default_manager.filter(
            programme_id__in=permissions.programmes_where(user, self.action)
        )

    def users_with_any_permission(self, actions):
        return leads_and_superusers()

    def users_with_any_permission_for_instance(self, actions, instance):
        return get_user_model().objects.filter(
            pk__in=[
                user.pk
                for user in leads_and_superusers()
                if permissions.can(user, self.action, instance.programme)
            ]
        )


# --- Views ---------------------------------------------------------------------------------


class ObjectPermissionMixin:
    """Wagtail's generic views check the model-level permission only; this refuses an object
    (from another programme) that the policy does not allow the person to `object_action`."""

    object_action = "change"

    def get_object(self, *args, **kwargs):
        instance = super().get_object(*args, **kwargs)
        policy = policy_registry.get_by_type(type(instance))
        if not policy.user_has_permission_for_instance(
            self.request.user, self.object_action, instance
        ):
            raise PermissionDenied
        return instance


class ScopedIndexView(generic.IndexView):
    def get_base_queryset(self):
        allowed = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ALL_ACTIONS
        )
        return super().get_base_queryset().filter(pk__in=allowed.values("pk"))


class ServiceFormMixin:
    """A service that refuses a valid form shows its reasons on the form, as Wagtail shows its
    own validation errors (which need `produced_error_message` set)."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            add_service_errors(form, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class ServiceCreateView(ServiceFormMixin, generic.CreateView):
    pass


class ServiceEditView(ServiceFormMixin, ObjectPermissionMixin, generic.EditView):
    pass


class ServiceDeleteView(ObjectPermissionMixin, generic.DeleteView):
    object_action = "delete"

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            for message in error.messages:
                messages.error(self.request, message)
            return redirect(self.index_url_name)


class ScopedHistoryView(ObjectPermissionMixin, HistoryView):
    pass


class ScopedUsageView(ObjectPermissionMixin, UsageView):
    pass


class ScopedForm(WagtailAdminModelForm):
    """Offers only the programmes (and, for leads, the people and organisations) the admin user
    may manage. Its one-line text fields (names) are stored on one line (`text.one_line`)."""

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            one_line_text = isinstance(field, forms.CharField) and isinstance(
                field.widget, forms.TextInput
            )
            if one_line_text and isinstance(data.get(name), str):
                data[name] = one_line(data[name])
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is None:
            return
        if "programme" in self.fields:
            self.fields["programme"].queryset = Programme.objects.filter(
                pk__in=permissions.programmes_where(user, Action.MANAGE_MEMBERS)
            )
        if "organisation" in self.fields and not user.is_superuser:
            self.fields["organisation"].queryset = selectors.organisations_visible_to(user)
        if "user" in self.fields and not user.is_superuser:
            self.fields["user"].queryset = (
                get_user_model()
                .objects.filter(
                    is_active=True,
                    affiliations__organisation__memberships__programme_id__in=permissions.programmes_where(
                        user, Action.MANAGE_MEMBERS
                    ),
                )
                .distinct()
                .order_by("username")
            )


class StipModelViewSet(ModelViewSet):
    index_view_class = ScopedIndexView
    add_view_class = ServiceCreateView
    edit_view_class = ServiceEditView
    delete_view_class = ServiceDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    inspect_view_enabled = False
    copy_view_enabled = False
    add_to_admin_menu = False
    edit_form_fields: list[str] | None = None

    def get_form_class(self, for_update=False):
        fields = self.edit_form_fields if for_update and self.edit_form_fields else None
        return modelform_factory(self.model, form=ScopedForm, fields=fields or self.form_fields)
