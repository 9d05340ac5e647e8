"""Attachments in real Chromium: a contributor chooses a picture in the editor, the reference
goes in at the cursor, the preview shows it, and after saving the page shows the picture and
lists the file; a refused file leaves the text as it was and says why."""

import io

from playwright.sync_api import expect

from tests.wiki.test_attachments import EXE, photo
from wiki.models import Document


def test_contributor_attaches_a_picture_while_editing(page, login, world, make_document):
    document = make_document(world, title="Aanmelden", body="Het formulier van nu:\n")
    login(world.contributor)
    page.goto(f"{document.get_absolute_url()}edit/")
    text = page.get_by_label("Text (markdown)")
    text.evaluate("t => t.setSelectionRange(t.value.length, t.value.length)")

    page.get_by_label("Attach a file (or drop or paste it on the text)").set_input_files(
        {"name": "formulier.png", "mimeType": "image/png", "buffer": photo(fmt="PNG")}
    )

    expect(page.locator("[data-attach-status]")).to_contain_text("formulier.png is attached")
    expect(text).to_have_value("Het formulier van nu:\n![formulier](attachment:formulier.png)\n")
    expect(page.locator("[data-preview] img[alt=formulier]")).to_be_visible()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Your changes were saved")
    picture = page.locator(".prose img[alt=formulier]")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.naturalWidth") == 640
    expect(page.locator("#attachments")).to_contain_text("formulier.png")
    document.refresh_from_db()
    assert "formulier.png" in document.files
    assert document.head.revision.edit_meta.action == "edit"  # no merge: the edit went on


def test_a_refused_file_keeps_the_text_and_says_why(page, login, world, make_document):
    document = make_document(world, title="Aanmelden", body="Tekst.\n")
    login(world.contributor)
    page.goto(f"{document.get_absolute_url()}edit/")
    text = page.get_by_label("Text (markdown)")
    text.fill("Tekst die ik net typte.\n")

    page.get_by_label("Attach a file (or drop or paste it on the text)").set_input_files(
        {"name": "setup.pdf", "mimeType": "application/pdf", "buffer": io.BytesIO(EXE).read()}
    )

    expect(page.locator("[data-attach-status]")).to_contain_text("does not take this kind")
    expect(text).to_have_value("Tekst die ik net typte.\n")
    assert Document.objects.get(pk=document.pk).files == {}
