"""Joining step by step, in real Chromium: a newcomer signs up for a new organisation and
confirms by the link in the mail, asks for it to join as observer, a lead approves (which
confirms the organisation and her); the observer watches a
process, a contributor edits a use case below it, the observer sees the notification and opens
its diff, asks to become contributor, the lead approves, and the person can now edit."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import PASSWORD
from wiki.models import Document

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def person_page(page, live_server):
    """Another person's browser: a fresh context, logged in through the form."""
    contexts = []

    def open_as(user):
        context = page.context.browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(15_000)
        contexts.append(context)
        other = context.new_page()
        other.goto("/accounts/login/")
        other.get_by_label("Username").fill(user.username)
        other.get_by_label("Password").fill(PASSWORD)
        other.get_by_role("button", name="Log in").click()
        other.wait_for_load_state()
        return other

    yield open_as
    for context in contexts:
        context.close()


def test_newcomer_joins_watches_is_notified_and_becomes_contributor(
    page, person_page, world, make_document, settings
):
    settings.STIP_NOTIFICATION_COALESCE_SECONDS = 0
    main = make_document(world, title="Onderwijslogistiek", kind=Document.Kind.MAIN_PROCESS)
    work = make_document(world, title="Roosteren", kind=Document.Kind.WORK_PROCESS, parent=main)
    use_case = make_document(
        world, title="Les verplaatsen", kind=Document.Kind.USE_CASE, parent=work, body="Oud.\n"
    )
    slug = world.programme.slug
    mail.outbox.clear()

    # Sign up and confirm by the link in the mail.
    page.goto("/accounts/signup/")
    page.get_by_label("Your name").fill("Sanne Bakker")
    page.get_by_label("E-mail address").fill("sanne@zadkine.example")
    page.get_by_label("Password").fill("een-lang-en-ongewoon-wachtwoord")
    page.get_by_label("Or the name of your organisation").fill("Zadkine")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    (confirmation,) = mail.outbox
    link = re.search(r"http://testserver(/accounts/confirm/\S+/)", confirmation.body).group(1)
    page.goto(link)
    expect(page.get_by_role("status").first).to_contain_text("Your e-mail address is confirmed")
    expect(page.get_by_role("status").nth(1)).to_contain_text("Zadkine is new in Stip")

    # She asks for Zadkine to join as observer; the lead approves, and so confirms Zadkine.
    page.goto(f"/p/{slug}/join/")
    page.get_by_label("Why do you want to take part?").fill("Wij willen meekijken.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("status").first).to_contain_text("Your request is sent")
    lead = person_page(world.lead)
    lead.goto(f"/p/{slug}/requests/")
    expect(lead.locator("blockquote")).to_contain_text("Wij willen meekijken.")
    expect(lead.locator(".card")).to_contain_text("Approving also confirms Zadkine")
    lead.get_by_role("button", name="Approve").click()
    expect(lead.get_by_role("status").first).to_contain_text("Decision saved")

    page.goto(f"/p/{slug}/members/")
    expect(page.get_by_role("row", name=re.compile("^Zadkine"))).to_contain_text("Observer")

    # She watches the main process with everything below it.
    page.goto(f"/p/{slug}/watch/{main.slug}/")
    page.get_by_label("This document and everything below it").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("You watch this now")

    # A contributor edits the use case below it.
    contributor = person_page(world.contributor)
    contributor.goto(f"/p/{slug}/d/{use_case.slug}/edit/")
    contributor.get_by_label("Text (markdown)").fill("Oud.\n\nNieuwe stap: docent meldt.\n")
    contributor.get_by_label("Edit summary").fill("Stap toegevoegd")
    contributor.get_by_role("button", name="Save", exact=True).click()
    expect(contributor.get_by_role("status").first).to_contain_text("saved")

    # She sees the notification and opens its diff.
    page.goto(f"/p/{slug}/")
    page.get_by_role("link", name=re.compile(r"^Notifications \d+ unread")).click()
    notification = page.locator(".notification.unread").first
    expect(notification).to_contain_text("Les verplaatsen")
    expect(notification).to_contain_text("Stap toegevoegd")
    notification.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/p/{slug}/d/{use_case.slug}/diff/\?"))
    expect(page.locator("table.diff")).to_contain_text("Nieuwe stap: docent meldt.")

    # She cannot edit yet; she asks to become contributor, and the lead approves.
    response = page.goto(f"/p/{slug}/d/{use_case.slug}/edit/")
    assert response.status == 403
    page.goto(f"/p/{slug}/join/")
    page.get_by_label("Why do you want to take part?").fill("Nu willen we meedoen.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("status").first).to_contain_text("Your request is sent")
    lead.goto(f"/p/{slug}/requests/")
    expect(lead.locator("h2").first).to_contain_text("Contributor")
    lead.get_by_role("button", name="Approve").click()
    expect(lead.get_by_role("status").first).to_contain_text("Decision saved")

    # Now she can edit.
    page.goto(f"/p/{slug}/d/{use_case.slug}/edit/")
    page.get_by_label("Text (markdown)").fill(
        "Oud.\n\nNieuwe stap: docent meldt.\n\nZadkine doet mee.\n"
    )
    page.get_by_label("Edit summary").fill("Eerste bijdrage")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".prose")).to_contain_text("Zadkine doet mee.")
