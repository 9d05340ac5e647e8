"""One full task with the keyboard alone: log in, open a document from the dashboard, edit it and
save it, pressing only Tab, Enter and typing; every stop has a visible focus, and the first Tab
reaches the skip link."""

from playwright.sync_api import expect

from tests.factories import PASSWORD

FOCUS_IS_VISIBLE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return false;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow && style.boxShadow !== "none";
    const box = el.getBoundingClientRect();
    return (outline || shadow) && box.width > 0 && box.height > 0;
}"""


def focused(page, predicate: str) -> bool:
    return page.evaluate(
        f"() => {{ const el = document.activeElement; return !!el && ({predicate}); }}"
    )


def tab_to(page, predicate: str, what: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches `predicate` (JavaScript on `el`), checking
    that the focus is visible wherever it lands."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement !== document.body"):
            label = page.evaluate(
                "() => { const el = document.activeElement; "
                "return el.tagName + ' ' + (el.textContent || el.name || '').trim().slice(0, 40); }"
            )
            assert page.evaluate(FOCUS_IS_VISIBLE), f"no visible focus on {label}"
        if focused(page, predicate):
            return
    raise AssertionError(f"Tab never reached {what}")


def test_log_in_edit_and_save_with_the_keyboard_only(page, world, make_document):
    document = make_document(world, title="Onderwijsvisie", body="Wij leren samen.\n")

    page.goto("/")
    page.keyboard.press("Tab")
    assert focused(page, "el.classList.contains('skip-link')"), "the first Tab is the skip link"
    assert page.evaluate(FOCUS_IS_VISIBLE), "the skip link shows when focused"
    tab_to(page, "el.tagName === 'A' && el.textContent.trim() === 'Log in'", "Log in")
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/login/**")

    if not focused(page, "el.name === 'username'"):  # the form may put the focus there itself
        tab_to(page, "el.name === 'username'", "the username field")
    page.keyboard.type(world.contributor.username)
    tab_to(page, "el.name === 'password'", "the password field")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    # Back where the person started, which points to the dashboard.
    expect(page.get_by_role("link", name="Open your dashboard")).to_be_visible()
    tab_to(page, "el.tagName === 'A' && el.textContent.trim() === 'Open your dashboard'", "it")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="What asks for you")).to_be_visible()
    assert page.url.endswith("/dashboard/")

    page.keyboard.press("Tab")
    assert focused(page, "el.classList.contains('skip-link')"), "the skip link comes first"
    page.keyboard.press("Enter")
    # The browser moves the focus to the link's target in a task of its own: wait for it.
    expect(page.locator("#main")).to_be_focused()  # the skip link moves the focus to the content
    tab_to(page, "el.tagName === 'A' && el.textContent.trim() === 'Onderwijsvisie'", "the document")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Onderwijsvisie")

    tab_to(page, "el.tagName === 'A' && el.textContent.trim() === 'Edit'", "the Edit link")
    page.keyboard.press("Enter")
    page.wait_for_url("**/edit/")
    tab_to(page, "el.tagName === 'TEXTAREA' && el.name === 'body'", "the text")
    page.keyboard.press("Control+a")
    page.keyboard.type("Wij leren samen, met het toetsenbord.")
    tab_to(page, "el.name === 'summary'", "the edit summary")
    page.keyboard.type("Met het toetsenbord")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Save'", "Save")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").first).to_contain_text("Your changes were saved")
    document.refresh_from_db()
    assert document.body == "Wij leren samen, met het toetsenbord."
    assert document.head.revision.comment == "Met het toetsenbord"
