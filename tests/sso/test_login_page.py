"""The log-in page shows one button per configured identity provider, and none without."""

import environ
import pytest
from allauth.socialaccount.models import SocialApp
from django.urls import reverse

from participation.sso_settings import providers_from_environment

pytestmark = pytest.mark.django_db


def _environment(monkeypatch, **variables):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return providers_from_environment(environ.Env())


def _saml_app(slug: str, name: str, **settings) -> SocialApp:
    return SocialApp.objects.create(
        provider="saml", provider_id=slug, client_id=slug, name=name, settings=settings
    )


def test_without_providers_only_the_password_form_is_shown(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert "Log in with" not in page.text
    assert '<label for="id_username">Username or e-mail address</label>' in page.text


def test_providers_from_the_environment_and_the_admin_each_get_a_button(
    client, settings, monkeypatch
):
    settings.SOCIALACCOUNT_PROVIDERS = _environment(
        monkeypatch,
        SSO_OIDC_SERVER_URL="https://connect.surfconext.nl",
        SSO_OIDC_CLIENT_ID="stip",
        SSO_OIDC_CLIENT_SECRET="secret",
    )
    _saml_app(
        "entra-rotterdam", "Gemeente Rotterdam", idp={"entity_id": "x", "sso_url": "https://idp/"}
    )
    _saml_app("quiet", "Hidden one", hidden=True, idp={"entity_id": "y", "sso_url": "https://y/"})

    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="nl")
    assert "Inloggen met SURFconext" in page.text
    assert "Inloggen met Gemeente Rotterdam" in page.text
    assert "Hidden one" not in page.text
    assert 'action="/accounts/oidc/surfconext/login/"' in page.text
    assert 'action="/accounts/saml/entra-rotterdam/login/"' in page.text


def test_saml_provider_from_the_environment(monkeypatch):
    providers = _environment(
        monkeypatch,
        SSO_SAML_IDP_ENTITY_ID="https://engine.surfconext.nl/authentication/idp/metadata",
        SSO_SAML_IDP_METADATA_URL="https://metadata.surfconext.nl/idp-metadata.xml",
        SSO_SAML_TRUST_EMAIL="true",
        SSO_SAML_SP_CERT="-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----",
        SSO_SAML_SP_KEY="key",
    )
    app = providers["saml"]["APPS"][0]
    assert app["client_id"] == app["provider_id"] == "surfconext"
    assert app["settings"]["idp"] == {
        "entity_id": "https://engine.surfconext.nl/authentication/idp/metadata",
        "metadata_url": "https://metadata.surfconext.nl/idp-metadata.xml",
    }
    assert app["settings"]["verified_email"] is True
    advanced = app["settings"]["advanced"]
    assert advanced["want_assertion_signed"] and advanced["authn_request_signed"]
    assert advanced["x509cert"].splitlines()[1] == "MIIB"
    assert "openid_connect" not in providers


def test_log_in_forms_may_lead_to_the_configured_identity_providers_only(
    client, settings, monkeypatch
):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    strict = client.get(reverse("login"))["Content-Security-Policy"]
    assert "form-action 'self';" in strict + ";"

    settings.SOCIALACCOUNT_PROVIDERS = _environment(
        monkeypatch,
        SSO_OIDC_SERVER_URL="https://connect.surfconext.nl",
        SSO_OIDC_CLIENT_ID="stip",
    )
    _saml_app(
        "entra", "Entra", idp={"entity_id": "x", "sso_url": "https://login.microsoftonline.com/t"}
    )
    elsewhere = client.get("/")["Content-Security-Policy"]
    assert "form-action 'self';" in elsewhere + ";", "only the log-in page's forms lead out"
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    form_action = next(part for part in policy.split("; ") if part.startswith("form-action"))
    assert form_action == (
        "form-action 'self' https://connect.surfconext.nl https://login.microsoftonline.com"
    )
