"""Who may do what, over the API: every role × every action, on an open and a members-only
programme. A refusal is 403 (or 404 where the programme is hidden) and changes nothing."""

import pytest
from reversion.models import Version

from tests.api.conftest import doc_path
from wiki.models import Comment

ROLES = ["anonymous", "outsider", "observer", "contributor", "lead"]
ACTIONS = ["read", "edit", "history", "diff", "revert", "discuss", "manage_members"]

# What each role may do in a programme it may read (open: everyone reads).
ALLOWED = {
    "anonymous": {"read", "history", "diff"},
    "outsider": {"read", "history", "diff"},
    "observer": {"read", "history", "diff", "discuss"},
    "contributor": {"read", "history", "diff", "discuss", "edit", "revert"},
    "lead": {"read", "history", "diff", "discuss", "edit", "revert", "manage_members"},
}
SUCCESS = {"discuss": 201}


@pytest.fixture
def scene(request, world, closed_world, make_document, api):
    chosen = world if request.param == "open" else closed_world
    document = make_document(chosen, body="One.\n")
    first = document.head_id
    api.put(
        doc_path(chosen, document),
        {"base_version_id": first, "body": "One.\nTwo.\n"},
        user=chosen.lead,
    )
    document.refresh_from_db()
    return chosen, document, first


def _attempt(api, world, document, first_version, action, user):
    path = doc_path(world, document)
    programme = world.programme.slug
    if action == "read":
        return api.get(path, user=user)
    if action == "edit":
        body = {"base_version_id": document.head_id, "body": "Changed.\n"}
        return api.put(path, body, user=user)
    if action == "history":
        return api.get(doc_path(world, document, "history/"), user=user)
    if action == "diff":
        return api.get(doc_path(world, document, "diff/"), user=user)
    if action == "revert":
        return api.post(doc_path(world, document, f"versions/{first_version}/revert/"), user=user)
    if action == "discuss":
        return api.post(doc_path(world, document, "comments/"), {"body": "Good."}, user=user)
    if action == "manage_members":
        organisation = world.observing_org.slug
        url = f"programmes/{programme}/memberships/{organisation}/"
        return api.patch(url, {"level": "contributor"}, user=user)
    raise AssertionError(action)


def _state(world, document):
    document.refresh_from_db()
    return (
        document.body,
        Version.objects.get_for_object(document).count(),
        Comment.objects.filter(document=document).count(),
        world.programme.memberships.get(organisation=world.observing_org).level,
    )


@pytest.mark.parametrize("scene", ["open", "members"], indirect=True)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_permission_matrix(api, scene, role, action):
    world, document, first_version = scene
    before = _state(world, document)
    hidden = not world.programme.is_open and role in {"anonymous", "outsider"}

    response = _attempt(api, world, document, first_version, action, world.person(role))

    if hidden:
        assert response.status_code == 404, response.content
        assert world.programme.name not in response.content.decode()
    elif action in ALLOWED[role]:
        assert response.status_code == SUCCESS.get(action, 200), response.content
    else:
        assert response.status_code == 403, response.content
        assert response.json()["detail"]
    if hidden or action not in ALLOWED[role] or action in {"read", "history", "diff"}:
        assert _state(world, document) == before


def test_observer_cannot_edit_document(api, world, make_document):
    document = make_document(world)

    response = api.put(
        doc_path(world, document),
        {"base_version_id": document.head_id, "body": "Mine now."},
        user=world.observer,
    )

    assert response.status_code == 403
    assert "contributing organisations" in response.json()["detail"]
    document.refresh_from_db()
    assert document.body == "Eerste versie.\n"


def test_outsider_cannot_see_members_only_programme_at_all(api, closed_world, make_document):
    make_document(closed_world)

    listed = api.get("programmes/", user=closed_world.outsider).json()
    detail = api.get(f"programmes/{closed_world.programme.slug}/", user=closed_world.outsider)
    documents = api.get(
        f"programmes/{closed_world.programme.slug}/documents/", user=closed_world.outsider
    )

    assert closed_world.programme.slug not in [p["slug"] for p in listed["items"]]
    assert detail.status_code == 404
    assert documents.status_code == 404


def test_programme_tells_what_the_requester_may_do(api, world):
    slug = world.programme.slug

    observer = api.get(f"programmes/{slug}/", user=world.observer).json()
    lead = api.get(f"programmes/{slug}/", user=world.lead).json()
    anonymous = api.get(f"programmes/{slug}/").json()

    assert observer["your_level"] == "observer"
    assert "discuss" in observer["your_actions"] and "edit" not in observer["your_actions"]
    assert lead["your_level"] == "lead"
    assert "manage_members" in lead["your_actions"]
    assert anonymous["your_level"] == "reader"
    assert anonymous["your_actions"] == ["view"]


def test_contributor_can_create_document_and_observer_cannot(api, world):
    path = f"programmes/{world.programme.slug}/documents/"

    created = api.post(path, {"title": "Roadmap", "body": "# Plan\n"}, user=world.contributor)
    refused = api.post(path, {"title": "Sneaky", "body": "x"}, user=world.observer)

    assert created.status_code == 201
    assert created.json()["slug"] == "roadmap"
    assert refused.status_code == 403
    assert world.programme.documents.filter(title="Sneaky").count() == 0
