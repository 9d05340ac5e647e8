"""Joining in one step, in real Chromium: a lead makes an invitation link for a new
organisation as contributor; a newcomer opens it, signs up on that page and lands in the
programme as a contributor, sees where they stand and whom they still wait for, and can write;
the lead withdraws the link, and the next person who opens it is told whom to ask."""

import pytest
from playwright.sync_api import expect

from participation.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fresh_page(page, live_server):
    """Another person's browser, logged in as nobody."""
    contexts = []

    def open_one():
        context = page.context.browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_one
    for context in contexts:
        context.close()


def test_a_newcomer_joins_through_a_leads_link_in_one_step(page, login, fresh_page, world):
    slug = world.programme.slug
    login(world.lead)
    page.goto(f"/p/{slug}/invitation-links/")
    page.get_by_label("Or the name of a new organisation").fill("Het Nieuwe Lyceum")
    page.get_by_label("Level").select_option("contributor")
    page.get_by_role("button", name="Make a link").click()
    expect(page.get_by_role("status").first).to_contain_text("The link for Het Nieuwe Lyceum")
    url = page.get_by_label("Link for Het Nieuwe Lyceum").input_value()
    assert "/join/" in url

    newcomer = fresh_page()
    newcomer.goto(url)
    expect(newcomer.locator("main")).to_contain_text(
        f"You are invited to take part in {world.programme.name} for Het Nieuwe Lyceum as "
        "Contributor"
    )
    newcomer.get_by_label("Your name").fill("Nina de Vries")
    newcomer.get_by_label("E-mail address").fill("nina@nieuwe-lyceum.example")
    newcomer.get_by_label("Password").fill("een-lang-en-ongewoon-wachtwoord")
    newcomer.get_by_role("button", name="Sign up and take part").click()
    expect(newcomer.get_by_role("status").first).to_contain_text(
        f"Welcome to {world.programme.name}: you take part for Het Nieuwe Lyceum as Contributor"
    )
    assert newcomer.url.endswith(world.programme.get_absolute_url())
    membership = Membership.objects.get(organisation__name="Het Nieuwe Lyceum")
    assert membership.level == Membership.MemberLevel.CONTRIBUTOR

    # Where she stands: in, as contributor; her address still waits for her.
    newcomer.get_by_role("link", name="Nina de Vries").click()
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Your way in")
    steps = newcomer.locator("[data-step]")
    expect(newcomer.locator('[data-step="email"]').first).to_contain_text(
        "Waiting for you: open the link we sent to nina@nieuwe-lyceum.example"
    )
    expect(newcomer.locator('[data-step="affiliation"]').first).to_contain_text("Het Nieuwe Lyceum")
    expect(newcomer.locator('[data-step="level"]').last).to_contain_text("Contributor")
    assert steps.count() >= 6

    # She may write at once.
    newcomer.goto(f"/p/{slug}/new/")
    expect(newcomer.get_by_role("heading", level=1)).to_be_visible()
    expect(newcomer.get_by_role("button", name="Create")).to_be_visible()

    # The lead withdraws the link; whoever opens it now is told whom to ask.
    page.goto(f"/p/{slug}/invitation-links/")
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_role("status").first).to_contain_text("The link is withdrawn")
    late = fresh_page()
    late.goto(url)
    expect(late.get_by_role("alert")).to_contain_text(
        f"This invitation link has been withdrawn. Ask {world.lead.get_full_name()} for a new one."
    )
    expect(late.get_by_role("button", name="Sign up and take part")).to_have_count(0)
