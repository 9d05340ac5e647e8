"""A closed timebox's baseline of the demo as a tender annex, read back as a buyer would: the PDF
through pypdf (text, page numbers, outline, PDF/A tags and fonts) and the Word document through
python-docx (headings, tables, header and footer), in Dutch and in English."""

import io
import os
import re
import subprocess
from pathlib import Path

import pypdf
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import translation
from docx import Document as WordDocument

from timeboxes import annex, exports, services
from timeboxes.models import Timebox
from usecases.models import SignOff
from wiki import drawing
from wiki.models import Document, VersionNumber

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# Renders for the README: under var/ in tests; `make screenshots` points this at docs/screenshots.
PICTURES = Path(os.environ.get("STIP_ANNEX_PICTURES") or ROOT / "var" / "test-renders" / "annex")


@pytest.fixture(scope="module")
def demo_baseline(django_db_setup, django_db_blocker):
    """The demo, with its "Specificatiefase" closed by the lead (its baseline follows the
    "Visiefase" one), loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        timebox = Timebox.objects.get(programme__slug="triple-a", name="Specificatiefase")
        lead = get_user_model().objects.get(username="lead")
        baseline = services.timebox_close(
            timebox=timebox, by=lead, outcome="Klaar voor de aanbesteding."
        )
        built = {}
        for language in ("nl", "en"):
            with translation.override(language):
                built[language] = exports.baseline_pdf(baseline)
        with translation.override("nl"):
            built["docx"] = exports.baseline_docx(baseline)
        yield baseline, built
        transaction.set_rollback(True)


def pdf(built) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(built.content))


def pages_text(reader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def tree_order(baseline) -> list[tuple[str, str]]:
    """(number, title) of the baseline's documents as the annex must order them."""
    return [(d.number, d.title) for d in annex._in_tree_order(baseline)]


def heading_page(pages: list[str], number: str, title: str) -> int:
    pattern = re.compile(rf"^{re.escape(number)}\s+{re.escape(title)}$", re.MULTILINE)
    found = [n for n, text in enumerate(pages, start=1) if n > 2 and pattern.search(text)]
    assert found, f"no heading {number} {title}"
    return found[0]


def test_documents_come_in_tree_order_with_numbered_headings(demo_baseline):
    baseline, built = demo_baseline
    order = tree_order(baseline)
    assert [n for n, _ in order][:3] == ["1", "1.1", "1.1.1"]
    assert ("2", "Studievoortgang volgen") in order
    text = "\n".join(pages_text(pdf(built["nl"]))[2:])
    positions = [
        re.search(rf"^{re.escape(n)}\s+{re.escape(t)}$", text, re.MULTILINE).start()
        for n, t in order
    ]
    assert positions == sorted(positions)
    assert text.index("Wijzigingen sinds de vorige baseline") > positions[-1]
    assert text.index("Begrippenlijst") > text.index("Wijzigingen sinds de vorige baseline")


def test_process_diagrams_are_drawn_or_given_as_their_text_with_a_note(demo_baseline):
    """The PDF runs no script: the server draws a ```mermaid diagram of the demo's processes
    (`wiki.drawing`), so its labels are drawn and its source is not there; on a server without a
    browser it is the source, marked as such, not a broken picture or nothing."""
    _baseline, built = demo_baseline
    text = "\n".join(pages_text(pdf(built["nl"])))
    assert "Resultaten registreren" in text
    if drawing.browser() and drawing.mermaid_file():
        assert "flowchart LR" not in text
        assert "weergegeven als tekst" not in text
    else:
        assert "Procesdiagram, weergegeven als tekst (Mermaid)" in text
        assert "flowchart LR" in text


def test_table_of_contents_gives_the_page_of_every_document(demo_baseline):
    baseline, built = demo_baseline
    pages = pages_text(pdf(built["nl"]))
    contents = pages[1]
    assert contents.startswith("Inhoud")
    for number, title in tree_order(baseline):
        entry = re.search(
            rf"^{re.escape(number)}\s+{re.escape(title)}\s*\.+\s*(\d+)$", contents, re.M
        )
        assert entry, f"{number} {title} is not in the table of contents"
        assert int(entry.group(1)) == heading_page(pages, number, title)


def test_every_page_says_which_baseline_and_page_x_of_y(demo_baseline):
    baseline, built = demo_baseline
    reader = pdf(built["nl"])
    pages = pages_text(reader)
    assert built["nl"].pages == len(reader.pages) > 5
    total = len(pages)
    for number, text in enumerate(pages[1:], start=2):
        assert f"Pagina {number} van {total}" in text
        assert f"Baseline {baseline.pk} · " in text and "Triple A" in text
    assert "Pagina 1 van" not in pages[0]  # the title page has no header or footer


def test_title_page_names_programme_timebox_outcome_and_organisations(demo_baseline):
    _, built = demo_baseline
    first = pages_text(pdf(built["nl"]))[0]
    for expected in (
        "Triple A",
        "Specificatiefase",
        "Klaar voor de aanbesteding.",
        "Albeda College",
        "ROC Aventus",
        "Amarantis Onderwijsgroep",
        "Deelnemende organisaties",
    ):
        assert expected in first, expected


def test_use_case_in_structured_form_with_marked_variants_in_dutch(demo_baseline):
    _, built = demo_baseline
    text = "\n".join(pages_text(pdf(built["nl"])))
    section = text[text.index("Rooster publiceren naar studenten\nUse case") :]
    for label in ("Primaire actor", "Voorwaarden vooraf", "Hoofdscenario", "Uitbreidingen"):
        assert label in section, label
    assert "Main success scenario" not in text and "Goal level" not in text
    assert re.search(r"1\.\s+Roostermaker: Keurt het conceptrooster goed\.", section)
    assert "Variant van ROC Aventus:" in section
    assert re.search(r"1a1\.\s+Roostermaker: Bespreekt het bezwaar", section)


def test_versions_are_the_documents_own_numbers(demo_baseline):
    baseline, built = demo_baseline
    text = "\n".join(pages_text(pdf(built["nl"])))
    document = Document.objects.get(slug="rooster-publiceren", programme__slug="triple-a")
    head = baseline.heads[str(document.pk)]
    number = VersionNumber.objects.get(version_id=head).number
    assert head != number  # the internal id would say something else
    assert re.search(rf"Rooster publiceren naar studenten\nUse case · versie {number}\n", text)


def test_sign_off_table_per_document(demo_baseline):
    baseline, built = demo_baseline
    text = "\n".join(pages_text(pdf(built["nl"])))
    assert text.count("Akkoorden\n") == len(tree_order(baseline))
    assert "Organisatie Oordeel Op versie Nog actueel?" in text.replace("\n", " ")
    document = Document.objects.get(slug="rooster-publiceren", programme__slug="triple-a")
    for signoff in SignOff.objects.filter(document=document).select_related("organisation"):
        number = VersionNumber.objects.get(version_id=signoff.version_id).number
        current = "ja" if signoff.version_id == baseline.heads[str(document.pk)] else "nee"
        with translation.override("nl"):
            verdict = str(SignOff.Verdict(signoff.verdict).label)
        row = r"\s+".join([*map(re.escape, verdict.split()), str(number), current])
        assert re.search(row, text), row
    assert "Niemand heeft dit document afgetekend." in text


def test_change_list_against_the_previous_baseline(demo_baseline):
    baseline, built = demo_baseline
    previous = annex.previous_baseline(baseline)
    assert previous is not None and previous.timebox.name == "Visiefase"
    text = "\n".join(pages_text(pdf(built["nl"])))
    changes = " ".join(text[text.index("Wijzigingen sinds de vorige baseline\n") :].split())
    assert "Vergeleken met" in changes
    assert "Rooster maken nieuw in deze baseline" in changes
    assert "Visie op de studentadministratie niet meer in deze baseline" in changes


def test_glossary_appendix_with_each_organisations_own_words(demo_baseline):
    _, built = demo_baseline
    text = "\n".join(pages_text(pdf(built["nl"])))
    glossary = text[text.rindex("Begrippenlijst\n") :]
    assert "Rooster" in glossary and "Albeda College: lesrooster" in glossary
    assert "ROC Aventus: planning" in glossary and "ROC Aventus: MijnAventus" in glossary


def test_pdf_is_tagged_pdf_a_with_embedded_fonts_and_an_outline(demo_baseline):
    baseline, built = demo_baseline
    reader = pdf(built["nl"])
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True and "/StructTreeRoot" in root
    assert root["/Lang"] == "nl"
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert (xmp.pdfaid_part, xmp.pdfaid_conformance) == ("3", "A")  # PDF/A-3a: tagged, embedded
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descendant["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
            fonts.add(font["/BaseFont"])
    assert any("DejaVu-Sans" in f for f in fonts)
    outline = [item["/Title"] for item in reader.outline if isinstance(item, dict)]
    assert outline[:2] == ["Inhoud", "1 Onderwijs plannen"]
    assert "Wijzigingen sinds de vorige baseline" in outline and "Begrippenlijst" in outline
    nested = str(reader.outline)
    assert "1.1.1 Rooster publiceren naar studenten" in nested
    assert "Hoofdscenario" not in nested  # the documents and chapters, not their parts


def test_english_annex_speaks_english(demo_baseline):
    _, built = demo_baseline
    pages = pages_text(pdf(built["en"]))
    text = "\n".join(pages)
    assert pages[1].startswith("Contents")
    for expected in ("Main success scenario", "Extensions", "Sign-offs", "Glossary", "Page 2 of"):
        assert expected in text, expected
    assert "Hoofdscenario" not in text and "Pagina" not in text


def test_word_document_has_real_headings_and_tables(demo_baseline):
    baseline, built = demo_baseline
    word = WordDocument(io.BytesIO(built["docx"].content))
    headings = [
        (p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")
    ]
    expected = [
        (f"Heading {min(len(n.split('.')), 6)}", f"{n} {t}") for n, t in tree_order(baseline)
    ]
    documents = [h for h in headings if h in expected]
    assert documents == expected
    assert ("Heading 1", "Wijzigingen sinds de vorige baseline") in headings
    assert ("Heading 1", "Begrippenlijst") in headings
    assert ("Heading 2", "Hoofdscenario") not in headings  # a use case's part sits below it
    assert any(style == "Heading 4" and text == "Hoofdscenario" for style, text in headings)
    assert word.paragraphs[0].style.name in {"Subtitle", "Title"}
    assert any(p.style.name == "Title" and p.text == "Triple A" for p in word.paragraphs)
    assert any(
        p.style.name == "Variant" and p.text.startswith("Variant van ROC Aventus:")
        for p in word.paragraphs
    )
    headers = [[c.text for c in t.rows[0].cells] for t in word.tables]
    assert ["Organisatie", "Oordeel", "Op versie", "Nog actueel?", "Opmerkingen"] in headers
    assert ["Begrip", "Definitie", "Eigen woorden van de organisaties"] in headers
    glossary = next(t for t in word.tables if t.rows[0].cells[0].text == "Begrip")
    assert any("Albeda College: lesrooster" in row.cells[2].text for row in glossary.rows)
    xml = word.element.xml
    assert 'TOC \\o "1-3"' in xml
    section = word.sections[0]
    assert f"Baseline {baseline.pk}" in section.header.paragraphs[0].text
    footer = section.footer._element.xml
    assert " PAGE " in footer and " NUMPAGES " in footer


def test_pictures_of_the_title_page_and_a_use_case_page(demo_baseline, tmp_path):
    """Page 1 and the first use case page, rendered with pdftoppm: the README shows them."""
    _, built = demo_baseline
    pages = pages_text(pdf(built["nl"]))
    usecase_page = next(n for n, text in enumerate(pages, start=1) if "Hoofdscenario" in text)
    source = tmp_path / "annex.pdf"
    source.write_bytes(built["nl"].content)
    PICTURES.mkdir(parents=True, exist_ok=True)
    for name, page in (("annex-title-page", 1), ("annex-use-case", usecase_page)):
        target = PICTURES / name
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(source),
                str(target),
            ],
            check=True,
        )
        assert (PICTURES / f"{name}.png").stat().st_size > 10_000
