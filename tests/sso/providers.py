"""Fixtures: real identity providers on loopback ports, started once per test run as processes
of their own (an OpenID Connect provider on django-oauth-toolkit, a SAML IdP on pysaml2), and
Stip configured to use them: the OpenID Connect provider through the environment (SSO_OIDC_*),
the SAML IdP as a social application in the database (as an admin adds one).

Test modules import the fixtures they use from here."""

import base64
import datetime
import hashlib
import hmac
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import environ
import pytest
from django.test import override_settings

HERE = Path(__file__).parent
OIDC_ID = "testop"
SAML_ID = "testidp"

PEOPLE = {
    "anna": {
        "password": "anna-at-the-provider",
        "email": "anna.devries@albeda.nl",
        "given_name": "Anna",
        "family_name": "de Vries",
        "schac_home_organization": "albeda.nl",
    },
    "bram": {
        "password": "bram-at-the-provider",
        "email": "bram@unknown-school.nl",
        "given_name": "Bram",
        "family_name": "Jansen",
        "schac_home_organization": "unknown-school.nl",
    },
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def totp_code(secret: str, at: float | None = None) -> str:
    """The six-digit code an authenticator app shows for a base32 secret (RFC 6238)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((at if at is not None else time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


@dataclass
class Provider:
    url: str
    data: Path
    process: subprocess.Popen

    def people(self, people: dict) -> None:
        (self.data / "people.json").write_text(json.dumps(people))

    def misbehave(self, mode: str) -> None:
        (self.data / "mode").write_text(mode)

    def log(self, name: str) -> list[str]:
        path = self.data / name
        return path.read_text().splitlines() if path.exists() else []

    def reset(self) -> None:
        self.people(PEOPLE)
        for name in ("mode", "responses.log", "logouts.log"):
            (self.data / name).unlink(missing_ok=True)


def _start(script: str, data: Path, port: int) -> subprocess.Popen:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    process = subprocess.Popen(
        [sys.executable, str(HERE / script), str(port), str(data)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=open(data / "stderr.log", "w"),  # noqa: SIM115
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not (data / "ready").exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"{script} did not start: {(data / 'stderr.log').read_text()}")
        time.sleep(0.1)
    return process


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def oidc_server(live_server, tmp_path_factory):
    data = tmp_path_factory.mktemp("oidc-provider")
    port = free_port()
    (data / "client.json").write_text(
        json.dumps(
            {
                "client_id": "stip-test",
                "secret": "stip-test-secret",
                "redirect_uri": f"{live_server.url}/accounts/oidc/{OIDC_ID}/login/callback/",
                "logout_uri": f"{live_server.url}/",
            }
        )
    )
    (data / "people.json").write_text(json.dumps(PEOPLE))
    process = _start("oidc_provider.py", data, port)
    yield Provider(url=f"http://127.0.0.1:{port}/o", data=data, process=process)
    _stop(process)


@pytest.fixture
def oidc_provider(oidc_server, monkeypatch):
    """Stip with the OpenID Connect provider configured through the environment."""
    oidc_server.reset()
    for name, value in {
        "SSO_OIDC_NAME": "Test OIDC",
        "SSO_OIDC_ID": OIDC_ID,
        "SSO_OIDC_SERVER_URL": oidc_server.url,
        "SSO_OIDC_CLIENT_ID": "stip-test",
        "SSO_OIDC_CLIENT_SECRET": "stip-test-secret",
        "SSO_OIDC_TRUST_EMAIL": "true",
    }.items():
        monkeypatch.setenv(name, value)
    from participation.sso_settings import providers_from_environment

    providers = providers_from_environment(environ.Env())
    providers["openid_connect"]["APPS"][0]["settings"]["oauth_pkce_enabled"] = True
    with override_settings(SOCIALACCOUNT_PROVIDERS=providers):
        yield oidc_server


def _certificate(data: Path) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-idp.localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    (data / "idp.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    (data / "idp.crt").write_text(pem)
    return pem


@pytest.fixture(scope="session")
def saml_server(live_server, tmp_path_factory):
    import shutil

    if shutil.which("xmlsec1") is None:
        reason = "the SAML identity provider needs xmlsec1 (apt-get install xmlsec1)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must not skip this test: {reason}", pytrace=False)
        pytest.skip(reason)
    data = tmp_path_factory.mktemp("saml-idp")
    port = free_port()
    certificate = _certificate(data)
    (data / "sp.json").write_text(
        json.dumps({"sp_metadata_url": f"{live_server.url}/accounts/saml/{SAML_ID}/metadata/"})
    )
    (data / "people.json").write_text(json.dumps(PEOPLE))
    process = _start("saml_idp.py", data, port)
    server = Provider(url=f"http://127.0.0.1:{port}", data=data, process=process)
    server.certificate = certificate
    yield server
    _stop(process)


def saml_app_settings(server) -> dict:
    from participation.sso_settings import SAML_ATTRIBUTE_MAPPING

    return {
        "idp": {
            "entity_id": f"{server.url}/metadata",
            "sso_url": f"{server.url}/sso",
            "slo_url": f"{server.url}/slo",
            "x509cert": server.certificate,
        },
        "advanced": {"want_assertion_signed": True, "reject_idp_initiated_sso": True},
        "attribute_mapping": SAML_ATTRIBUTE_MAPPING,
        "verified_email": True,
    }


@pytest.fixture
def saml_provider(saml_server, transactional_db):
    """Stip with the SAML IdP configured as a social application in the database."""
    from allauth.socialaccount.models import SocialApp

    saml_server.reset()
    SocialApp.objects.create(
        provider="saml",
        provider_id=SAML_ID,
        name="Test SAML",
        client_id=SAML_ID,
        settings=saml_app_settings(saml_server),
    )
    return saml_server


# --- A person's way through the log-in, without a browser (the protocol tests) ---------------

import html as _html  # noqa: E402
import re  # noqa: E402

import requests  # noqa: E402


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    return _html.unescape(found.group(1)) if found else ""


class Visitor:
    """A client that follows redirects and cookies like a browser, for the protocol tests."""

    def __init__(self, live_server):
        self.base = live_server.url
        self.http = requests.Session()

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base + path, timeout=20)

    def start_sso(self, provider_path: str, next_url: str = "") -> requests.Response:
        self.get("/accounts/login/")
        data = {"csrfmiddlewaretoken": self.http.cookies["csrftoken"], "process": "login"}
        if next_url:
            data["next"] = next_url
        return self.http.post(self.base + provider_path, data=data, timeout=20)

    def sign_in_at_provider(self, page: requests.Response, username: str, password: str):
        """Fill in the provider's log-in form; for SAML, also post the answer back to Stip
        (what the page's script does in a browser). Returns the last response."""
        form = {"username": username, "password": password}
        if "op_csrf" in self.http.cookies:
            form["csrfmiddlewaretoken"] = _hidden(page.text, "csrfmiddlewaretoken")
            form["next"] = _hidden(page.text, "next")
            answer = self.http.post(page.url, data=form, timeout=20)
        else:
            form["token"] = _hidden(page.text, "token")
            login_url = page.url.split("/sso")[0] + "/login"
            answer = self.http.post(login_url, data=form, timeout=20)
        return self.follow_saml_post(answer)

    def sso(self, provider_path: str, person: str) -> requests.Response:
        """The whole log-in of one of PEOPLE: the button, the provider's form, back."""
        page = self.start_sso(provider_path)
        return self.sign_in_at_provider(page, person, PEOPLE[person]["password"])

    def follow_saml_post(self, answer: requests.Response) -> requests.Response:
        if 'name="SAMLResponse"' not in answer.text:
            return answer
        action = _html.unescape(re.search(r'action="([^"]+)"', answer.text).group(1))
        return self.post_saml_response(
            action, _hidden(answer.text, "SAMLResponse"), _hidden(answer.text, "RelayState")
        )

    def post_saml_response(self, action: str, response: str, relay_state: str = ""):
        return self.http.post(
            action, data={"SAMLResponse": response, "RelayState": relay_state}, timeout=20
        )

    def confirm_at_provider(self, page: requests.Response) -> requests.Response:
        """Press the button of a provider's confirmation form (all its hidden fields along)."""
        fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        fields = {name: _html.unescape(value) for name, value in fields.items()}
        fields["allow"] = "1"
        return self.http.post(page.url, data=fields, timeout=20)

    def log_in_with_password(self, username: str, password: str) -> requests.Response:
        self.get("/accounts/login/")
        return self.http.post(
            self.base + "/accounts/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.http.cookies["csrftoken"],
            },
            timeout=20,
        )

    def log_out(self) -> requests.Response:
        """Press Log out; where Stip's page sends the person on to the provider (single log-out,
        a refresh in a browser), follow it."""
        answer = self.http.post(
            self.base + "/accounts/logout/",
            data={"csrfmiddlewaretoken": self.http.cookies["csrftoken"]},
            timeout=20,
        )
        onward = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', answer.text)
        if onward:
            answer = self.http.get(_html.unescape(onward.group(1)), timeout=20)
        return answer

    def forget_stip_session(self) -> None:
        """As a browser closed and opened again: Stip's session cookie is gone, the
        provider's stays."""
        for cookie in [c for c in self.http.cookies if c.name == "sessionid"]:
            self.http.cookies.clear(cookie.domain, cookie.path, cookie.name)

    def logged_in_as(self) -> str:
        page = self.get("/").text
        found = re.search(r'<span class="account-name">([^<]*)</span>', page)
        return _html.unescape(found.group(1)) if found else ""

    def messages(self, response: requests.Response) -> str:
        return _html.unescape(response.text)


@pytest.fixture
def sso_log():
    """The lines Stip logs about single sign-on (logger `stip.sso`)."""
    import logging

    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    handler = Collect(level=logging.INFO)
    logger = logging.getLogger("stip.sso")
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)


def callback_url(visitor: Visitor, page: requests.Response, username: str, password: str) -> str:
    """Sign in at the OpenID Connect provider and stop before Stip's callback: its address
    (with the code and state) is what an attacker would replay."""
    form = {
        "username": username,
        "password": password,
        "csrfmiddlewaretoken": _hidden(page.text, "csrfmiddlewaretoken"),
        "next": _hidden(page.text, "next"),
    }
    answer = visitor.http.post(page.url, data=form, timeout=20, allow_redirects=False)
    while answer.is_redirect:
        location = requests.compat.urljoin(answer.url, answer.headers["Location"])
        if location.startswith(visitor.base):
            return location
        answer = visitor.http.get(location, timeout=20, allow_redirects=False)
    raise AssertionError(f"the provider did not send the person back: {answer.status_code}")


@pytest.fixture
def albeda(transactional_db):
    """A confirmed school whose identity-provider domain is the one Anna's provider sends."""
    from participation.models import IdentityDomain
    from tests import factories

    organisation = factories.OrganisationFactory(name="Albeda College", is_confirmed=True)
    IdentityDomain.objects.create(organisation=organisation, value="albeda.nl")
    return organisation


def assert_refused(visitor: Visitor, answer: requests.Response) -> None:
    """A refused single sign-on: back on the log-in page with the reason, nobody logged in, no
    account made."""
    from django.contrib.auth import get_user_model

    assert answer.url.endswith("/accounts/login/")
    assert "could not be trusted or has expired" in answer.text
    assert visitor.logged_in_as() == ""
    assert not get_user_model().objects.exists()
