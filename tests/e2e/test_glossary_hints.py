"""While writing, a word of the glossary (or an organisation's own word for it) shows its
definition under the editor, so people keep speaking one language."""

from playwright.sync_api import expect

from usecases import services as usecase_services
from usecases.models import LocalWord


def test_typing_a_glossary_word_shows_its_definition(page, login, world, make_document):
    term = usecase_services.term_save(
        programme=world.programme,
        term="Roostermaker",
        definition="De medewerker die het lesrooster opstelt.",
        author=world.lead,
    )
    LocalWord.objects.create(term=term, organisation=world.contributing_org, word="planner")
    document = make_document(world, title="Rooster maken", body="")
    login(world.contributor)
    page.goto(document.get_absolute_url() + "edit/")

    text = page.get_by_label("Text (markdown)")
    hint = page.locator("[data-glossary-hint]")
    text.press_sequentially("De roostermaker")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("Roostermaker")
    expect(hint).to_contain_text("De medewerker die het lesrooster opstelt.")

    text.press_sequentially(" overlegt met de ")
    expect(hint).to_be_hidden()
    text.press_sequentially("planner")
    expect(hint).to_contain_text("Roostermaker")


def test_a_term_typed_before_the_glossary_arrived_is_shown_when_it_arrives(
    page, login, world, make_document
):
    usecase_services.term_save(
        programme=world.programme,
        term="Roostermaker",
        definition="De medewerker die het lesrooster opstelt.",
        author=world.lead,
    )
    document = make_document(world, title="Rooster maken", body="")
    login(world.contributor)
    held = []
    page.route("**/glossary.json*", lambda route: held.append(route))  # a slow connection
    page.goto(document.get_absolute_url() + "edit/")
    text = page.get_by_label("Text (markdown)")
    hint = page.locator("[data-glossary-hint]")
    text.press_sequentially("De roostermaker")
    expect(hint).to_be_hidden()

    for _ in range(50):  # the request is recorded while Playwright waits
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the editor asks for the glossary"
    held[0].continue_()
    expect(hint).to_contain_text("De medewerker die het lesrooster opstelt.")
