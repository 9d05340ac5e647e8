"""A real SAML 2.0 identity provider for the tests, built on pysaml2's IdP (`saml2.server.Server`),
run as its own process on a loopback port (`python tests/sso/saml_idp.py PORT DATA_DIR`).

It signs its assertions with DATA_DIR/idp.key and idp.crt, learns Stip (the service provider)
from its published metadata (`sp_metadata_url` in DATA_DIR/sp.json), keeps a log-in session
in a cookie of its own (so a second log-in needs no password, until single log-out ends it),
and reads at every request:
- `people.json`: who can log in, as for the OpenID Connect provider;
- `mode` (optional): `tamper` (an attribute changed after signing), `wrong_audience` (the
  assertion is for another service), `expired` (its validity ended ten minutes ago).
Every SAMLResponse it sends is appended to DATA_DIR/responses.log (for the replay test).
"""

import base64
import html
import json
import secrets
import sys
import urllib.request
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256
from saml2.xmldsig import SIG_RSA_SHA256 as SHA256

PORT = int(sys.argv[1])
DATA = Path(sys.argv[2])
BASE = f"http://127.0.0.1:{PORT}"
ENTITY_ID = f"{BASE}/metadata"
COOKIE = "idp_session"

# A second service the provider knows, so it can address an answer to the wrong one.
OTHER_SP = "https://another-service.example/metadata"
OTHER_SP_METADATA = f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{OTHER_SP}">
<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
 Location="https://another-service.example/acs" index="1"/>
</md:SPSSODescriptor></md:EntityDescriptor>"""

SESSIONS: dict[str, str] = {}  # cookie value -> user name
PENDING: dict[str, tuple] = {}  # form token -> (authn request, relay state)
_servers: dict[str, Server] = {}


def people() -> dict:
    return json.loads((DATA / "people.json").read_text())


def mode() -> str:
    path = DATA / "mode"
    return path.read_text().strip() if path.exists() else ""


def server(lifetime_minutes: int = 5) -> Server:
    key = str(lifetime_minutes)
    if key not in _servers:
        sp = json.loads((DATA / "sp.json").read_text())
        with urllib.request.urlopen(sp["sp_metadata_url"], timeout=10) as answer:  # noqa: S310
            sp_metadata = answer.read().decode()
        config = IdPConfig()
        config.load(
            {
                "entityid": ENTITY_ID,
                "service": {
                    "idp": {
                        "name": "Test identity provider",
                        "endpoints": {
                            "single_sign_on_service": [(f"{BASE}/sso", BINDING_HTTP_REDIRECT)],
                            "single_logout_service": [(f"{BASE}/slo", BINDING_HTTP_REDIRECT)],
                        },
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": lifetime_minutes},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "want_authn_requests_signed": False,
                    }
                },
                "key_file": str(DATA / "idp.key"),
                "cert_file": str(DATA / "idp.crt"),
                "metadata": {"inline": [sp_metadata, OTHER_SP_METADATA]},
                "xmlsec_binary": "/usr/bin/xmlsec1",
                "signing_algorithm": SHA256,
                "digest_algorithm": DIGEST_SHA256,
            }
        )
        _servers[key] = Server(config=config)
    return _servers[key]


LOGIN_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Test identity provider</title></head>
<body><h1>Test identity provider (SAML)</h1>{error}
<form method="post" action="/login"><input type="hidden" name="token" value="{token}">
<label for="username">Provider user name</label><input id="username" name="username">
<label for="password">Provider password</label>
<input id="password" name="password" type="password">
<button type="submit">Sign in at the provider</button></form></body></html>"""

POST_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Back to the service</title></head>
<body><form method="post" action="{action}" id="back">
<input type="hidden" name="SAMLResponse" value="{response}">
<input type="hidden" name="RelayState" value="{relay_state}">
<button type="submit">Continue</button></form>
<script>document.getElementById("back").submit();</script></body></html>"""


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass

    def _send(self, status: int, body: str = "", headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body.encode())

    def _session_user(self) -> str:
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        morsel = cookie.get(COOKIE)
        return SESSIONS.get(morsel.value, "") if morsel else ""

    def do_GET(self):  # noqa: N802
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path == "/sso":
            return self._sso(query)
        if url.path == "/slo":
            return self._slo(query)
        return self._send(404, "not here")

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if urlparse(self.path).path != "/login":
            return self._send(404, "not here")
        token = form.get("token", "")
        person = people().get(form.get("username", ""))
        if token not in PENDING:
            return self._send(400, "unknown log-in")
        if not person or person["password"] != form.get("password"):
            return self._send(
                200, LOGIN_PAGE.format(token=token, error='<p role="alert">Wrong password.</p>')
            )
        session = secrets.token_urlsafe(16)
        SESSIONS[session] = form["username"]
        request, relay_state = PENDING.pop(token)
        self._answer(request, relay_state, form["username"], {"Set-Cookie": f"{COOKIE}={session}"})

    def _sso(self, query: dict) -> None:
        parsed = server().parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
        relay_state = query.get("RelayState", "")
        user = self._session_user()
        if user and user in people():
            return self._answer(parsed.message, relay_state, user, {})
        token = secrets.token_urlsafe(16)
        PENDING[token] = (parsed.message, relay_state)
        self._send(200, LOGIN_PAGE.format(token=token, error=""))

    def _answer(self, request, relay_state: str, username: str, headers: dict) -> None:
        person = people()[username]
        behaviour = mode()
        idp = server(-10 if behaviour == "expired" else 5)
        args = idp.response_args(request, [BINDING_HTTP_POST])
        identity = {
            "mail": [person["email"]],
            "givenName": [person["given_name"]],
            "sn": [person["family_name"]],
        }
        if person.get("schac_home_organization"):
            identity["schacHomeOrganization"] = [person["schac_home_organization"]]
        if behaviour == "wrong_audience":
            args["sp_entity_id"] = OTHER_SP
        response = idp.create_authn_response(
            identity=identity,
            in_response_to=args["in_response_to"],
            destination=args["destination"],
            sp_entity_id=args["sp_entity_id"],
            name_id_policy=args.get("name_id_policy"),
            userid=username,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"pid-{username}"),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_assertion=True,
            sign_response=True,
            sign_alg=SHA256,
            digest_alg=DIGEST_SHA256,
        )
        xml = str(response)
        if behaviour == "tamper":
            xml = xml.replace(person["email"], "someone.else@example.org")
        encoded = base64.b64encode(xml.encode()).decode()
        with (DATA / "responses.log").open("a") as log:
            log.write(json.dumps({"action": args["destination"], "response": encoded}) + "\n")
        page = POST_PAGE.format(
            action=html.escape(args["destination"]),
            response=encoded,
            relay_state=html.escape(relay_state),
        )
        self._send(200, page, headers)

    def _slo(self, query: dict) -> None:
        idp = server()
        parsed = idp.parse_logout_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
        name = parsed.message.name_id.text if parsed.message.name_id is not None else ""
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        if COOKIE in cookie:
            SESSIONS.pop(cookie[COOKIE].value, None)
        with (DATA / "logouts.log").open("a") as log:
            log.write(name + "\n")
        response = idp.create_logout_response(parsed.message, [BINDING_HTTP_REDIRECT])
        args = idp.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            destination=idp.response_args(parsed.message, [BINDING_HTTP_REDIRECT])["destination"],
            relay_state=query.get("RelayState", ""),
            response=True,
        )
        location = dict(args["headers"])["Location"]
        self._send(302, "", {"Location": location, "Set-Cookie": f"{COOKIE}=; Max-Age=0"})


if __name__ == "__main__":
    httpd = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    httpd.daemon_threads = True
    (DATA / "ready").write_text("ok")
    httpd.serve_forever()
