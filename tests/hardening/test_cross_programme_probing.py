"""Ids from another programme never open its data: a lead of one programme who puts the ids of
a members-only programme's document, versions, timebox and baseline into their own programme's
addresses, on the site or through the API, gets 404 and none of the hidden text."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import APIToken

from wiki import services

pytestmark = pytest.mark.django_db

SECRET = "Secret merger plan"


@pytest.fixture
def probe(world, closed_world, make_document):
    own = make_document(world, title="Our vision", body="Open text.\n")
    hidden = make_document(closed_world, title=SECRET, body=f"{SECRET}: details.\n")
    services.document_save(
        document=hidden,
        body=f"{SECRET}: more details.\n",
        base_version_id=hidden.head_id,
        author=closed_world.lead,
    )
    hidden.refresh_from_db()
    comment = services.comment_add(document=hidden, author=closed_world.observer, body=SECRET)
    ids = {"document": hidden, "version": hidden.head_id, "comment": comment.pk}
    try:
        from timeboxes import services as timeboxes
    except ImportError:
        return own, ids
    now = timezone.now()
    timebox = timeboxes.timebox_create(
        programme=closed_world.programme,
        by=closed_world.lead,
        name=SECRET,
        starts_at=now - timedelta(days=1),
        deadline=now + timedelta(days=1),
        documents=[hidden],
    )
    ids["timebox"] = timebox.pk
    ids["baseline"] = timeboxes.timebox_close(timebox=timebox, by=closed_world.lead, outcome="x").pk
    return own, ids


def _refused(response) -> None:
    assert response.status_code == 404, response.status_code
    assert SECRET not in response.content.decode()


def test_other_programmes_ids_through_the_site_get_404(world, probe):
    own, ids = probe
    client = Client()
    client.force_login(world.lead)
    base = f"/p/{world.programme.slug}"
    mine = f"{base}/d/{own.slug}"
    _refused(client.get(f"{base}/d/{ids['document'].slug}/"))
    _refused(client.get(f"{base}/d/{ids['document'].slug}/history/"))
    _refused(client.get(f"{mine}/v/{ids['version']}/"))
    _refused(client.get(f"{mine}/diff/?from={ids['version']}&to={own.head_id}"))
    _refused(client.get(f"{mine}/diff/?to={ids['version']}"))
    _refused(client.post(f"{mine}/revert/{ids['version']}/"))
    _refused(client.get(f"/p/{ids['document'].programme.slug}/d/{ids['document'].slug}/"))
    if "baseline" in ids:
        _refused(client.get(f"{base}/timeboxes/{ids['timebox']}/"))
        _refused(client.get(f"{base}/baselines/{ids['baseline']}/"))
        _refused(client.get(f"{base}/baselines/{ids['baseline']}/export.html"))


def test_other_programmes_ids_through_the_api_get_404(world, probe):
    own, ids = probe
    _, token = APIToken.create_token(user=world.lead, name="probe")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = f"/api/v1/programmes/{world.programme.slug}"
    mine = f"{base}/documents/{own.slug}"
    _refused(client.get(f"{base}/documents/{ids['document'].slug}/"))
    _refused(client.get(f"{mine}/versions/{ids['version']}/"))
    _refused(client.get(f"{mine}/diff/", {"from": ids["version"], "to": own.head_id}))
    _refused(
        client.post(f"{mine}/versions/{ids['version']}/revert/", content_type="application/json")
    )
    hidden_programme = ids["document"].programme.slug
    _refused(client.get(f"/api/v1/programmes/{hidden_programme}/documents/"))
    _refused(client.get(f"/api/v1/programmes/{hidden_programme}/documents/{ids['document'].slug}/"))
    search = client.get("/api/v1/search/", {"q": "merger"})
    assert search.status_code == 200 and SECRET not in search.content.decode()
    if "baseline" in ids:
        _refused(client.get(f"{base}/timeboxes/{ids['timebox']}/"))
        _refused(client.get(f"{base}/baselines/{ids['baseline']}/"))
