"""The editor keeps a text within the one limit of the site and the API before it is sent: a
text past it (a toolbar action or a text given back can go past the textarea's maxlength) is
shown with a clear message, the form is not sent, and the text stays in the editor."""

from django.conf import settings
from playwright.sync_api import expect

from wiki.models import Document

LIMIT = settings.STIP_MAX_TEXT_LENGTH
SET_LENGTH = """(t, n) => {
    t.value = t.value.length >= n ? t.value.slice(0, n) : 'x'.repeat(n);
    t.dispatchEvent(new Event('input', {bubbles: true}));
}"""
# Notes on the page, once the submit event has been handled, whether the editor stopped it.
WATCH_SUBMIT = """() => window.addEventListener('submit', e => {
    setTimeout(() => { document.body.dataset.submitStopped = String(e.defaultPrevented); });
}, true)"""


def test_the_editor_refuses_to_send_a_text_over_the_limit_and_keeps_it(
    page, login, world, make_document
):
    document = make_document(world, title="Onderwijsvisie", body="Kort.\n")
    login(world.contributor)
    page.goto(document.get_absolute_url() + "edit/")
    text = page.get_by_label("Text (markdown)")
    assert text.get_attribute("maxlength") == str(LIMIT)
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)

    # More than fits, as a toolbar action on a long text or a returned text could make it.
    text.evaluate(SET_LENGTH, LIMIT + 10)
    message = page.locator("[data-length-status]")
    expect(message).to_be_visible()
    expect(message).to_contain_text("500,010 characters; at most 500,000 fit")
    page.evaluate(WATCH_SUBMIT)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("body")).to_have_attribute("data-submit-stopped", "true")

    assert sent == []
    assert text.evaluate("t => t.value.length") == LIMIT + 10  # the text is still there
    assert text.evaluate("t => document.activeElement === t")
    assert Document.objects.get(pk=document.pk).body == "Kort.\n"

    # Shortened to the limit, it is sent and saved.
    text.evaluate(SET_LENGTH, LIMIT)
    expect(message).to_contain_text("500,000 of at most 500,000 characters")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Your changes were saved")
    assert len(Document.objects.get(pk=document.pk).body) == LIMIT
