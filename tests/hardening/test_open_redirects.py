"""A `next` address that came with a request is followed only when it stays on this site:
another host, a scheme-relative `//host`, `javascript:` and the like go to the page's own
address instead, and never turn a saved change into a server error."""

import pytest
from django.urls import reverse

from participation.http import safe_url
from usecases.models import SignOff

pytestmark = pytest.mark.django_db

OFF_SITE = [
    "https://evil.example/phish",
    "//evil.example/phish",
    "///evil.example/phish",
    "/\\evil.example/phish",
    "\\\\evil.example/phish",
    "https:evil.example",
    " //evil.example/phish",
    "\x01//evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http://testserver@evil.example/",
    "wiki:home",  # a view name: taken as an address, never looked up
    "",
]


@pytest.fixture
def signoff_page(world, make_document):
    document = make_document(world, title="Roosteren", body="Tekst.\n")
    return document, reverse("usecases:signoffs", args=[world.programme.slug, document.slug])


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_off_never_sends_the_browser_off_the_site(client, world, signoff_page, target):
    document, url = signoff_page
    client.force_login(world.contributor)

    response = client.post(url, {"verdict": "agree", "next": target})

    assert response.status_code == 302
    assert response["Location"] == url
    assert (
        SignOff.objects.filter(document=document, organisation=world.contributing_org).count() == 1
    )


def test_sign_off_follows_a_next_address_on_this_site(client, world, signoff_page):
    document, url = signoff_page
    client.force_login(world.contributor)
    here = document.get_absolute_url() + "?tab=signoffs"

    response = client.post(url, {"verdict": "agree", "next": here})

    assert response.status_code == 302
    assert response["Location"] == here


@pytest.mark.parametrize("target", OFF_SITE[:-2])
def test_log_in_and_language_switch_stay_on_the_site(client, world, target):
    login = client.post(
        reverse("login") + "?next=" + target,
        {"username": world.observer.username, "password": "stip-test-password", "next": target},
    )
    language = client.post(reverse("set_language"), {"language": "nl", "next": target})

    assert login.status_code == 302 and "evil.example" not in login["Location"]
    assert not login["Location"].lower().startswith(("javascript", "data"))
    assert language.status_code == 302 and "evil.example" not in language["Location"]
    assert not language["Location"].lower().startswith(("javascript", "data"))


def test_the_helper_keeps_addresses_of_this_site(rf, settings):
    settings.ALLOWED_HOSTS = ["stip.example.org"]
    request = rf.get("/", HTTP_HOST="stip.example.org")
    assert safe_url(request, "/p/triple-a/", "/") == "/p/triple-a/"
    assert safe_url(request, "http://stip.example.org/p/x/", "/") == "http://stip.example.org/p/x/"
    assert safe_url(request, "https://evil.example/", "/fallback/") == "/fallback/"
    assert safe_url(request, None, "/fallback/") == "/fallback/"
    secure = rf.get("/", HTTP_HOST="stip.example.org", secure=True)
    assert safe_url(secure, "http://stip.example.org/p/x/", "/") == "/"  # no downgrade
