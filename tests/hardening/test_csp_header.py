"""Every page carries a Content-Security-Policy; our own pages forbid inline script."""

import pytest

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_site_pages_forbid_inline_script_and_eval(client):
    policy = _policy(client.get("/"))

    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy.get("style-src", [])
    # These do not fall back to default-src: without them a <base> tag, a form or a framing
    # site could point anywhere.
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"]


def test_document_page_forbids_inline_script(client, world, make_document):
    document = make_document(world)

    response = client.get(f"/p/{world.programme.slug}/d/{document.slug}/")

    assert response.status_code == 200
    assert _policy(response)["script-src"] == ["'self'"]


def test_wagtail_admin_gets_its_inline_script_allowance_only_there(client):
    policy = _policy(client.get("/admin/login/"))

    assert "'unsafe-inline'" in policy["script-src"]
    assert "'self'" in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
