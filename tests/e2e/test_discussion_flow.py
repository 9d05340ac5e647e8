"""The discussion in real Chromium: a member writes a comment, picks a name the editor suggests
after an `@`, another replies under the thread, the author resolves it and sees it fold away."""

from playwright.sync_api import expect

from participation.models import Notification
from tests.factories import PASSWORD


def test_comment_with_a_suggested_mention_reply_resolve_and_fold(
    page, login, world, make_document, browser, live_server
):
    world.contributor.first_name, world.contributor.last_name = "Carla", "Bijdrager"
    world.contributor.save()
    document = make_document(world, title="Onderwijsvisie", body="Wij leren samen.\n")

    login(world.observer)
    page.goto(document.get_absolute_url())
    comment = page.get_by_label("Your comment")
    comment.click()
    comment.press_sequentially("Wat vind jij, @Car")
    suggestion = page.locator(".mention-hints").get_by_role("button", name="Carla Bijdrager")
    suggestion.click()
    expect(comment).to_have_value(f"Wat vind jij, @{world.contributor.username} ")
    comment.press_sequentially("?")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_role("status").first).to_contain_text("Your comment was added")
    thread = page.locator("article.thread").first
    expect(thread.locator(".mention")).to_have_text(f"@{world.contributor.username}")
    assert Notification.objects.filter(recipient=world.contributor, kind="mentioned").exists()

    other = browser.new_context(base_url=live_server.url, locale="en-GB")
    reply_page = other.new_page()
    reply_page.goto("/accounts/login/")
    reply_page.get_by_label("Username").fill(world.contributor.username)
    reply_page.get_by_label("Password").fill(PASSWORD)
    reply_page.get_by_role("button", name="Log in").click()
    reply_page.wait_for_load_state()
    reply_page.goto(document.get_absolute_url())
    reply_page.get_by_label("Your reply").fill("Goed idee.")
    reply_page.locator("article.thread").get_by_role("button", name="Reply").click()
    expect(reply_page.locator("article.thread .replies")).to_contain_text("Goed idee.")
    other.close()

    page.reload()
    expect(page.locator("article.thread .replies")).to_contain_text("Goed idee.")
    page.locator("article.thread").get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status").first).to_contain_text("The thread was resolved")
    folded = page.locator("details.resolved-threads")
    expect(folded.locator("summary")).to_have_text("1 resolved thread")
    expect(folded).not_to_have_attribute("open", "")
    expect(folded.locator("article.thread")).to_be_hidden()
    expect(page.locator("#discussion")).to_contain_text("No open threads.")
    folded.locator("summary").click()
    expect(folded.locator("article.thread")).to_be_visible()
    expect(folded).to_contain_text("Goed idee.")
    # Leave the document page: its live parts poll, and a request still running when the test's
    # database is emptied would hold a lock the emptying waits for.
    page.goto("about:blank")
