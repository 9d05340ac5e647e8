"""The dashboard and the insight charts in real Chromium: what a lead sees first after logging
in, and a chart with its numbers and CSV."""

from pathlib import Path

from playwright.sync_api import expect

from participation.models import JoinRequest
from tests import factories


def test_lead_sees_what_asks_for_them_first_and_follows_it(page, login, world, make_document):
    main = make_document(world, title="Onderwijs", kind="main_process")
    work = make_document(world, title="Inschrijven", kind="work_process", parent=main)
    make_document(world, title="Leerling schrijft zich in", kind="use_case", parent=work)
    newcomer = factories.OrganisationFactory(name="Nieuwe School")
    asker = factories.UserFactory(username="asker")
    factories.AffiliationFactory(user=asker, organisation=newcomer)
    JoinRequest.objects.create(
        programme=world.programme,
        organisation=newcomer,
        level="observer",
        motivation="Wij willen meekijken.",
        requested_by=asker,
    )
    login(world.lead)

    page.goto("/dashboard/")
    attention = page.get_by_role("region", name="What asks for you")
    expect(attention).to_contain_text("2 things need your attention.")
    signoffs = attention.get_by_role(
        "region", name="Use cases awaiting your organisation's sign-off"
    )
    expect(signoffs).to_contain_text("Leerling schrijft zich in")
    requests = attention.get_by_role("region", name="Join requests waiting for you as lead")
    expect(requests).to_contain_text("Nieuwe School asks to join")
    box = page.get_by_role("heading", name="What asks for you").bounding_box()
    programmes = page.get_by_role("heading", name="Your programmes").bounding_box()
    assert box["y"] < programmes["y"]  # the first thing on the page

    signoffs.get_by_role("link", name="Leerling schrijft zich in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Leerling schrijft zich in")


def test_insight_chart_has_a_name_its_numbers_and_a_csv(page, world, make_document):
    make_document(world, title="Visie")

    page.goto(f"/p/{world.programme.slug}/insight/")

    chart = page.get_by_role("img", name="Contributions per organisation per week")
    expect(chart).to_be_visible()
    expect(chart.locator("text").filter(has_text="open Contributing College")).to_have_count(1)
    section = page.locator("#chart-contributions")
    section.get_by_text("The numbers as a table").click()
    table = section.get_by_role("table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr").last).to_contain_text("1")
    with page.expect_download() as download:
        section.get_by_role("link", name="Download the numbers").click()
    path = download.value.path()
    text = Path(path).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "Week of,open Contributing College,Total"
    assert text.splitlines()[-1].endswith(",1,1")
