"""A whole wiki task with the keyboard alone: skip to the content, open a document, edit it,
save with Enter, and add a comment. Nothing is clicked."""

from playwright.sync_api import expect


def tab_to(page, role: str, name: str, *, limit: int = 60) -> None:
    """Press Tab until the element with this role and accessible name has the focus."""
    target = page.get_by_role(role, name=name, exact=True).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {role} {name!r}")


def test_contributor_edits_and_comments_with_the_keyboard_only(page, login, world, make_document):
    document = make_document(world, title="Onderwijsvisie", body="Wij leren samen.\n")
    login(world.contributor)
    page.goto(world.programme.get_absolute_url())

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # the skip link shows itself when focused
    page.keyboard.press("Enter")

    tab_to(page, "link", "Onderwijsvisie")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Onderwijsvisie")

    tab_to(page, "link", "Edit")
    page.keyboard.press("Enter")
    text = page.get_by_label("Text (markdown)")
    tab_to(page, "textbox", "Text (markdown)")
    page.keyboard.press("Control+End")
    page.keyboard.type("\nMet het toetsenbord.")
    tab_to(page, "textbox", "Edit summary")
    expect(text).to_have_value("Wij leren samen.\n\nMet het toetsenbord.")
    page.keyboard.type("Toetsenbord")
    page.keyboard.press("Enter")  # submits with the form's first button: Save

    expect(page.get_by_role("status").first).to_contain_text("Your changes were saved")
    expect(page.locator(".prose")).to_contain_text("Met het toetsenbord.")

    tab_to(page, "textbox", "Your comment")
    page.keyboard.type("Goed leesbaar.")
    tab_to(page, "button", "Add comment")
    page.keyboard.press("Enter")
    expect(page.locator(".comments")).to_contain_text("Goed leesbaar.")

    document.refresh_from_db()
    assert document.body == "Wij leren samen.\n\nMet het toetsenbord."
    assert document.head.revision.comment == "Toetsenbord"
