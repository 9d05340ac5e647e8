"""Attachments over the API: upload (multipart), the files of a document and of an old version,
the diff's list of changed files, removal, and downloads only for readers of the programme."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.conftest import doc_path
from tests.wiki.test_attachments import PDF, SVG, photo
from wiki import services

pytestmark = pytest.mark.django_db


def upload(api, world, document, name, data, user):
    token = api.token_for(user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return api.client.post(
        f"/api/v1/{doc_path(world, document, 'attachments/')}",
        {"file": SimpleUploadedFile(name, data)},
        **headers,
    )


def test_contributor_uploads_and_the_document_shows_the_file(api, world, make_document):
    document = make_document(world, body="![Kaart](attachment:kaart.png)\n")

    response = upload(api, world, document, "kaart.png", photo(fmt="PNG"), world.contributor)

    assert response.status_code == 201, response.content
    saved = response.json()
    assert saved["attachment"]["name"] == "kaart.png"
    assert saved["attachment"]["is_image"] is True
    assert saved["attachment"]["thumbnail_url"].endswith("?thumbnail=1")
    data = api.get(doc_path(world, document), user=world.observer).json()
    assert data["head_version_id"] == saved["version_id"]
    assert [a["name"] for a in data["attachments"]] == ["kaart.png"]
    assert f'src="/p/{world.programme.slug}/d/{document.slug}/files/' in data["html"]
    listed = api.get(doc_path(world, document, "attachments/"), user=world.observer).json()
    assert listed[0]["content_type"] == "image/png"


def test_refusals_answer_400_with_the_reason_and_observers_403(api, world, make_document):
    document = make_document(world)
    refused = upload(api, world, document, "virus.pdf", b"MZ\x00\x00" * 20, world.contributor)
    assert refused.status_code == 400
    assert "does not take this kind of file" in refused.json()["detail"] + str(
        refused.json().get("errors", "")
    )
    assert upload(api, world, document, "a.pdf", PDF, world.observer).status_code == 403
    assert upload(api, world, document, "a.pdf", PDF, None).status_code in (401, 403)


def test_old_versions_and_the_diff_know_their_files(api, world, make_document):
    document = make_document(world)
    first = services.attachment_add(
        document=document, name="a.pdf", data=PDF, author=world.contributor
    )
    services.attachment_add(document=document, name="b.svg", data=SVG, author=world.contributor)
    services.attachment_remove(document=document, name="a.pdf", author=world.contributor)
    document.refresh_from_db()

    old = api.get(
        doc_path(world, document, f"versions/{first.version.pk}/"), user=world.observer
    ).json()
    assert [a["name"] for a in old["attachments"]] == ["a.pdf"]
    diff = api.get(
        doc_path(world, document, "diff/"),
        {"from": first.version.pk, "to": document.head_id},
        user=world.observer,
    ).json()
    assert diff["attachments"] == {"added": ["b.svg"], "removed": ["a.pdf"], "replaced": []}


def test_content_is_for_readers_only_and_svg_is_a_download(api, closed_world, make_document):
    world = closed_world
    document = make_document(world)
    svg = services.attachment_add(
        document=document, name="b.svg", data=SVG, author=world.contributor
    ).attachment
    path = doc_path(world, document, f"attachments/{svg.pk}/content/")

    assert api.get(path, user=world.outsider).status_code == 404
    response = api.get(path, user=world.observer)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_removing_through_the_api_makes_a_new_version(api, world, make_document):
    document = make_document(world)
    services.attachment_add(document=document, name="a.pdf", data=PDF, author=world.contributor)

    response = api.delete(doc_path(world, document, "attachments/a.pdf/"), user=world.contributor)

    assert response.status_code == 200, response.content
    assert response.json()["document"]["attachments"] == []


def test_document_created_with_a_staged_file_has_it_in_its_first_version(api, world):
    token = api.token_for(world.contributor)
    staged = api.client.post(
        f"/api/v1/programmes/{world.programme.slug}/attachments/",
        {"file": SimpleUploadedFile("plattegrond.png", photo(fmt="PNG"))},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert staged.status_code == 201, staged.content
    staged = staged.json()
    assert staged["markdown"] == "![plattegrond](attachment:plattegrond.png)"
    created = api.post(
        f"programmes/{world.programme.slug}/documents/",
        {"title": "Nieuw", "body": staged["markdown"] + "\n", "attachments": [staged["id"]]},
        user=world.contributor,
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert [a["name"] for a in data["attachments"]] == ["plattegrond.png"]
    assert "<img" in data["html"] and "/files/" in data["html"]
    history = api.get(
        f"programmes/{world.programme.slug}/documents/{data['slug']}/history/",
        user=world.observer,
    ).json()
    assert [v["id"] for v in history["items"]] == [data["head_version_id"]]


def test_observer_cannot_stage_a_file_over_the_api(api, world):
    token = api.token_for(world.observer)
    refused = api.client.post(
        f"/api/v1/programmes/{world.programme.slug}/attachments/",
        {"file": SimpleUploadedFile("a.pdf", PDF)},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert refused.status_code == 403
