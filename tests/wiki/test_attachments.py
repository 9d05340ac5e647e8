"""Attachments of documents: who may add and download them, how they go with the document's
versions, the type (judged from the content) and size limits, pictures re-encoded without their
metadata, and downloads that never show a risky type inline."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from PIL import Image
from reversion.models import Version

from wiki import services
from wiki.models import Attachment, Document

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def photo(colour=(200, 30, 30), size=(640, 480), fmt="JPEG") -> bytes:
    """A photo as a phone makes it: with EXIF, a camera and a location."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 12"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (52.0, 5.0, 30.0)
    gps[3], gps[4] = "E", (4.0, 53.0, 10.0)
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif)
    return out.getvalue()


def attach(document, author, name, data):
    return services.attachment_add(document=document, name=name, data=data, author=author)


def download(client, document, attachment, **params):
    url = reverse(
        "wiki:attachment",
        args=[document.programme.slug, document.slug, attachment.pk, attachment.name],
    )
    return client.get(url, params)


# --- adding, and the limits --------------------------------------------------------------------


def test_a_photo_is_reencoded_without_its_location_and_gets_a_thumbnail(world, make_document):
    document = make_document(world, body="Tekst.\n")
    original = photo()
    assert b"PhoneMaker" in original

    result = attach(document, world.contributor, "IMG_0001.jpeg", original)

    stored = result.attachment
    assert stored.name == "IMG_0001.jpg"
    assert stored.content_type == "image/jpeg" and stored.is_image
    with stored.file.open("rb") as handle:
        content = handle.read()
    assert b"PhoneMaker" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert dict(image.getexif()) == {}
        assert image.size == (640, 480)
    with stored.thumbnail.open("rb") as handle, Image.open(handle) as small:
        assert max(small.size) <= 320


def test_attaching_makes_a_new_version_and_the_text_is_untouched(world, make_document):
    document = make_document(world, body="Tekst.\n")
    first = document.head_id

    result = attach(document, world.contributor, "plattegrond.png", photo(fmt="PNG"))

    document.refresh_from_db()
    assert document.head_id == result.version.pk != first
    assert document.body == "Tekst.\n"
    assert document.files == {"plattegrond.png": result.attachment.pk}
    assert result.version.revision.comment == "Attached plattegrond.png"


def test_observer_and_outsider_cannot_attach(world, make_document):
    document = make_document(world)
    for person in (world.observer, world.outsider, world.anonymous):
        with pytest.raises(PermissionDenied):
            attach(document, person, "x.pdf", PDF)
    assert not Attachment.objects.exists()


def test_the_type_is_judged_from_the_content_not_the_name(world, make_document):
    document = make_document(world)

    pdf = attach(document, world.contributor, "foto.png", PDF).attachment
    assert (pdf.name, pdf.content_type, pdf.is_image) == ("foto.pdf", "application/pdf", False)

    for name, data in (("handleiding.pdf", EXE), ("notities.txt", HTML)):
        with pytest.raises(ValidationError) as refused:
            attach(document, world.contributor, name, data)
        assert "does not take this kind of file" in refused.value.message_dict["file"][0]


def test_a_file_over_the_limit_is_refused_and_nothing_changes(world, make_document, settings):
    settings.STIP_ATTACHMENT_MAX_BYTES = 1000
    document = make_document(world, body="Mijn tekst.\n")
    head = document.head_id

    with pytest.raises(ValidationError) as refused:
        attach(document, world.contributor, "groot.pdf", PDF + b"%" * 2000)

    assert "at most 0" in refused.value.message_dict["file"][0]
    document.refresh_from_db()
    assert (document.head_id, document.body, document.files) == (head, "Mijn tekst.\n", {})
    assert not Attachment.objects.exists()


def test_the_programmes_space_is_limited_over_all_its_documents(world, make_document, settings):
    settings.STIP_PROGRAMME_ATTACHMENTS_MAX_BYTES = len(PDF) * 2 + 10
    one, two = make_document(world, title="Een"), make_document(world, title="Twee")
    attach(one, world.contributor, "a.pdf", PDF)
    attach(two, world.contributor, "b.pdf", PDF)

    with pytest.raises(ValidationError) as refused:
        attach(one, world.contributor, "c.pdf", PDF)

    assert "programme's attachments would go over" in refused.value.message_dict["file"][0]


def test_a_frozen_document_refuses_an_attachment(world, make_document, save_guard):
    document = make_document(world)

    def frozen(*, document, action):
        raise services.DocumentFrozen("Bevroren.")

    save_guard(frozen)
    with pytest.raises(services.DocumentFrozen):
        attach(document, world.contributor, "a.pdf", PDF)


# --- versions ----------------------------------------------------------------------------------


def test_an_old_version_shows_the_picture_it_had(client, world, make_document):
    document = make_document(world, body="![Plattegrond](attachment:plattegrond.png)\n")
    old = attach(document, world.contributor, "plattegrond.png", photo((255, 0, 0), fmt="PNG"))
    new = attach(document, world.contributor, "plattegrond.png", photo((0, 0, 255), fmt="PNG"))
    assert (
        new.replaced and new.version.revision.comment == "Replaced the attachment plattegrond.png"
    )

    page = client.get(document.get_absolute_url()).text
    assert f"/files/{new.attachment.pk}/plattegrond.png" in page
    version_url = reverse(
        "wiki:version", args=[world.programme.slug, document.slug, old.version.pk]
    )
    old_page = client.get(version_url).text
    old_url = f"/p/{world.programme.slug}/d/{document.slug}/files/{old.attachment.pk}/"
    assert f'src="{old_url}' in old_page
    assert f"/files/{new.attachment.pk}/" not in old_page
    # The old file is still there for the version that has it.
    assert download(client, document, old.attachment).status_code == 200


def test_the_diff_names_added_removed_and_replaced_attachments(client, world, make_document):
    document = make_document(world)
    attach(document, world.contributor, "blijft.pdf", PDF)
    attach(document, world.contributor, "weg.pdf", PDF)
    attach(document, world.contributor, "plaatje.png", photo(fmt="PNG"))
    document.refresh_from_db()
    before = document.head_id
    attach(document, world.contributor, "nieuw.pdf", PDF)
    services.attachment_remove(document=document, name="weg.pdf", author=world.contributor)
    attach(document, world.contributor, "plaatje.png", photo((0, 200, 0), fmt="PNG"))
    document.refresh_from_db()

    url = reverse("wiki:diff", args=[world.programme.slug, document.slug])
    page = client.get(url, {"from": before, "to": document.head_id}).text

    assert "Attachments changed" in page
    assert "Added: nieuw.pdf" in page
    assert "Removed: weg.pdf" in page
    assert "Replaced: plaatje.png" in page
    assert "blijft.pdf" not in page


def test_reverting_brings_back_the_files_of_that_version(world, make_document):
    document = make_document(world)
    first = attach(document, world.contributor, "a.pdf", PDF)
    services.attachment_remove(document=document, name="a.pdf", author=world.contributor)
    document.refresh_from_db()
    assert document.files == {}

    services.document_revert(
        document=document, version_id=first.version.pk, author=world.contributor
    )

    document.refresh_from_db()
    assert document.files == {"a.pdf": first.attachment.pk}


def test_versions_before_attachments_existed_have_none(world, make_document):
    document = make_document(world)
    version = Version.objects.get_for_object(document).first()
    assert version.field_dict.get("files") in (None, {})


# --- reading and downloading -------------------------------------------------------------------


def test_only_readers_of_the_programme_download(client, closed_world, make_document):
    world = closed_world
    document = make_document(world)
    pdf = attach(document, world.contributor, "contract.pdf", PDF).attachment

    assert download(client, document, pdf).status_code in (302, 404)
    client.force_login(world.outsider)
    assert download(client, document, pdf).status_code == 404
    client.force_login(world.observer)
    response = download(client, document, pdf)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_a_file_of_another_document_is_not_found_through_this_one(client, world, make_document):
    one, two = make_document(world, title="Een"), make_document(world, title="Twee")
    pdf = attach(one, world.contributor, "a.pdf", PDF).attachment
    url = reverse("wiki:attachment", args=[world.programme.slug, two.slug, pdf.pk, pdf.name])
    assert client.get(url).status_code == 404


def test_svg_and_other_files_are_only_downloads_never_shown_inline(client, world, make_document):
    document = make_document(world, body="![kaart](attachment:kaart.svg)\n")
    svg = attach(document, world.contributor, "kaart.svg", SVG).attachment
    pdf = attach(document, world.contributor, "a.pdf", PDF).attachment
    picture = attach(document, world.contributor, "b.png", photo(fmt="PNG")).attachment

    for attachment in (svg, pdf):
        response = download(client, document, attachment)
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
    shown = download(client, document, picture)
    assert shown["Content-Disposition"].startswith("inline;")
    assert shown["Content-Type"] == "image/png"
    # In the page the SVG is a link to download it, not a picture.
    page = client.get(document.get_absolute_url()).text
    prose = page.split('class="prose"')[1].split("</div>")[0]
    svg_url = f"/p/{world.programme.slug}/d/{document.slug}/files/{svg.pk}/kaart.svg"
    assert f'<a class="attachment-link" href="{svg_url}"' in prose
    assert "<img" not in prose


def test_downloads_go_through_nginx_when_configured(client, world, make_document, settings):
    settings.STIP_ATTACHMENTS_ACCEL_PREFIX = "/protected-attachments/"
    document = make_document(world)
    pdf = attach(document, world.contributor, "a.pdf", PDF).attachment
    response = download(client, document, pdf)
    assert response["X-Accel-Redirect"] == f"/protected-attachments/{pdf.file.name}"
    assert response.content == b""


def test_the_page_lists_the_attachments_and_shows_pictures(client, world, make_document):
    document = make_document(world, body="Zie ![de kaart](attachment:kaart.png) en [[Elders]].\n")
    picture = attach(document, world.contributor, "kaart.png", photo(fmt="PNG")).attachment
    attach(document, world.contributor, "contract.pdf", PDF)

    page = client.get(document.get_absolute_url()).text

    picture_url = f"/p/{world.programme.slug}/d/{document.slug}/files/{picture.pk}/kaart.png"
    assert f'<img alt="de kaart" src="{picture_url}">' in page
    assert 'id="attachments-heading"' in page
    assert "contract.pdf" in page
    assert f"/files/{picture.pk}/kaart.png?thumbnail=1" in page


def test_a_reference_to_a_file_the_version_lacks_is_marked_missing(client, world, make_document):
    document = make_document(world, body="![weg](attachment:weg.png) en [dit](attachment:x.pdf)\n")
    page = client.get(document.get_absolute_url()).text
    assert '<span class="attachment-missing">weg</span>' in page
    assert '<span class="attachment-missing">dit</span>' in page


def test_attaching_through_the_site_form_keeps_the_text(client, world, make_document, settings):
    settings.STIP_ATTACHMENT_MAX_BYTES = 100
    document = make_document(world, body="Mijn tekst.\n")
    client.force_login(world.contributor)
    url = reverse("wiki:attach", args=[world.programme.slug, document.slug])

    refused = client.post(
        url, {"file": io.BytesIO(PDF * 5)}, headers={"Accept": "application/json"}
    )
    assert refused.status_code == 400
    assert "at most" in refused.json()["error"]

    settings.STIP_ATTACHMENT_MAX_BYTES = 10_000
    upload = io.BytesIO(PDF)
    upload.name = "contract.pdf"
    answer = client.post(url, {"file": upload}, headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.json()["markdown"] == "[contract.pdf](attachment:contract.pdf)"
    assert Document.objects.get(pk=document.pk).body == "Mijn tekst.\n"

    observer_client = client.__class__()
    observer_client.force_login(world.observer)
    assert observer_client.post(url, {"file": io.BytesIO(PDF)}).status_code == 403


def test_an_export_embeds_the_pictures_and_links_the_other_files(world, make_document):
    from wiki import attachments, rendering

    document = make_document(world, body="![kaart](attachment:kaart.png) [c](attachment:c.pdf)\n")
    attach(document, world.contributor, "kaart.png", photo(fmt="PNG"))
    attach(document, world.contributor, "c.pdf", PDF)
    document.refresh_from_db()

    other = make_document(world, title="Ander")
    foreign = attach(other, world.contributor, "geheim.png", photo(fmt="PNG")).attachment
    foreign_url = f"/p/{world.programme.slug}/d/{other.slug}/files/{foreign.pk}/geheim.png"
    text = f"{document.body}\n![ander]({foreign_url})\n"

    html = rendering.render_for_programme(
        world.programme, text, attachments.version_resolver(document.pk, document.files)
    )
    html = attachments.pictures_embedded(html, document.pk, document.files)

    assert '<img alt="kaart" src="data:image/png;base64,' in html
    assert f'href="/p/{world.programme.slug}/d/{document.slug}/files/' in html
    assert f'<img alt="ander" src="{foreign_url}">' in html  # not embedded
