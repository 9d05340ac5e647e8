from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Invitation, Membership, Organisation, Profile
from .text import OneLineField


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form when the field is
    not in it), so the person sees it next to what they typed."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class AccountForm(forms.Form):
    """Who signs up: name, address (their user name), password and language."""

    name = OneLineField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(render_value=True), strip=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, required=False)


class InvitedAccountForm(AccountForm):
    """Signing up from an invitation by e-mail: the address is the invited one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["email"]


class SignupForm(AccountForm):
    """Offers the organisations anyone may see (`selectors.organisations_public`): one that
    takes part only in members-only programmes is not revealed, and its people type its name."""

    field_order = [
        "name",
        "email",
        "password",
        "organisation",
        "new_organisation",
        "new_organisation_kind",
        "language",
    ]
    organisation = forms.ModelChoiceField(
        label=_("Your organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— not in the list —"),
    )
    new_organisation = OneLineField(
        label=_("Or the name of your organisation"),
        max_length=200,
        required=False,
        help_text=_(
            "Not in the list? Type its name. Someone who may vouch for it confirms that you work "
            "there; a new organisation is confirmed by the leads of the programme it asks to join."
        ),
    )
    new_organisation_kind = forms.ChoiceField(
        label=_("Kind of organisation, if it is new"),
        choices=Organisation.Kind.choices,
        initial=Organisation.Kind.SCHOOL,
        required=False,
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )

    def clean(self):
        data = super().clean()
        if not data.get("organisation") and not (data.get("new_organisation") or "").strip():
            self.add_error("organisation", _("Choose your organisation, or name a new one."))
        return data


class JoinForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), empty_label=None
    )
    motivation = forms.CharField(
        label=_("Why do you want to take part?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations or Organisation.objects.none()


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=_("Required when you decline; the requester reads it."),
    )


class LevelForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[*Membership.MemberLevel.choices, ("", _("Remove from the programme"))],
        required=False,
    )
    reason = forms.CharField(label=_("Why"), max_length=2000, required=False)


class InvitationForm(forms.ModelForm):
    """Offers the organisations the lead may invite on behalf of
    (`permissions.organisations_invitable_by`)."""

    class Meta:
        model = Invitation
        fields = ["email", "organisation", "level", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )


class InvitationLinkForm(forms.Form):
    """Offers the organisations the lead may speak for
    (`permissions.organisations_invitable_by`), or a new one by name."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— a new organisation —"),
    )
    new_organisation = OneLineField(
        label=_("Or the name of a new organisation"),
        max_length=200,
        required=False,
        help_text=_("Stip creates it, confirmed by you."),
    )
    new_organisation_kind = forms.ChoiceField(
        label=_("Kind of organisation, if it is new"),
        choices=Organisation.Kind.choices,
        initial=Organisation.Kind.SCHOOL,
        required=False,
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=Membership.MemberLevel.choices,
        initial=Membership.MemberLevel.OBSERVER,
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=90,
        initial=settings.STIP_INVITATION_DAYS,
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )

    def clean(self):
        data = super().clean()
        if not data.get("organisation") and not (data.get("new_organisation") or "").strip():
            self.add_error("organisation", _("Choose the organisation, or name a new one."))
        return data


class AcceptInvitationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Take part for"), queryset=Organisation.objects.none(), empty_label=None
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations or Organisation.objects.none()


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = [
            "language",
            "email_frequency",
            "email_edits",
            "email_comments",
            "email_structure",
            "email_membership",
            "email_timeboxes",
            "auto_watch",
        ]


class ApiTokenForm(forms.Form):
    name = OneLineField(
        label=_("Name"),
        max_length=255,
        help_text=_("What will use it, e.g. “export script of Albeda”."),
        error_messages={"required": _("Give the token a name, so you know later what uses it.")},
    )
