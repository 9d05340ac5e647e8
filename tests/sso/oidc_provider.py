"""A real OpenID Connect provider for the tests: a small Django project with django-oauth-toolkit,
run as its own process on a loopback port (`python tests/sso/oidc_provider.py PORT DATA_DIR`).

DATA_DIR holds what the test decides, read at every request:
- `people.json`: who can log in here, `{"username": {"password", "email", "given_name",
  "family_name", "schac_home_organization"?, "tid"?}}`;
- `client.json`: the one client (Stip): `{"client_id", "secret", "redirect_uri", "logout_uri"}`;
- `mode` (optional): how the provider misbehaves, `wrong_audience` or `expired` ID tokens.
"""

import json
import sys
import time
from pathlib import Path

import django
from django.conf import settings

PORT = int(sys.argv[1])
DATA = Path(sys.argv[2])
ISSUER = f"http://127.0.0.1:{PORT}/o"

LOGIN_TEMPLATE = """<!DOCTYPE html><html lang="en">
<head><title>Test identity provider</title></head>
<body><h1>Test identity provider (OpenID Connect)</h1>
<form method="post">{% csrf_token %}
{% if form.errors %}<p role="alert">Wrong user name or password.</p>{% endif %}
<label for="id_username">Provider user name</label>
<input id="id_username" name="username" autocomplete="off">
<label for="id_password">Provider password</label>
<input id="id_password" name="password" type="password">
<input type="hidden" name="next" value="{{ next }}">
<button type="submit">Sign in at the provider</button></form></body></html>"""

# Without an ID token to name the session, a provider asks before it ends it (OpenID Connect
# RP-Initiated Logout 1.0, section 2).
LOGOUT_TEMPLATE = """<!DOCTYPE html><html lang="en">
<head><title>Test identity provider</title></head>
<body><h1>Log out of the test identity provider?</h1>
<form method="post">{% csrf_token %}
{% for field in form %}{% if field.is_hidden %}{{ field }}{% endif %}{% endfor %}
<button type="submit" name="allow" value="1">Log out at the provider</button>
</form></body></html>"""


def _rsa_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


settings.configure(
    DEBUG=False,
    SECRET_KEY="test-oidc-provider",  # noqa: S106
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    USE_TZ=True,
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "oauth2_provider",
    ],
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA / "op.db")}},
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {
                            "login.html": LOGIN_TEMPLATE,
                            "oauth2_provider/logout_confirm.html": LOGOUT_TEMPLATE,
                        },
                    )
                ],
                "context_processors": ["django.template.context_processors.request"],
            },
        }
    ],
    # The browser shares cookies between ports of one host: the provider's have names of
    # their own, so its session and Stip's do not overwrite each other.
    SESSION_COOKIE_NAME="op_session",
    CSRF_COOKIE_NAME="op_csrf",
    LOGIN_URL="/login/",
    AUTHENTICATION_BACKENDS=[f"{__name__}.PeopleBackend"],
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    OAUTH2_PROVIDER={
        "OIDC_ENABLED": True,
        "OIDC_ISS_ENDPOINT": ISSUER,
        "OIDC_RSA_PRIVATE_KEY": _rsa_key(),
        "OAUTH2_VALIDATOR_CLASS": f"{__name__}.Validator",
        "SCOPES": {"openid": "OpenID", "profile": "Profile", "email": "E-mail"},
        "PKCE_REQUIRED": True,
        "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
        "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    },
)
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth import views as auth_views  # noqa: E402
from django.contrib.auth.backends import ModelBackend  # noqa: E402
from django.urls import include, path  # noqa: E402
from oauth2_provider.oauth2_validators import OAuth2Validator  # noqa: E402


def people() -> dict:
    return json.loads((DATA / "people.json").read_text())


def mode() -> str:
    path_ = DATA / "mode"
    return path_.read_text().strip() if path_.exists() else ""


class PeopleBackend(ModelBackend):
    """The people of people.json, created in the provider's database when they log in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        person = people().get(username or "")
        if not person or person["password"] != password:
            return None
        user, _created = get_user_model().objects.update_or_create(
            username=username,
            defaults={
                "email": person["email"],
                "first_name": person["given_name"],
                "last_name": person["family_name"],
            },
        )
        return user


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # every claim, whatever the scope

    def get_additional_claims(self, request):
        person = people()[request.user.username]
        claims = {
            "email": person["email"],
            "email_verified": True,
            "given_name": person["given_name"],
            "family_name": person["family_name"],
            "name": f"{person['given_name']} {person['family_name']}",
        }
        for claim in ("schac_home_organization", "tid"):
            if person.get(claim):
                claims[claim] = person[claim]
        return claims

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        if mode() == "wrong_audience":
            claims["aud"] = "another-service"
        if mode() == "expired":
            claims["exp"] = int(time.time()) - 600
        return claims, expiration


def _setup() -> None:
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    client = json.loads((DATA / "client.json").read_text())
    Application.objects.update_or_create(
        client_id=client["client_id"],
        defaults={
            "client_secret": client["secret"],
            "hash_client_secret": False,
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": client["redirect_uri"],
            "post_logout_redirect_uris": client["logout_uri"],
            "algorithm": Application.RS256_ALGORITHM,
            "skip_authorization": True,
            "name": "Stip",
        },
    )


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]


if __name__ == "__main__":
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.wsgi import get_wsgi_application

    _setup()

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):  # noqa: A002
            pass

    class ThreadingServer(__import__("socketserver").ThreadingMixIn, WSGIServer):
        daemon_threads = True

    server = make_server(
        "127.0.0.1", PORT, get_wsgi_application(), ThreadingServer, handler_class=QuietHandler
    )
    (DATA / "ready").write_text("ok")
    server.serve_forever()
