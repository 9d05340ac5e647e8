"""Attaching files while a document is being created: the file is checked and staged for its
author, the preview shows it, and the new document's first version has it; nobody else can
fetch or claim a staged file, and one never claimed is swept away."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from wiki import services
from wiki.models import Attachment, Document

from .test_attachments import EXE, PDF, photo

pytestmark = pytest.mark.django_db


def stage(world, user, name, data):
    return services.attachment_stage(programme=world.programme, name=name, data=data, author=user)


def test_staged_files_join_the_first_version_of_the_new_document(world):
    picture = stage(world, world.contributor, "plattegrond.png", photo(fmt="PNG"))
    contract = stage(world, world.contributor, "contract.pdf", PDF)
    document = services.document_create(
        programme=world.programme,
        kind=Document.Kind.VISION,
        title="Nieuw",
        body="![plattegrond](attachment:plattegrond.png)\n",
        author=world.contributor,
        attachment_ids=[picture.pk, contract.pk],
    )
    assert document.files == {"plattegrond.png": picture.pk, "contract.pdf": contract.pk}
    first = document.head
    assert first.field_dict["files"] == document.files
    assert set(Attachment.objects.filter(document=document)) == {picture, contract}
    assert not Attachment.objects.filter(document=None).exists()


def test_someone_elses_staged_file_is_not_claimed(world):
    theirs = stage(world, world.lead, "contract.pdf", PDF)
    document = services.document_create(
        programme=world.programme,
        kind=Document.Kind.VISION,
        title="Nieuw",
        body="Tekst.\n",
        author=world.contributor,
        attachment_ids=[theirs.pk],
    )
    assert document.files == {}
    theirs.refresh_from_db()
    assert theirs.document is None


def test_observer_cannot_stage_a_file(world):
    with pytest.raises(PermissionDenied):
        stage(world, world.observer, "contract.pdf", PDF)


def test_create_page_attaches_and_creates_with_the_file(client, world):
    client.force_login(world.contributor)
    answer = client.post(
        reverse("wiki:attach_staged", args=[world.programme.slug]),
        {"file": _upload("contract.pdf", PDF)},
        headers={"accept": "application/json"},
    ).json()
    assert answer["markdown"] == "[contract.pdf](attachment:contract.pdf)"
    preview = client.post(
        reverse("wiki:preview", args=[world.programme.slug]), {"body": answer["markdown"]}
    )
    assert b'class="attachment-link"' in preview.content and b"/new/files/" in preview.content
    staged_url = reverse(
        "wiki:staged_attachment", args=[world.programme.slug, answer["id"], "contract.pdf"]
    )
    assert client.get(staged_url).status_code == 200
    client.force_login(world.lead)
    assert client.get(staged_url).status_code == 404  # only its author sees a staged file
    client.force_login(world.contributor)
    response = client.post(
        reverse("wiki:create", args=[world.programme.slug]),
        {
            "title": "Met bijlage",
            "kind": Document.Kind.VISION,
            "body": f"Zie {answer['markdown']}.\n",
            "summary": "",
            "attachments": [answer["id"]],
            "save": "1",
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(title="Met bijlage")
    assert document.files == {"contract.pdf": answer["id"]}
    page = client.get(document.get_absolute_url())
    assert b"contract.pdf" in page.content and b'class="attachment-link"' in page.content


def test_refused_file_on_the_create_page_says_why(client, world):
    client.force_login(world.contributor)
    response = client.post(
        reverse("wiki:attach_staged", args=[world.programme.slug]),
        {"file": _upload("setup.pdf", EXE)},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400 and "does not take" in response.json()["error"]
    assert not Attachment.objects.exists()


def test_create_form_shown_again_keeps_its_staged_files(client, world):
    staged = stage(world, world.contributor, "contract.pdf", PDF)
    client.force_login(world.contributor)
    response = client.post(
        reverse("wiki:create", args=[world.programme.slug]),
        {"title": "", "kind": Document.Kind.VISION, "body": "x", "attachments": [staged.pk]},
    )
    assert response.status_code == 400
    assert f'name="attachments" value="{staged.pk}"'.encode() in response.content


def test_staged_file_never_claimed_is_swept(world):
    staged = stage(world, world.contributor, "contract.pdf", PDF)
    Attachment.objects.filter(pk=staged.pk).update(
        uploaded_at=staged.uploaded_at - timedelta(days=3)
    )
    services.attachments_orphans_remove(older_than=timedelta(days=1))
    assert not Attachment.objects.filter(pk=staged.pk).exists()


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
