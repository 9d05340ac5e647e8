from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import translation

from .selectors import language_of


class ProfileLanguageMiddleware:
    """A person's language follows them from browser to browser: when a logged-in person's
    browser has not chosen a language yet (no language cookie), their profile's language (Dutch
    when they have none, whatever the browser prefers) is used and remembered in the cookie.
    Comes after the authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = None
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            chosen = language_of(user)
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if chosen:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                chosen,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class LoginMethodMiddleware:
    """Tells the permission module how this session logged in (password, two-factor code or
    single sign-on; django-allauth records the steps of each log-in in the session), so a
    programme's log-in requirement is decided on the log-in, not on the account. Comes after
    the authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if SESSION_KEY in request.session:
            user = request.user
            if user.is_authenticated:
                records = get_authentication_records(request, user)
                user.stip_login_methods = frozenset(record.get("method") for record in records)
        return self.get_response(request)


class SingleSignOnFailureMiddleware:
    """Single sign-on that breaks outside Stip's control never shows an error page: an identity
    provider that does not answer (its discovery document, keys or metadata) is reported in
    the person's language on the log-in page, and a refused answer (a replayed or forged
    response, an unknown state) is logged and counted like a wrong password."""

    PREFIXES = ("/accounts/oidc/", "/accounts/saml/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith(self.PREFIXES):
            return None
        import requests
        from allauth.core.exceptions import ImmediateHttpResponse
        from django.core.exceptions import PermissionDenied
        from onelogin.saml2.errors import OneLogin_Saml2_Error

        from . import sso

        if isinstance(exception, ImmediateHttpResponse):
            return exception.response
        provider = _provider_of(request)
        if isinstance(exception, requests.RequestException | OSError):
            return sso.unreachable(request, provider, repr(exception))
        if isinstance(exception, PermissionDenied | OneLogin_Saml2_Error | ValueError):
            return sso.refuse(request, provider, repr(exception))
        return None


def _provider_of(request):
    """The identity provider an SSO address belongs to, when it can be told."""
    from allauth.socialaccount.adapter import get_adapter

    match = getattr(request, "resolver_match", None)
    kwargs = match.kwargs if match else {}
    try:
        if "organization_slug" in kwargs:
            return get_adapter(request).get_provider(
                request, "saml", client_id=kwargs["organization_slug"]
            )
        if "provider_id" in kwargs:
            return get_adapter(request).get_provider(request, kwargs["provider_id"])
    except Exception:  # an unknown provider: the message names none
        return None
    return None
