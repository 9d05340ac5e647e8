"""What a reader sees of a document: its own version numbers, the title once, and a use case in
its structured form in the reader's language."""

import re

import pytest
from django.urls import reverse

from usecases import services as usecases
from wiki import services
from wiki.models import Document, version_number

pytestmark = pytest.mark.django_db


def save(document, body, author):
    document.refresh_from_db()
    return services.document_save(
        document=document, body=body, base_version_id=document.head_id, author=author, summary=""
    )


def test_versions_are_numbered_per_document_from_one(world, make_document):
    first = make_document(world, title="Visie")
    other = make_document(world, title="Hoofdproces")
    save(first, "Tweede versie.\n", world.lead)
    third = save(first, "Derde versie.\n", world.lead).version
    assert version_number(other.head) == 1
    assert version_number(third) == 3


def test_history_shows_the_documents_own_version_numbers_not_ids(world, make_document, client):
    document = make_document(world, title="Visie")
    save(document, "Tweede versie.\n", world.lead)
    page = client.get(reverse("wiki:history", args=[world.programme.slug, document.slug]))
    numbers = re.findall(r'<td class="number">(\d+)</td>', page.content.decode())
    assert numbers == ["2", "1"]


def test_api_gives_the_version_number_beside_the_id(world, make_document, client):
    document = make_document(world, title="Visie")
    version = save(document, "Tweede versie.\n", world.lead).version
    base = f"/api/v1/programmes/{world.programme.slug}/documents/{document.slug}/"
    detail = client.get(base).json()
    assert detail["head_version_id"] == version.pk
    assert detail["head_version_number"] == 2
    history = client.get(base + "history/").json()["items"]
    assert [(v["id"], v["number"]) for v in history][0] == (version.pk, 2)
    assert history[1]["number"] == 1


def test_title_is_shown_once_when_the_text_repeats_it(world, make_document, client):
    document = make_document(
        world, title="Visie op roosters", body="# Visie op roosters\n\nTekst.\n"
    )
    page = client.get(document.get_absolute_url()).content.decode()
    assert page.count("Visie op roosters</h1>") == 1
    assert "<p>Tekst.</p>" in page
    api = f"/api/v1/programmes/{world.programme.slug}/documents/{document.slug}/"
    assert client.get(api).json()["html"] == "<p>Tekst.</p>"
    assert client.get(api).json()["body"].startswith("# Visie op roosters")


def test_a_first_heading_other_than_the_title_stays(world, make_document, client):
    document = make_document(world, title="Visie", body="# Inleiding\n\nTekst.\n")
    assert "Inleiding</h1>" in client.get(document.get_absolute_url()).content.decode()


@pytest.fixture
def usecase_document(world, make_document):
    main = make_document(world, title="Onderwijs plannen", kind=Document.Kind.MAIN_PROCESS)
    work = make_document(world, title="Rooster maken", kind=Document.Kind.WORK_PROCESS, parent=main)
    return usecases.usecase_create(
        programme=world.programme,
        parent=work,
        title="Weekrooster maken",
        data={
            "primary_actor": "Roostermaker",
            "preconditions": "De teams zijn bekend.",
            "steps": [
                {"id": "s1", "actor": "Roostermaker", "text": "Verzamelt de wensen."},
                {"id": "s2", "actor": "Docent", "text": "Controleert het concept."},
            ],
            "extensions": [{"id": "e1", "at": "s2", "condition": "Een docent is het oneens."}],
            "variants": [
                {
                    "organisation": world.contributing_org.pk,
                    "organisation_name": world.contributing_org.name,
                    "target": "s1",
                    "text": "Wij vragen de wensen per team.",
                }
            ],
        },
        author=world.contributor,
    )


def test_use_case_wiki_page_shows_its_structure_in_dutch(usecase_document, client):
    page = client.get(
        usecase_document.get_absolute_url(), headers={"accept-language": "nl"}
    ).content.decode()
    assert "Hoofdscenario" in page and "Uitbreidingen" in page and "Voorwaarden vooraf" in page
    assert "Main success scenario" not in page and "Goal level" not in page
    assert "<p>De teams zijn bekend.</p>" in page  # a field's text as HTML, not as tags
    assert "&lt;p&gt;" not in page
    assert page.count("Weekrooster maken</h1>") == 1
    assert "# Weekrooster maken" not in page


def test_use_case_wiki_page_speaks_english_to_english_readers(usecase_document, client):
    page = client.get(
        usecase_document.get_absolute_url(), headers={"accept-language": "en"}
    ).content.decode()
    assert "Main success scenario" in page and "Hoofdscenario" not in page


def test_renaming_a_document_renames_its_own_heading_so_the_title_shows_once(
    world, make_document, client
):
    """The page hides the text's own `# Title` heading while it repeats the title of its version;
    a rename carries the heading along, so neither the new version nor the old one shows the
    title twice, on the page, in the history's versions or in a baseline's annex."""
    from datetime import timedelta

    from django.utils import timezone

    from timeboxes import exports
    from timeboxes import services as timeboxes

    document = make_document(world, title="Visie", body="# Visie\n\nTekst.\n")
    first = document.head_id
    renamed = services.document_rename(
        document=document, title="Gedeelde visie", slug=None, author=world.lead
    )
    assert renamed.body == "# Gedeelde visie\n\nTekst.\n"
    page = client.get(renamed.get_absolute_url()).content.decode()
    assert page.count("Gedeelde visie</h1>") == 1 and "Visie</h1>" not in page
    for version_id, other in ((first, "Gedeelde visie"), (renamed.head_id, "Visie")):
        url = reverse("wiki:version", args=[world.programme.slug, renamed.slug, version_id])
        shown = client.get(url).content.decode()
        assert f">{other}</h1>" not in shown
        assert "<p>Tekst.</p>" in shown
    now = timezone.now()
    timebox = timeboxes.timebox_create(
        programme=world.programme,
        by=world.lead,
        name="Visiefase",
        starts_at=now - timedelta(hours=1),
        deadline=now + timedelta(days=1),
        documents=[renamed],
    )
    baseline = timeboxes.timebox_close(timebox=timebox, by=world.lead, outcome="Vastgesteld.")
    annex = exports.baseline_html(baseline)
    assert annex.count("Gedeelde visie</h") >= 1 and ">Visie</h" not in annex


def test_a_new_title_in_the_editor_renames_the_heading_left_as_it_was(world, make_document):
    document = make_document(world, title="Visie", body="# Visie\n\nTekst.\n")
    saved = services.document_save(
        document=document,
        title="Onze visie",
        body="# Visie\n\nTekst en meer.\n",
        base_version_id=document.head_id,
        author=world.lead,
    ).document
    assert saved.body == "# Onze visie\n\nTekst en meer.\n"
    own = services.document_save(
        document=saved,
        title="Visie 2030",
        body="# Inleiding\n\nTekst.\n",
        base_version_id=saved.head_id,
        author=world.lead,
    ).document
    assert own.body.startswith("# Inleiding\n")
