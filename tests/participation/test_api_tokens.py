"""Everyone who uses the site may give a program access to the API on their behalf: a token,
shown once, acting with exactly the person's rights, revocable."""

import re

import pytest
from wagtail.models import APIToken

pytestmark = pytest.mark.django_db

PAGE = "/accounts/api-tokens/"


def create(client, name):
    return client.post(PAGE, {"name": name})


def secret_in(response) -> str:
    return re.search(r'<code class="token-secret">([^<]+)</code>', response.content.decode())[1]


def api(client, token, path="notifications/"):
    return client.get(f"/api/v1/{path}", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_an_observer_creates_a_token_sees_it_once_uses_it_and_revokes_it(client, world):
    client.force_login(world.observer)
    created = create(client, "Rapportage Aventus")
    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    secret = secret_in(created)
    assert secret not in client.get(PAGE).content.decode()  # shown only this once
    assert "Rapportage Aventus" in client.get(PAGE).content.decode()

    client.logout()
    assert api(client, secret).status_code == 200
    programme = api(client, secret, f"programmes/{world.programme.slug}/").json()
    assert programme["slug"] == world.programme.slug
    # The token acts with the observer's rights: no editing.
    refused = client.post(
        f"/api/v1/programmes/{world.programme.slug}/documents/",
        {"title": "Nieuw", "kind": "page", "body": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert refused.status_code == 403

    client.force_login(world.observer)
    token = APIToken.objects.get(user=world.observer)
    client.post(f"{PAGE}{token.pk}/revoke/")
    client.logout()
    assert api(client, secret).status_code == 401


def test_a_token_without_a_name_is_refused_with_a_message_and_nothing_is_created(client, world):
    client.force_login(world.contributor)
    response = create(client, "   ")
    assert response.status_code == 400
    assert "Give the token a name" in response.content.decode()
    assert not APIToken.objects.exists()


def test_nobody_revokes_someone_elses_token(client, world):
    token, secret = APIToken.create_token(user=world.lead, name="Lead's script")
    client.force_login(world.contributor)
    assert client.post(f"{PAGE}{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "Lead's script" not in client.get(PAGE).content.decode()


def test_anonymous_people_are_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]
