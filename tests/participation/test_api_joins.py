"""The API for join requests, decisions, watches and notifications."""

import pytest

from participation import services
from participation.models import JoinRequest, Membership
from tests import factories
from tests.api.conftest import ApiClient
from wiki.models import Watch

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> ApiClient:
    return ApiClient()


@pytest.fixture
def newcomer(world):
    organisation = factories.OrganisationFactory(name="API School")
    person = factories.UserFactory(username="api-newcomer")
    factories.AffiliationFactory(user=person, organisation=organisation)
    return person, organisation


def _requests(world):
    return f"programmes/{world.programme.slug}/join-requests/"


def test_request_and_approval_through_the_api(api, world, newcomer):
    person, organisation = newcomer
    response = api.post(
        _requests(world),
        {"organisation": organisation.slug, "motivation": "Meekijken graag."},
        user=person,
    )
    assert response.status_code == 201, response.content
    request_id = response.json()["id"]
    assert response.json()["level"] == "observer"

    listed = api.get(_requests(world), user=world.lead).json()
    assert [r["id"] for r in listed] == [request_id]

    decided = api.post(
        f"{_requests(world)}{request_id}/decision/", {"approve": True}, user=world.lead
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert Membership.objects.get(organisation=organisation).level == "observer"

    again = api.post(
        f"{_requests(world)}{request_id}/decision/",
        {"approve": False, "reason": "x"},
        user=world.lead,
    )
    assert again.status_code == 409


def test_observer_cannot_decide_through_the_api(api, world, newcomer):
    person, organisation = newcomer
    join_request = services.join_request_create(
        programme=world.programme, organisation=organisation, by=person, motivation="Graag."
    )
    response = api.post(
        f"{_requests(world)}{join_request.pk}/decision/", {"approve": True}, user=world.observer
    )
    assert response.status_code == 403
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.PENDING


def test_declining_without_reason_is_a_field_error(api, world, newcomer):
    person, organisation = newcomer
    join_request = services.join_request_create(
        programme=world.programme, organisation=organisation, by=person, motivation="Graag."
    )
    response = api.post(
        f"{_requests(world)}{join_request.pk}/decision/", {"approve": False}, user=world.lead
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_anonymous_gets_401_for_joining(api, world):
    response = api.post(_requests(world), {"organisation": "x", "motivation": "y"})
    assert response.status_code == 401


def test_watch_and_notifications_through_the_api(
    api, world, make_document, django_capture_on_commit_callbacks, settings
):
    settings.STIP_NOTIFICATION_COALESCE_SECONDS = 0
    document = make_document(world, title="API-document")
    response = api.post(
        f"programmes/{world.programme.slug}/watches/",
        {"document": document.slug, "scope": "subtree"},
        user=world.observer,
    )
    assert response.status_code == 200 and response.json()["scope"] == "subtree"
    assert Watch.objects.get(user=world.observer, document=document).scope == "subtree"

    from wiki import services as wiki

    with django_capture_on_commit_callbacks(execute=True):
        wiki.document_save(
            document=document,
            body="Nieuw.\n",
            base_version_id=document.head_id,
            author=world.contributor,
            summary="Via API",
        )
    listed = api.get("notifications/", {"unread": "true"}, user=world.observer).json()
    (item,) = listed["items"]
    assert item["document"] == document.slug and item["summary"] == "Via API"
    assert "/diff/?" in item["url"]
    marked = api.post("notifications/read/", {}, user=world.observer).json()
    assert marked == {"marked": 1}
    assert api.get("notifications/", {"unread": "true"}, user=world.observer).json()["count"] == 0


@pytest.mark.parametrize(
    "query", ["?offset=99999999999999999999", "?limit=99999999999999999999", "?limit=0"]
)
def test_notification_paging_out_of_range_is_refused_not_a_server_error(world, client, query):
    from wagtail.models import APIToken

    _token, key = APIToken.create_token(user=world.observer, name="test")
    response = client.get(
        f"/api/v1/notifications/{query}", headers={"authorization": f"Bearer {key}"}
    )
    assert response.status_code == 400


def test_marking_huge_notification_ids_read_is_refused_not_a_server_error(world, client):
    from wagtail.models import APIToken

    _token, key = APIToken.create_token(user=world.observer, name="test")
    response = client.post(
        "/api/v1/notifications/read/",
        {"ids": [2**70]},
        content_type="application/json",
        headers={"authorization": f"Bearer {key}"},
    )
    assert response.status_code == 400
