"""Costs and benefits and the decision log in real Chromium: contributors record what a process
costs and brings their organisation, the lead sees who pays and who gains with the unbalanced
process flagged; a proposal is answered per organisation (observers refused), an objection
escalated and the proposal decided."""

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone
from playwright.sync_api import expect

from participation.models import Membership
from stakes import services
from stakes.models import Answer, Proposal
from tests import factories
from wiki.models import Document


def _second_organisation(world):
    organisation = factories.OrganisationFactory(name="Second College")
    factories.MembershipFactory(
        programme=world.programme,
        organisation=organisation,
        level=Membership.MemberLevel.CONTRIBUTOR,
    )
    person = factories.UserFactory(username="second-contributor")
    factories.AffiliationFactory(user=person, organisation=organisation)
    return person


def test_recording_costs_and_benefits_and_the_flagged_balance(page, login, world, make_document):
    main = make_document(world, title="Onderwijs plannen", kind=Document.Kind.MAIN_PROCESS)
    second = _second_organisation(world)
    services.stake_record(
        document=main, kind="time_saved", direction="benefit", size=3, author=second
    )
    login(world.contributor)

    page.goto(main.get_absolute_url())
    page.get_by_role("link", name="Costs and benefits of this document").click()
    page.get_by_label("Cost", exact=True).check()
    page.get_by_label("Kind").select_option("money")
    page.get_by_label("Or an amount in euros").fill("150.000")
    page.get_by_label("Explanation").fill("Wij betalen de licentie.")
    page.get_by_role("button", name="Save the entry").click()
    expect(page.get_by_text("Your organisation's entry was saved.")).to_be_visible()
    expect(page.locator(".stakes-entries")).to_contain_text("Wij betalen de licentie.")
    expect(page.locator(".stakes-entries")).to_contain_text("150000.00")

    page.goto(world.programme.get_absolute_url())
    page.get_by_role("link", name="Who pays, who gains").first.click()
    flagged = page.locator(".flagged-document")
    expect(flagged).to_contain_text("Onderwijs plannen")
    expect(flagged).to_contain_text(f"{world.contributing_org.name} pays, Second College gain")
    expect(page.locator("svg.chart rect")).to_have_count(4)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the balance as CSV").click()
    assert "Second College" in Path(download.value.path()).read_text(encoding="utf-8")


def test_proposal_answered_per_organisation_escalated_and_decided(
    page, login, world, make_document
):
    make_document(world, title="Onderwijs plannen", kind=Document.Kind.MAIN_PROCESS)
    login(world.lead)
    page.goto(f"/p/{world.programme.slug}/decisions/")
    page.get_by_role("link", name="New proposal").click()
    page.get_by_label("Title").fill("Albeda compenseren")
    page.get_by_label("Proposal", exact=True).fill("Aventus betaalt de helft.")
    page.get_by_label("Onderwijs plannen (main process)").check()
    deadline = timezone.localtime(timezone.now(), ZoneInfo("Europe/Amsterdam")) + timedelta(days=3)
    page.get_by_label("Deadline", exact=True).fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Put the proposal to the organisations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Albeda compenseren")
    proposal_url = page.url

    # The observer reads and comments, but does not answer.
    page.context.clear_cookies()
    login(world.observer)
    page.goto(proposal_url)
    expect(page.get_by_role("button", name="Give the answer")).to_have_count(0)
    page.get_by_label("Comment").fill("Wij kijken mee.")
    page.get_by_role("button", name="Comment").click()
    expect(page.locator(".comments")).to_contain_text("Wij kijken mee.")

    # The contributor objects: first without a reason (refused), then with one, and escalates.
    page.context.clear_cookies()
    login(world.contributor)
    page.goto(proposal_url)
    page.get_by_label("Object").check()
    page.get_by_role("button", name="Give the answer").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.locator(".field-has-error")).to_contain_text("Say why your organisation objects.")
    page.get_by_label("Object").check()
    page.get_by_label("Remarks or reason").fill("Te duur voor ons.")
    page.get_by_role("button", name="Give the answer").click()
    expect(page.locator(".answer-object")).to_contain_text("Te duur voor ons.")
    page.get_by_role("button", name="Escalate the objection to the leads").click()
    expect(page.locator(".answer-object")).to_contain_text("escalated to the leads")
    assert Answer.objects.count() == 1

    # The lead sees the escalated objection in one place and decides.
    page.context.clear_cookies()
    login(world.lead)
    page.goto(f"/p/{world.programme.slug}/decisions/escalated/")
    expect(page.locator(".escalated-objection")).to_contain_text("Te duur voor ons.")
    page.get_by_role("link", name="Albeda compenseren").click()
    page.get_by_label("Outcome").fill("Uitgesteld tot na de baseline.")
    page.get_by_role("button", name="Decide the proposal").click()
    expect(page.locator(".proposal-outcome")).to_contain_text("Uitgesteld tot na de baseline.")
    assert Proposal.objects.get().status == Proposal.Status.DECIDED
    page.goto(f"/p/{world.programme.slug}/decisions/")
    expect(page.locator(".decision-log")).to_contain_text("Uitgesteld tot na de baseline.")
