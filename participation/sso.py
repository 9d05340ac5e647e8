"""Single sign-on through django-allauth: how Stip takes part in allauth's log-in.

allauth speaks the protocols (OpenID Connect, SAML 2.0) and runs the two-factor step; these
adapters decide what is Stip's: which local account an identity belongs to (linked only through
an address confirmed on both sides), keeping name and e-mail address up to date from the
provider, the organisation the provider names (`services.sso_affiliate`), and what a failure
looks like (logged, counted by django-axes like a wrong password, and a translated message on
the log-in page where the password form still works). docs/sso.md tells the whole story.
"""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address, get_lockout_response
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db.models import Q
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import services
from .pending import pending_affiliations_tell
from .sso_settings import ORGANISATION_CLAIMS

logger = logging.getLogger("stip.sso")


def provider_name(provider) -> str:
    return getattr(provider, "name", "") or _("your organisation")


def _credentials(request) -> dict:
    """What django-axes counts a failed single sign-on against: the client's address (there
    is no user name to blame), so the address lock covers guesses by password and by identity
    provider together."""
    return {"username": f"sso@{get_client_ip_address(request) or 'unknown'}"}


def refuse(request, provider, reason: str, *, message: str = ""):
    """A single sign-on that failed: log why, count it as a failed log-in, and send the person
    back to the log-in page with a message (the password form is there too)."""
    name = provider_name(provider) if provider is not None else _("single sign-on")
    logger.warning(
        "Single sign-on refused (provider %s, address %s): %s",
        getattr(provider, "sub_id", None) or getattr(provider, "id", "?"),
        get_client_ip_address(request),
        reason,
    )
    user_login_failed.send(sender=__name__, credentials=_credentials(request), request=request)
    if not AxesProxyHandler.is_allowed(request, _credentials(request)):
        return get_lockout_response(request, credentials=_credentials(request))
    messages.error(
        request,
        message
        or _(
            "Logging in with %(provider)s did not succeed: the answer could not be trusted or "
            "has expired. Try again, or log in with your password."
        )
        % {"provider": name},
    )
    return redirect("login")


def unreachable(request, provider, reason: str):
    """The identity provider did not answer: say so in the person's language; the password
    form keeps working."""
    name = provider_name(provider) if provider is not None else _("single sign-on")
    logger.warning("Identity provider %s unreachable: %s", name, reason)
    messages.error(
        request,
        _(
            "%(provider)s cannot be reached right now, so logging in with it does not work at "
            "the moment. Try again later, or log in with your password."
        )
        % {"provider": name},
    )
    return redirect("login")


def organisation_claim(sociallogin) -> str:
    """The value by which the provider names the person's organisation (schacHomeOrganization,
    a tenant id, or the claim the provider's settings name), or empty."""
    settings = sociallogin.provider.app.settings if sociallogin.provider.app else {}
    wanted = settings.get("organisation_claim")
    names = [wanted] if wanted else ORGANISATION_CLAIMS
    data = sociallogin.account.extra_data or {}
    sources = [data.get("userinfo") or {}, data.get("id_token") or {}, data]
    for name in names:
        for source in sources:
            value = source.get(name) if isinstance(source, dict) else None
            if isinstance(value, list):
                value = value[0] if value else None
            if isinstance(value, str) and value.strip():
                return value.strip()
    return ""


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user) -> None:
        """People log in with their e-mail address as user name, as after Stip's sign-up."""
        email = (user.email or "").strip().lower()
        taken = get_user_model().objects.filter(username__iexact=email).exists()
        if email and not taken:
            user.username = email
            return
        super().populate_username(request, user)

    def post_login(self, request, user, **kwargs):
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        if sociallogin is not None:
            sso_logged_in(request, user, sociallogin)
        return super().post_login(request, user, **kwargs)

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        # allauth's "Successfully signed in as …": Stip greets nobody at log-in.
        if message_template == "account/messages/logged_in.txt":
            return
        super().add_message(request, level, message_template, *args, **kwargs)


def sso_logged_in(request, user, sociallogin) -> None:
    remember_single_logout(request, sociallogin)
    result = services.sso_affiliate(user=user, value=organisation_claim(sociallogin))
    if result == services.SsoAffiliation.WAITING:
        pending_affiliations_tell(request, user)
    elif result == services.SsoAffiliation.UNKNOWN:
        messages.info(
            request,
            _(
                "Your identity provider did not say which organisation you work for. Ask a "
                "programme lead to add you to your organisation."
            ),
        )


SLO_SESSION_KEY = "stip_sso_logout"


def remember_single_logout(request, sociallogin) -> None:
    """What log-out needs to end the session at the provider too (single log-out)."""
    provider = sociallogin.provider
    data = {"provider": provider.id, "app": provider.app.client_id, "name": provider_name(provider)}
    if provider.id == "saml":
        data["provider_id"] = provider.app.client_id
        mapping = provider.app.settings.get("attribute_mapping") or {}
        uid_attributes = mapping.get("uid") or []
        extra = sociallogin.account.extra_data or {}
        if not any(name in extra for name in uid_attributes):
            # The account's uid is the NameID, which a logout request names.
            data["name_id"] = sociallogin.account.uid
    else:
        data["provider_id"] = provider.app.provider_id
    request.session[SLO_SESSION_KEY] = data


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        if user.email:
            user.email = user.email.strip().lower()
        # Kept for pre_social_login, which updates an existing account from the claims.
        sociallogin.stip_claims = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
        }
        return user

    def authenticate_by_email(self, sociallogin):
        """An identity joins an existing account only when both sides confirmed the address:
        the provider vouches for it, and the account's owner confirmed it at sign-up."""
        emails = [address.email for address in sociallogin.email_addresses if address.verified]
        User = get_user_model()
        for email in emails:
            user = (
                User.objects.filter(email__iexact=email, is_active=True)
                .filter(
                    Q(stip_profile__email_confirmed_at__isnull=False)
                    | Q(emailaddress__email__iexact=email, emailaddress__verified=True)
                )
                .distinct()
                .first()
            )
            if user is not None:
                # allauth wipes the password of an account whose address it does not know to be
                # confirmed; Stip confirmed it.
                EmailAddress.objects.update_or_create(
                    user=user, email=user.email, defaults={"verified": True}
                )
                return user, email
        return None

    def pre_social_login(self, request, sociallogin) -> None:
        if not AxesProxyHandler.is_allowed(request, _credentials(request)):
            raise ImmediateHttpResponse(
                get_lockout_response(request, credentials=_credentials(request))
            )
        claims = getattr(sociallogin, "stip_claims", {})
        if sociallogin.is_existing:
            services.person_update_from_identity(
                user=sociallogin.user,
                first_name=claims.get("first_name", ""),
                last_name=claims.get("last_name", ""),
                email=claims.get("email", ""),
                email_verified=any(
                    address.verified and address.email.lower() == claims.get("email")
                    for address in sociallogin.email_addresses
                ),
            )
            return
        if sociallogin.state.get("process") == "connect":
            return  # a logged-in person links the identity to their own account
        email = claims.get("email", "")
        if email and get_user_model().objects.filter(email__iexact=email).exists():
            raise ImmediateHttpResponse(
                refuse(
                    request,
                    sociallogin.provider,
                    "an account with the address exists, but an address is not confirmed",
                    message=_(
                        "There is already an account with the address %(email)s, but this "
                        "address has not been confirmed on both sides, so it is not linked to "
                        "%(provider)s. Log in with your password; you can link %(provider)s to "
                        "your account under Your settings."
                    )
                    % {"email": email, "provider": provider_name(sociallogin.provider)},
                )
            )

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        services.profile_for_identity(
            user=user,
            language=getattr(request, "LANGUAGE_CODE", ""),
            email_verified=any(address.verified for address in sociallogin.email_addresses),
        )
        return user

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        context = extra_context or {}
        reason = (
            context.get("saml_last_error_reason")
            or (repr(exception) if exception is not None else "")
            or f"{error or 'unknown'} (state {'missing' if context.get('state') is None else 'ok'})"
        )
        if error == "cancelled":
            logger.info("Single sign-on cancelled at %s", provider_name(provider))
            messages.info(request, _("You cancelled logging in."))
            raise ImmediateHttpResponse(redirect("login"))
        raise ImmediateHttpResponse(refuse(request, provider, reason))


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def form_action_origins(apps) -> list[str]:
    """The origins the log-in buttons of these providers lead to (the Content-Security-Policy's
    `form-action`: browsers hold the redirect after a form to it): an OpenID Connect provider's
    issuer; a SAML IdP's SSO, SLO and metadata addresses and, once allauth read the metadata,
    the endpoints in it. Plus `STIP_CSP_FORM_ACTION_EXTRA`."""
    from django.conf import settings as django_settings
    from django.core.cache import cache

    urls: list[str] = list(django_settings.STIP_CSP_FORM_ACTION_EXTRA)
    for app in apps:
        settings = app.settings or {}
        if app.provider == "openid_connect":
            urls.append(settings.get("server_url", ""))
        elif app.provider == "saml":
            idp = settings.get("idp") or {}
            urls += [idp.get("sso_url", ""), idp.get("slo_url", ""), idp.get("metadata_url", "")]
            if idp.get("metadata_url"):
                key = f"saml.metadata.{idp['metadata_url']}.{idp.get('entity_id')}"
                try:
                    parsed = cache.get(key) or {}
                except Exception:  # the cache is down: the metadata's own origin must do
                    parsed = {}
                for service in ("singleSignOnService", "singleLogoutService"):
                    urls.append((parsed.get("idp") or {}).get(service, {}).get("url", ""))
    return sorted({origin for origin in map(_origin, urls) if origin})


def allow_forms_to_identity_providers(response, apps):
    """Let this page's forms lead to the providers (`form-action`, django-csp's per-response
    update)."""
    origins = form_action_origins(apps)
    if origins:
        update = dict(getattr(response, "_csp_update", None) or {})
        update["form-action"] = [*update.get("form-action", []), *origins]
        response._csp_update = update
    return response
