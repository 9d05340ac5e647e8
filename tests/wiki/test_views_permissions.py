"""The permission matrix over the web: every role on an open and on a members-only programme,
for every action on a document. A refused request gets 403 (404 when the programme is hidden
from the person) and changes nothing."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from participation.models import Level
from wiki import services
from wiki.models import Comment, Document

ROLES = ["anonymous", "outsider", "observer", "contributor", "lead"]
LEVELS = {
    "observer": Level.OBSERVER,
    "contributor": Level.CONTRIBUTOR,
    "lead": Level.LEAD,
}


@dataclass
class Case:
    name: str
    needs: Level
    method: str
    success: int  # the status code of an allowed request


CASES = [
    Case("read", Level.READER, "get", 200),
    Case("history", Level.READER, "get", 200),
    Case("version", Level.READER, "get", 200),
    Case("diff", Level.READER, "get", 200),
    Case("edit_form", Level.CONTRIBUTOR, "get", 200),
    Case("edit", Level.CONTRIBUTOR, "post", 302),
    Case("create", Level.CONTRIBUTOR, "post", 302),
    Case("preview", Level.CONTRIBUTOR, "post", 200),
    Case("revert", Level.CONTRIBUTOR, "post", 302),
    Case("rename", Level.CONTRIBUTOR, "post", 302),
    Case("discuss", Level.OBSERVER, "post", 302),
    Case("delete", Level.CONTRIBUTOR, "post", 302),
    Case("trash", Level.CONTRIBUTOR, "get", 200),
    Case("restore", Level.LEAD, "post", 302),
]


def level_of(role: str, is_open: bool) -> Level:
    if role in LEVELS:
        return LEVELS[role]
    return Level.READER if is_open else Level.NONE


def expected_status(case: Case, role: str, is_open: bool) -> int:
    level = level_of(role, is_open)
    if level < Level.READER:
        return 404
    if level < case.needs:
        return 403
    return case.success


def snapshot(programme):
    documents = Document.objects.filter(programme=programme).order_by("pk")
    return (
        list(documents.values_list("pk", "title", "slug", "body", "head_id", "deleted_at")),
        Comment.objects.filter(document__programme=programme).count(),
    )


def request_for(case: Case, world, document, first_version, deleted):
    p = world.programme.slug
    d = document.slug
    return {
        "read": (document.get_absolute_url(), None),
        "history": (reverse("wiki:history", args=[p, d]), None),
        "version": (reverse("wiki:version", args=[p, d, first_version]), None),
        "diff": (reverse("wiki:diff", args=[p, d]) + f"?from={first_version}", None),
        "edit_form": (reverse("wiki:edit", args=[p, d]), None),
        "edit": (
            reverse("wiki:edit", args=[p, d]),
            {"title": document.title, "body": "Gewijzigd.\n", "base_version": document.head_id},
        ),
        "create": (
            reverse("wiki:create", args=[p]),
            {"title": "Nieuw", "kind": "page", "body": "Nieuw.\n"},
        ),
        "preview": (reverse("wiki:preview", args=[p]), {"body": "*x*"}),
        "revert": (reverse("wiki:revert", args=[p, d, first_version]), {}),
        "rename": (reverse("wiki:rename", args=[p, d]), {"title": "Andere naam", "slug": ""}),
        "discuss": (reverse("wiki:comment", args=[p, d]), {"body": "Een opmerking"}),
        "delete": (reverse("wiki:delete", args=[p, d]), {}),
        "trash": (reverse("wiki:trash", args=[p]), None),
        "restore": (reverse("wiki:restore", args=[p, deleted.pk]), {}),
    }[case.name]


@pytest.mark.parametrize("visibility", ["open", "members"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_permission_matrix_over_the_web(request, client, make_document, visibility, role, case):
    world = request.getfixturevalue("world" if visibility == "open" else "closed_world")
    document = make_document(world, title="Visie", body="Eerste.\n")
    first_version = document.head_id
    document = services.document_save(
        document=document, body="Tweede.\n", base_version_id=first_version, author=world.lead
    ).document
    deleted = make_document(world, title="Weggegooid")
    services.document_delete(document=deleted, by=world.lead)
    user = world.person(role)
    if user.is_authenticated:
        client.force_login(user)

    path, data = request_for(case, world, document, first_version, deleted)
    before = snapshot(world.programme)
    response = client.get(path) if case.method == "get" else client.post(path, data)

    expected = expected_status(case, role, world.programme.is_open)
    assert response.status_code == expected, response.content[:300]
    if expected != case.success or case.method == "get":
        assert snapshot(world.programme) == before
    else:
        assert snapshot(world.programme) != before or case.name == "preview"


@pytest.mark.parametrize("role", ["anonymous", "outsider", "observer"])
def test_document_page_offers_no_edit_actions_to_non_contributors(
    client, world, make_document, role
):
    document = make_document(world)
    user = world.person(role)
    if user.is_authenticated:
        client.force_login(user)
    text = client.get(document.get_absolute_url()).text
    for name in ("edit", "rename", "move", "delete"):
        assert reverse(f"wiki:{name}", args=[world.programme.slug, document.slug]) not in text


def test_observer_sees_the_comment_form_but_anonymous_does_not(client, world, make_document):
    document = make_document(world)
    comment_url = reverse("wiki:comment", args=[world.programme.slug, document.slug])
    assert comment_url not in client.get(document.get_absolute_url()).text
    client.force_login(world.observer)
    assert comment_url in client.get(document.get_absolute_url()).text


def test_hidden_programme_page_is_not_found_for_outsiders(client, closed_world):
    client.force_login(closed_world.outsider)
    path = reverse("wiki:programme", args=[closed_world.programme.slug])
    assert client.get(path).status_code == 404
    assert closed_world.programme.name not in client.get(reverse("home")).text
