"""Process diagrams in real Chromium: a ```mermaid block is drawn as a picture under the site's
Content-Security-Policy; one that does not parse shows its source and the parser's message, and
the rest of the page stays; the diff shows both diagrams side by side."""

from playwright.sync_api import expect

from tests.e2e.test_csp import LISTEN
from wiki import services

FLOW = (
    "```mermaid\nflowchart LR\n  A[Aanmelden] --> B{Compleet?}\n  B -->|ja| C[Inschrijven]\n```\n"
)
BROKEN = "```mermaid\nflowchart LR\n  A[Aanmelden --> \n```\n"


def _violations(page) -> list:
    return page.evaluate("window.__cspViolations")


def test_a_diagram_is_drawn_as_a_picture_without_csp_violations(page, login, world, make_document):
    document = make_document(world, title="Aanmelden", body="Het proces.\n\n" + FLOW)
    page.add_init_script(LISTEN)
    login(world.observer)
    page.goto(document.get_absolute_url())
    picture = page.locator(".prose .diagram img.diagram-picture")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.naturalWidth") > 50
    assert picture.get_attribute("src").startswith("data:image/svg+xml")
    # The source stays with it, folded away.
    expect(page.locator(".diagram details summary")).to_have_text("Source of the diagram")
    assert _violations(page) == []


def test_a_broken_diagram_shows_its_source_and_the_parsers_message(
    page, login, world, make_document
):
    document = make_document(
        world, title="Aanmelden", body="Voor.\n\n" + BROKEN + "\nNa het diagram.\n\n" + FLOW
    )
    page.add_init_script(LISTEN)
    login(world.observer)
    page.goto(document.get_absolute_url())
    broken = page.locator(".prose .diagram").first
    expect(broken.locator(".diagram-error")).to_contain_text("This diagram could not be drawn:")
    expect(broken.locator(".diagram-error")).to_contain_text("Parse error")
    expect(broken.locator("pre")).to_contain_text("A[Aanmelden -->")
    # The page around it is whole, and the next diagram is drawn.
    expect(page.locator(".prose")).to_contain_text("Na het diagram.")
    expect(page.locator(".prose .diagram").nth(1).locator("img.diagram-picture")).to_be_visible()
    assert _violations(page) == []


def test_the_diff_shows_both_diagrams_side_by_side(page, login, world, make_document):
    document = make_document(world, title="Aanmelden", body=FLOW)
    services.document_save(
        document=document,
        body=FLOW.replace("C[Inschrijven]", "C[Inschrijven]\n  B -->|nee| D[Aanvullen]"),
        base_version_id=document.head_id,
        author=world.contributor,
        summary="Nee-pad",
    )
    login(world.observer)
    page.goto(f"{document.get_absolute_url()}diff/")
    section = page.locator(".diagrams-diff")
    expect(section.get_by_role("heading", name="Diagrams side by side")).to_be_visible()
    expect(section.locator("img.diagram-picture")).to_have_count(2)
    # The text diff shows the changed line as well.
    expect(page.locator("table.diff .diff-added")).to_contain_text("D[Aanvullen]")


def test_the_editor_preview_draws_the_diagram(page, login, world, make_document):
    document = make_document(world, title="Aanmelden", body="Tekst.\n")
    login(world.contributor)
    page.goto(f"{document.get_absolute_url()}edit/")
    page.get_by_label("Text (markdown)").fill(FLOW)
    expect(page.locator("[data-preview] img.diagram-picture")).to_be_visible()
