"""The password log-in forms of Stip, the Wagtail admin and Django's admin: each asks for a user
name or an e-mail address and says so (`backends.UsernameOrEmailBackend` finds the account)."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

# As long as an e-mail address may be (RFC 5321), so any account's address fits.
IDENTIFIER_MAX_LENGTH = 254


class UsernameOrEmailMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.label = _("Username or e-mail address")
        field.max_length = IDENTIFIER_MAX_LENGTH
        field.widget.attrs.update(maxlength=str(IDENTIFIER_MAX_LENGTH), autocomplete="username")
        if "placeholder" in field.widget.attrs:
            field.widget.attrs["placeholder"] = _("Your username or e-mail address")

    def get_invalid_login_error(self):
        return forms.ValidationError(
            _(
                "This username or e-mail address and this password do not belong together. "
                "Check both and try again (the password is case-sensitive)."
            ),
            code="invalid_login",
        )


class LoginForm(UsernameOrEmailMixin, AuthenticationForm):
    """Stip's own log-in page."""


class WagtailAdminLoginForm(UsernameOrEmailMixin, WagtailLoginForm):
    """The Wagtail admin's log-in page (WAGTAILADMIN_USER_LOGIN_FORM)."""


class DjangoAdminLoginForm(UsernameOrEmailMixin, AdminAuthenticationForm):
    """Django's admin (/django-admin/)."""
