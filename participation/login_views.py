"""Log-in and log-out: the password form (Django's, throttled by django-axes), the buttons of
the identity providers, the two-factor step (django-allauth's), and single log-out."""

import logging

from allauth.account.internal.flows.login import perform_password_login
from allauth.account.models import Login
from allauth.socialaccount import views as socialaccount_views
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .login_forms import LoginForm
from .sso import SLO_SESSION_KEY, allow_forms_to_identity_providers

logger = logging.getLogger("stip.sso")

SSO_PROVIDERS = ("openid_connect", "saml")


def identity_providers(request) -> list:
    """The configured identity providers, one log-in button each (none: no buttons)."""
    providers = get_social_adapter(request).list_providers(request)
    return [
        provider
        for provider in providers
        if provider.id in SSO_PROVIDERS and not provider.app.settings.get("hidden")
    ]


class LoginView(auth_views.LoginView):
    """Django's log-in form, finished by allauth: a person with an authenticator app is asked
    for a code before they are logged in. The person types a user name or an e-mail address."""

    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self.providers = identity_providers(self.request)
        context["identity_providers"] = [
            {"name": provider.name, "url": provider.get_login_url(self.request)}
            for provider in self.providers
        ]
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        return allow_forms_to_identity_providers(response, [p.app for p in self.providers])

    def form_valid(self, form):
        # As allauth's own password form does: the password step is recorded (allauth asks
        # for it again before two-factor settings change when it is not recent), then the
        # log-in continues with allauth's stages (the code of an authenticator app).
        user = form.get_user()
        return perform_password_login(
            self.request,
            {"username": user.get_username()},
            Login(user=user, redirect_url=self.get_success_url()),
        )


def connections(request, *args, **kwargs):
    """allauth's page of linked identity providers, whose buttons lead to the providers."""
    response = socialaccount_views.connections(request, *args, **kwargs)
    providers = identity_providers(request)
    return allow_forms_to_identity_providers(response, [p.app for p in providers])


@require_POST
def logout(request):
    """Log out here, and at the identity provider when it supports single log-out: a page that
    says so and goes on to the provider (a page, not a redirect: the log-out form, on every page,
    may only lead to Stip itself)."""
    single = request.session.get(SLO_SESSION_KEY)
    auth_logout(request)
    if single:
        url = _single_logout_url(request, single)
        if url:
            name = single.get("name") or ""
            return render(
                request, "registration/single_logout.html", {"url": url, "provider": name}
            )
    return redirect("home")


def _single_logout_url(request, single: dict) -> str:
    adapter = get_social_adapter(request)
    try:
        if single.get("provider") == "saml":
            return _saml_logout_url(request, adapter, single)
        if single.get("provider") == "openid_connect":
            return _oidc_logout_url(request, adapter, single)
    except Exception as error:  # unreachable, misconfigured: the local log-out stands
        logger.warning("Single log-out at %s not possible: %r", single.get("provider_id"), error)
    return ""


def _saml_logout_url(request, adapter, single: dict) -> str:
    from allauth.socialaccount.providers.saml.utils import build_auth

    provider = adapter.get_provider(request, "saml", client_id=single["provider_id"])
    if not single.get("name_id"):
        return ""
    auth = build_auth(request, provider)
    if not auth.get_slo_url():
        return ""
    return auth.logout(
        return_to=request.build_absolute_uri(reverse("home")),
        name_id=single["name_id"],
        name_id_format=provider.app.settings.get("advanced", {}).get("name_id_format"),
    )


def _oidc_logout_url(request, adapter, single: dict) -> str:
    from django.utils.http import urlencode

    provider = adapter.get_provider(request, single["provider_id"])
    if not provider.app.settings.get("slo", True):
        return ""
    endpoint = provider.get_oauth2_adapter(request).openid_config.get("end_session_endpoint")
    if not endpoint:
        return ""
    query = urlencode(
        {
            "client_id": provider.app.client_id,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("home")),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
