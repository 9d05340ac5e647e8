"""A NUL character (0x00) in an address, a search or an API body gets a 400 with a clear
message and changes nothing; PostgreSQL cannot hold it, so before it was a server error (found
by the API fuzz test). Typed text with a NUL in a form gets the form's own message and is kept."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import ApiClient
from timeboxes.models import Timebox
from wiki.models import Comment

pytestmark = pytest.mark.django_db

MESSAGE = "The request contains a NUL character"


def test_api_search_with_nul_in_the_programme_is_a_400_with_a_message(world):
    response = ApiClient().get("search/", {"q": "visie", "programme": "a\x00b"}, user=world.lead)
    assert response.status_code == 400
    assert MESSAGE in response.json()["detail"]


def test_api_timebox_with_nul_in_a_document_slug_is_refused_and_nothing_is_made(world):
    payload = {
        "name": "Fase",
        "starts_at": timezone.now().isoformat(),
        "deadline": (timezone.now() + timedelta(days=5)).isoformat(),
        "documents": ["vi\x00sie"],
    }
    response = ApiClient().post(
        f"programmes/{world.programme.slug}/timeboxes/", payload, user=world.lead
    )
    assert response.status_code == 400
    assert MESSAGE in response.json()["detail"]
    assert not Timebox.objects.exists()


def test_api_text_that_only_looks_like_an_escape_is_accepted(world, make_document):
    """A document may explain the JSON escape for NUL in words: only a real NUL is refused."""
    document = make_document(world)
    response = ApiClient().put(
        f"programmes/{world.programme.slug}/documents/{document.slug}/",
        {
            "title": document.title,
            "body": "Schrijf \\u0000 niet.\n",
            "base_version_id": document.head_id,
        },
        user=world.contributor,
    )
    assert response.status_code == 200, response.content


def test_site_search_and_addresses_with_nul_get_a_page_that_says_why(client, world):
    for address in (
        reverse("wiki:search") + "?q=vi%00sie",
        f"/p/{world.programme.slug}/d/vi%00sie/",
    ):
        response = client.get(address)
        assert response.status_code == 400, address
        assert MESSAGE in response.text


def test_a_comment_with_nul_keeps_its_text_and_says_why(client, world, make_document):
    document = make_document(world)
    client.force_login(world.observer)
    url = reverse("wiki:comment", args=[world.programme.slug, document.slug])
    response = client.post(url, {"body": "Goed plan\x00 zeg ik."})
    assert response.status_code == 400  # the document page again, with the comment as typed
    assert "Null characters are not allowed." in response.text
    assert "Goed plan" in response.text
    assert not Comment.objects.exists()
