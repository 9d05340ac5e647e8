"""The wiki in real Chromium: a contributor logs in, edits a document with the toolbar and the
live preview, finds the change in the history and the diff, reverts it and sees the old text
back."""

import re

from playwright.sync_api import expect

from wiki.models import Document

ORIGINAL = "Wij leren samen.\n"


def test_contributor_edits_sees_the_diff_in_history_and_reverts(page, login, world, make_document):
    document = make_document(world, title="Onderwijsvisie", body=ORIGINAL)
    login(world.contributor)

    page.goto(document.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Onderwijsvisie")
    page.get_by_role("navigation", name="Document").get_by_role("link", name="Edit").click()

    text = page.get_by_label("Text (markdown)")
    text.fill("Wij leren samen en van elkaar.\n\nbelangrijk")
    # The toolbar marks the selected word bold.
    text.evaluate(
        "t => { const s = t.value.indexOf('belangrijk'); t.setSelectionRange(s, s + 10); }"
    )
    page.get_by_role("button", name="Bold").click()
    expect(text).to_have_value("Wij leren samen en van elkaar.\n\n**belangrijk**")
    # The server renders the live preview, sanitised like the saved page.
    preview = page.locator("[data-preview]")
    expect(preview.locator("strong")).to_have_text("belangrijk")
    expect(preview).to_contain_text("en van elkaar")

    page.get_by_label("Edit summary").fill("Aangevuld")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Your changes were saved")
    expect(page.locator(".prose")).to_contain_text("en van elkaar")

    page.get_by_role("navigation", name="Document").get_by_role("link", name="History").click()
    history = page.locator("table.history")
    expect(history).to_contain_text("Aangevuld")
    expect(history).to_contain_text(world.contributing_org.name)
    page.get_by_role("button", name="Compare the chosen versions").click()
    expect(page).to_have_url(re.compile(r"/diff/\?(from|to)=\d+&(from|to)=\d+"))
    expect(page.locator("table.diff ins").first).to_contain_text("en van elkaar")

    page.get_by_role("link", name="View the older version").click()
    expect(page.locator(".prose")).to_have_text("Wij leren samen.")
    page.get_by_role("link", name="Revert to this version").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revert")  # asks first
    expect(page.locator("main")).to_contain_text("nothing is lost")
    page.get_by_role("button", name="Revert to this version").click()
    expect(page.get_by_role("status").first).to_contain_text("back at the chosen version")
    expect(page.locator(".prose")).to_have_text("Wij leren samen.")

    document.refresh_from_db()
    assert document.body == ORIGINAL
    assert Document.objects.get(pk=document.pk).head.revision.edit_meta.action == "revert"


def test_leaving_the_editor_with_unsaved_changes_asks_first(page, login, world, make_document):
    document = make_document(world, title="Onderwijsvisie", body=ORIGINAL)
    login(world.contributor)
    page.goto(document.get_absolute_url() + "edit/")
    page.get_by_label("Text (markdown)").fill("Half af")
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    expect(page.get_by_label("Text (markdown)")).to_have_value("Half af")


def test_typing_a_wiki_link_offers_matching_documents(page, login, world, make_document):
    make_document(world, title="Onderwijsvisie", body=ORIGINAL)
    document = make_document(world, title="Roosteren", body="")
    login(world.contributor)
    page.goto(document.get_absolute_url() + "edit/")
    text = page.get_by_label("Text (markdown)")
    text.click()
    text.press_sequentially("Zie [[Onderw")
    page.get_by_role("button", name="Onderwijsvisie").click()
    expect(text).to_have_value("Zie [[Onderwijsvisie]]")
    expect(page.locator("[data-preview] a.wikilink")).to_have_text("Onderwijsvisie")
