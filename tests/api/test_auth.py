"""Token authentication: a Wagtail API token acts as its person; no token is anonymous; a bad
token is refused rather than quietly downgraded; a browser session never counts."""

import json

import pytest
from django.test import Client
from wagtail.models import APIToken

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_valid_token_acts_as_its_person(api, closed_world):
    response = api.get(f"programmes/{closed_world.programme.slug}/", user=closed_world.contributor)

    assert response.status_code == 200
    assert response.json()["your_level"] == "contributor"


def test_using_a_token_records_when_it_was_last_used(api, world):
    token, plaintext = APIToken.create_token(user=world.observer, name="script")

    api.get("programmes/", token=plaintext)

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_is_refused_with_401(api, world):
    token, plaintext = APIToken.create_token(user=world.lead, name="old laptop")
    token.revoke()

    response = api.get(f"programmes/{world.programme.slug}/", token=plaintext)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "revoked" in response.json()["detail"]


def test_unknown_token_is_refused_with_401(api, world):
    response = api.get("programmes/", token="wagtail_not-a-real-token")

    assert response.status_code == 401


def test_token_of_a_deactivated_person_is_refused(api, world):
    _, plaintext = APIToken.create_token(user=world.contributor, name="script")
    world.contributor.is_active = False
    world.contributor.save()

    response = api.get("programmes/", token=plaintext)

    assert response.status_code == 401


def test_missing_token_reads_open_programme_as_anonymous(api, world, make_document):
    document = make_document(world)

    response = api.get(f"programmes/{world.programme.slug}/documents/{document.slug}/")

    assert response.status_code == 200
    assert response.json()["title"] == "Visie"


def test_missing_token_cannot_see_members_only_programme(api, closed_world):
    response = api.get(f"programmes/{closed_world.programme.slug}/")

    assert response.status_code == 404


def test_missing_token_cannot_write(api, world, make_document):
    document = make_document(world)

    response = api.put(
        f"programmes/{world.programme.slug}/documents/{document.slug}/",
        {"base_version_id": document.head_id, "body": "Anonymous change."},
    )

    assert response.status_code == 403
    document.refresh_from_db()
    assert document.body == "Eerste versie.\n"


def test_logged_in_browser_session_does_not_authenticate_api_calls(world, make_document):
    """The session cookie is ignored, so a page on another site cannot make a logged-in
    browser change anything through the API (no CSRF exposure)."""
    document = make_document(world)
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username=world.lead.username, password=PASSWORD)

    seen = browser.get(f"/api/v1/programmes/{world.programme.slug}/")
    write = browser.put(
        f"/api/v1/programmes/{world.programme.slug}/documents/{document.slug}/",
        json.dumps({"base_version_id": document.head_id, "body": "Forged."}),
        content_type="application/json",
    )

    assert seen.json()["your_level"] == "reader"
    assert write.status_code == 403
    document.refresh_from_db()
    assert document.body == "Eerste versie.\n"


def test_token_writes_need_no_csrf_token(api, world, make_document):
    document = make_document(world)

    response = api.put(
        f"programmes/{world.programme.slug}/documents/{document.slug}/",
        {"base_version_id": document.head_id, "body": "From a script.\n"},
        user=world.contributor,
    )

    assert response.status_code == 200


def test_administrator_manages_api_tokens_in_the_admin(world):
    """The API docs send people to Settings → API tokens in the admin: it must be there."""
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    browser = Client()
    assert browser.login(username="admin", password=PASSWORD)

    response = browser.get("/admin/api-tokens/new/")

    assert response.status_code == 200
    assert world.contributor.username in response.content.decode()
