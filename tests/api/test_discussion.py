"""The discussion through the API: threads, replies, places, resolving, editing, deleting and
the names a comment may mention, as the schema documents them."""

import pytest

from tests.api.conftest import doc_path
from wiki import services
from wiki.models import Comment

pytestmark = pytest.mark.django_db

BODY = "# Visie\n\n## Stappen\n\nEerst dit.\n"


@pytest.fixture
def document(world, make_document):
    return make_document(world, body=BODY)


def test_a_thread_at_a_heading_with_a_reply(api, world, document):
    made = api.post(
        doc_path(world, document, "comments/"),
        {"body": "Klopt **dit**?", "anchor": "heading:stappen"},
        user=world.observer,
    )
    assert made.status_code == 201, made.content
    thread = made.json()
    assert thread["anchor"] == "heading:stappen" and thread["anchor_label"] == "Stappen"
    assert thread["parent"] is None and thread["thread"] == thread["id"]
    assert "<strong>dit</strong>" in thread["html"]

    reply = api.post(
        doc_path(world, document, "comments/"),
        {"body": "Ja.", "parent": thread["id"]},
        user=world.contributor,
    ).json()
    assert reply["parent"] == thread["id"] and reply["anchor"] == ""

    listed = api.get(doc_path(world, document, "comments/"), user=world.observer).json()
    assert [c["id"] for c in listed] == [thread["id"], reply["id"]]
    assert listed[0]["anchor_gone"] is False


def test_resolve_and_reopen_by_the_author_not_by_another(api, world, document):
    thread = services.comment_add(document=document, author=world.observer, body="Vraag.")
    path = doc_path(world, document, f"comments/{thread.pk}/resolution/")
    assert api.put(path, {"resolved": True}, user=world.contributor).status_code == 403
    done = api.put(path, {"resolved": True}, user=world.observer)
    assert done.status_code == 200 and done.json()["resolved"] is True
    again = api.put(path, {"resolved": False}, user=world.lead)
    assert again.json()["resolved"] is False


def test_edit_keeps_the_earlier_text_and_delete_leaves_a_placeholder(api, world, document):
    thread = services.comment_add(document=document, author=world.observer, body="Eerst.")
    services.comment_add(document=document, author=world.lead, body="Reactie.", parent=thread)
    path = doc_path(world, document, f"comments/{thread.pk}/")

    assert api.patch(path, {"body": "Anders."}, user=world.lead).status_code == 403
    edited = api.patch(path, {"body": "Daarna."}, user=world.observer)
    assert edited.status_code == 200 and edited.json()["edited_at"] is not None
    earlier = api.get(path + "edits/", user=world.observer).json()
    assert [e["body"] for e in earlier] == ["Eerst."]

    assert api.delete(path, user=world.contributor).status_code == 403
    gone = api.delete(path, user=world.observer)
    assert gone.status_code == 200 and gone.json()["deleted"] is True
    assert gone.json()["body"] == ""
    listed = api.get(doc_path(world, document, "comments/")).json()
    assert [c["body"] for c in listed] == ["", "Reactie."]


def test_bad_input_is_a_clear_400_and_nothing_is_kept(api, world, document):
    path = doc_path(world, document, "comments/")
    wrong_place = api.post(path, {"body": "Hier.", "anchor": "heading:nergens"}, user=world.lead)
    assert wrong_place.status_code == 400
    assert "no longer in the document" in wrong_place.text
    script = api.post(path, {"body": "X", "anchor": '"><script>'}, user=world.lead)
    assert script.status_code == 400
    assert not Comment.objects.exists()


def test_outsider_of_a_closed_programme_sees_and_does_nothing(api, closed_world, make_document):
    world = closed_world
    document = make_document(world, body=BODY)
    thread = services.comment_add(document=document, author=world.contributor, body="Intern.")
    outsider = world.outsider
    path = doc_path(world, document, "comments/")
    assert api.get(path, user=outsider).status_code == 404
    assert api.post(path, {"body": "Hallo"}, user=outsider).status_code == 404
    one = path + f"{thread.pk}/"
    assert api.patch(one, {"body": "x"}, user=outsider).status_code == 404
    assert api.delete(one, user=outsider).status_code == 404
    assert api.put(one + "resolution/", {"resolved": True}, user=outsider).status_code == 404
    names = f"programmes/{world.programme.slug}/mentions/"
    assert api.get(names, {"q": "closed"}, user=outsider).status_code == 404
    found = api.get(names, {"q": "closed"}, user=world.observer).json()
    assert outsider.username not in {entry["handle"] for entry in found}
    thread.refresh_from_db()
    assert thread.body == "Intern." and not thread.is_resolved


def test_the_schema_documents_the_discussion(api):
    schema = api.get("schema/").json()
    paths = schema["paths"]
    comments = "/api/v1/programmes/{programme}/documents/{document}/comments/"
    one = comments + "{comment_id}/"
    assert {"get", "post"} <= set(paths[comments])
    assert {"patch", "delete"} <= set(paths[one])
    assert "put" in paths[one + "resolution/"]
    assert "get" in paths[one + "edits/"]
    assert "get" in paths["/api/v1/programmes/{programme}/mentions/"]
    components = schema["components"]["schemas"]
    assert {"parent", "anchor"} <= set(components["CommentIn"]["properties"])
    out = set(components["CommentOut"]["properties"])
    assert {"parent", "thread", "anchor", "resolved", "edited_at", "deleted", "html"} <= out
