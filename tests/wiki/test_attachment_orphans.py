"""No file left behind by a save that did not happen: the files an upload stored are deleted
when its transaction fails, and the periodic sweep (and `manage.py attachments_sweep`) removes
stored files that no attachment refers to once they are old enough."""

import io
import os
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError

from wiki import services
from wiki.models import Attachment, attachments_storage
from wiki.tasks import attachments_orphans_remove_task

from .test_attachments import PDF, photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def storage_root(settings, tmp_path):
    storage = attachments_storage()
    old = storage.location
    storage._location = str(tmp_path / "attachments")  # FileSystemStorage's own setting
    storage.__dict__.pop("base_location", None)
    storage.__dict__.pop("location", None)
    yield tmp_path / "attachments"
    storage._location = old
    storage.__dict__.pop("base_location", None)
    storage.__dict__.pop("location", None)


def stored_files(root) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(d, f), root) for d, _s, files in os.walk(root) for f in files
    )


def test_upload_whose_save_fails_leaves_no_file(world, make_document, storage_root, monkeypatch):
    document = make_document(world, body="Tekst.\n")

    def broken(**kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(services, "document_revision_save", broken)
    with pytest.raises(DatabaseError):
        services.attachment_add(
            document=document, name="foto.jpg", data=photo(), author=world.contributor
        )
    assert not Attachment.objects.exists()
    assert stored_files(storage_root) == []


def test_upload_refused_by_the_database_after_storing_leaves_no_file(
    world, make_document, storage_root, monkeypatch
):
    document = make_document(world, body="Tekst.\n")
    original_save = Attachment.save

    def refused(self, *args, **kwargs):
        raise DatabaseError("value too long")

    monkeypatch.setattr(Attachment, "save", refused)
    with pytest.raises(DatabaseError):
        services.attachment_add(
            document=document, name="contract.pdf", data=PDF, author=world.contributor
        )
    monkeypatch.setattr(Attachment, "save", original_save)
    assert stored_files(storage_root) == []


def test_upload_that_succeeds_keeps_its_file_and_thumbnail(world, make_document, storage_root):
    document = make_document(world, body="Tekst.\n")
    result = services.attachment_add(
        document=document, name="foto.jpg", data=photo(), author=world.contributor
    )
    assert stored_files(storage_root) == sorted(
        [result.attachment.file.name, result.attachment.thumbnail.name]
    )


def age(root, name: str, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(root / name, (then, then))


def test_sweep_removes_old_files_no_attachment_refers_to(world, make_document, storage_root):
    document = make_document(world, body="Tekst.\n")
    kept = services.attachment_add(
        document=document, name="contract.pdf", data=PDF, author=world.contributor
    ).attachment
    storage = attachments_storage()
    old_orphan = storage.save("1/2/abc/verweesd.pdf", io.BytesIO(PDF))
    new_orphan = storage.save("1/2/abc/net-geupload.pdf", io.BytesIO(PDF))
    age(storage_root, old_orphan, 48)
    age(storage_root, kept.file.name, 48)

    assert attachments_orphans_remove_task() == 1
    assert stored_files(storage_root) == sorted([kept.file.name, new_orphan])

    out = io.StringIO()
    call_command("attachments_sweep", "--hours", "0", stdout=out)
    assert new_orphan in out.getvalue() and "1 files removed." in out.getvalue()
    assert stored_files(storage_root) == [kept.file.name]
    assert Attachment.objects.get(pk=kept.pk).file.read().startswith(b"%PDF-")


def test_sweep_keeps_files_of_old_versions(world, make_document, storage_root):
    document = make_document(world, body="Tekst.\n")
    first = services.attachment_add(
        document=document, name="contract.pdf", data=PDF, author=world.contributor
    ).attachment
    services.attachment_remove(document=document, name="contract.pdf", author=world.contributor)
    assert services.attachments_orphans_remove(older_than=timedelta(0)) == []
    assert stored_files(storage_root) == [first.file.name]
