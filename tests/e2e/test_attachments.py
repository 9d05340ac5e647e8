"""Attachments in real Chromium: a contributor chooses a picture in the editor, the reference
goes in at the cursor, the preview shows it, and after saving the page shows the picture and
lists the file; a refused file leaves the text as it was and says why."""

import io
import re

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


PASTE = """([bytes, name, type]) => {
    const area = document.querySelector("textarea[data-editor]");
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], name, { type }));
    const event = new ClipboardEvent("paste", {
        clipboardData: data, bubbles: true, cancelable: true
    });
    area.dispatchEvent(event);
    return event.defaultPrevented;
}"""

DROP = """([bytes, name, type]) => {
    const area = document.querySelector("textarea[data-editor]");
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], name, { type }));
    const over = new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true });
    area.dispatchEvent(over);
    const drop = new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true });
    area.dispatchEvent(drop);
    return [over.defaultPrevented, drop.defaultPrevented];
}"""


def test_pasted_picture_and_dropped_pdf_are_attached_and_the_text_kept(
    page, login, world, make_document
):
    from tests.wiki.test_attachments import PDF

    document = make_document(world, title="Aanmelden", body="Het formulier van nu:\n")
    login(world.contributor)
    page.goto(f"{document.get_absolute_url()}edit/")
    text = page.get_by_label("Text (markdown)")
    text.fill("Het formulier van nu:\nIk typte dit net.\n")
    text.evaluate("t => t.setSelectionRange(t.value.length, t.value.length)")

    picture = list(photo(fmt="PNG"))
    assert page.evaluate(PASTE, [picture, "image.png", "image/png"]) is True
    expect(page.locator("[data-attach-status]")).to_contain_text("is attached")
    expect(text).to_have_value(
        re.compile(r"Ik typte dit net\.\n!\[[^\]]*\]\(attachment:[^)]+\.png\)\n$")
    )
    pasted_name = re.search(r"attachment:([^)]+\.png)", text.input_value()).group(1)

    assert page.evaluate(DROP, [list(PDF), "contract.pdf", "application/pdf"]) == [True, True]
    expect(page.locator("[data-attach-status]")).to_contain_text("contract.pdf is attached")
    expect(text).to_have_value(
        re.compile(r"Ik typte dit net\.\n.*\n\[contract\.pdf\]\(attachment:contract\.pdf\)\n$")
    )
    assert text.input_value().startswith("Het formulier van nu:\nIk typte dit net.\n")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Your changes were saved")
    shown = page.locator(".prose img")
    expect(shown).to_be_visible()
    assert shown.evaluate("img => img.naturalWidth") == 640
    expect(page.locator(".prose a.attachment-link")).to_have_text("contract.pdf")
    expect(page.locator("#attachments")).to_contain_text("contract.pdf")
    expect(page.locator("#attachments")).to_contain_text(pasted_name)
    expect(page.locator(".prose")).to_contain_text("Ik typte dit net.")
    document.refresh_from_db()
    assert set(document.files) == {pasted_name, "contract.pdf"}


def test_two_pasted_pictures_are_two_attachments(page, login, world, make_document):
    document = make_document(world, title="Aanmelden", body="Tekst.\n")
    login(world.contributor)
    page.goto(f"{document.get_absolute_url()}edit/")
    status = page.locator("[data-attach-status]")
    page.evaluate(PASTE, [list(photo(fmt="PNG")), "image.png", "image/png"])
    expect(status).to_contain_text("is attached")
    page.evaluate(PASTE, [list(photo(colour=(0, 90, 200), fmt="PNG")), "image.png", "image/png"])
    expect(page.get_by_label("Text (markdown)")).to_have_value(
        re.compile(r"(attachment:[^)]+\.png\)\n[\s\S]*){2}")
    )
    document.refresh_from_db()
    names = re.findall(
        r"attachment:([^)]+\.png)", page.get_by_label("Text (markdown)").input_value()
    )
    assert len(set(names)) == 2 and set(names) <= set(document.files)


def test_contributor_attaches_a_picture_while_creating_a_document(page, login, world):
    login(world.contributor)
    page.goto(f"/p/{world.programme.slug}/new/")
    page.get_by_label("Title").fill("Plattegrond")
    text = page.get_by_label("Text (markdown)")
    text.fill("De zaal:\n")
    text.evaluate("t => t.setSelectionRange(t.value.length, t.value.length)")

    assert page.evaluate(DROP, [list(photo(fmt="PNG")), "zaal.png", "image/png"]) == [True, True]

    expect(page.locator("[data-attach-status]")).to_contain_text("zaal.png is attached")
    expect(text).to_have_value("De zaal:\n![zaal](attachment:zaal.png)\n")
    expect(page.locator("[data-preview] img[alt=zaal]")).to_be_visible()
    expect(page.locator("[data-attach-staged]")).to_contain_text("zaal.png")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("The document was created")
    picture = page.locator(".prose img[alt=zaal]")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.naturalWidth") == 640
    expect(page.locator("#attachments")).to_contain_text("zaal.png")
    document = Document.objects.get(title="Plattegrond")
    assert list(document.files) == ["zaal.png"]
    assert document.head.numbering.number == 1
