"""Insight charts: the numbers against known data, the CSV against the table, the SVG's labels,
and who may see them."""

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from participation.models import Membership
from tests import factories
from wiki import services
from workspace import insight

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=AMSTERDAM)  # a Wednesday


@pytest.fixture(autouse=True)
def english():
    """The charts' labels in English, whatever language an earlier request left active."""
    with translation.override("en"):
        yield


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=AMSTERDAM), tick=False)


def edit(document, author, text):
    document.refresh_from_db()
    return services.document_save(
        document=document, body=text, base_version_id=document.head_id, author=author
    )


@pytest.fixture
def busy_world(world, make_document):
    """Two weeks of work: the lead (Contributing College) creates a document in the week of
    9 November, the contributor (same college) edits it twice in the week of 16 November, and
    an organisation-less admin edits it once that week too. The colleges joined on 1 November
    (not on the day the test runs, which may be after NOW)."""
    Membership.objects.filter(programme=world.programme).update(
        joined_at=dt.datetime(2026, 11, 1, tzinfo=AMSTERDAM)
    )
    with at(2026, 11, 10, 9, 0):
        document = make_document(world, title="Visie")
    with at(2026, 11, 17, 9, 0):
        edit(document, world.contributor, "Tweede versie.\n")
    with at(2026, 11, 22, 23, 30):  # Sunday night, still that week in Amsterdam
        edit(document, world.contributor, "Derde versie.\n")
    admin = factories.UserFactory(username="admin", is_superuser=True)
    with at(2026, 11, 18, 9, 0):
        edit(document, admin, "Vierde versie.\n")
    return world


def test_contributions_counted_per_organisation_per_week(busy_world):
    chart = insight.contributions_per_week(busy_world.programme, weeks=4, now=NOW)

    assert chart.category_keys == ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
    assert chart.series == ["open Contributing College", "No organisation"]
    assert chart.values == [[0, 0], [1, 0], [2, 1], [0, 0]]
    assert chart.totals == [0, 1, 3, 0]


def test_contributions_leave_out_other_programmes(busy_world, make_document):
    other = factories.ProgrammeFactory(name="Other programme")
    factories.LeadRoleFactory(programme=other, user=busy_world.lead)
    with at(2026, 11, 17, 10, 0):
        services.document_create(
            programme=other, kind="page", title="Elders", body="x", author=busy_world.lead
        )

    chart = insight.contributions_per_week(busy_world.programme, weeks=4, now=NOW)

    assert chart.grand_total == 4


def test_network_growth_counts_members_at_the_end_of_each_month(world):
    Membership.objects.filter(programme=world.programme).update(
        joined_at=dt.datetime(2026, 9, 15, tzinfo=AMSTERDAM)
    )
    newcomer = factories.OrganisationFactory(name="Newcomer College")
    factories.MembershipFactory(
        programme=world.programme,
        organisation=newcomer,
        level=Membership.MemberLevel.OBSERVER,
        joined_at=dt.datetime(2026, 11, 2, tzinfo=AMSTERDAM),
    )

    chart = insight.network_growth(world.programme, now=NOW)

    assert chart.category_keys == ["2026-09", "2026-10", "2026-11"]
    assert chart.series == ["Contributors", "Observers"]
    assert chart.values == [[1, 1], [1, 1], [1, 2]]


def test_svg_carries_title_labels_and_numbers_as_text(busy_world):
    chart = insight.contributions_per_week(busy_world.programme, weeks=4, now=NOW)

    svg = insight.chart_svg(chart)

    assert 'role="img"' in svg
    assert "<title id=" in svg and chart.title in svg
    assert ">open Contributing College</text>" in svg  # the legend names each series
    assert ">Nov 16</text>" in svg  # the week under its bar
    assert re.search(r'font-weight="bold"[^>]*>3</text>', svg)  # the week's total on its bar
    assert "<pattern" in svg  # the second series is told apart by a pattern, not colour alone


def test_svg_escapes_organisation_names(world, make_document):
    world.contributing_org.name = '<script>alert("x")</script>'
    world.contributing_org.save()
    make_document(world)

    svg = insight.chart_svg(insight.contributions_per_week(world.programme))

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def _table_rows(html: str, key: str) -> list[list[str]]:
    section = html.split(f'id="chart-{key}"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", section, flags=re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        for row in rows
    ]


@pytest.mark.parametrize("key", ["contributions", "growth"])
def test_csv_has_the_numbers_of_the_table(client, busy_world, key):
    programme = busy_world.programme
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("workspace:insight", args=[programme.slug]))
        download = client.get(reverse("workspace:insight_csv", args=[programme.slug, key]))

    assert page.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    table = _table_rows(page.content.decode(), key)
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == table[0]  # the same columns
    assert [row[1:] for row in rows[1:]] == [row[1:] for row in table[1:]]  # the same numbers
    assert len(rows) > 1


def test_anyone_may_see_insight_of_an_open_programme(client, world):
    response = client.get(reverse("workspace:insight", args=[world.programme.slug]))

    assert response.status_code == 200
    assert "Contributions per organisation per week" in response.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
def test_insight_of_a_members_only_programme_is_hidden_from_others(client, closed_world, role):
    person = closed_world.person(role)
    if person.is_authenticated:
        client.force_login(person)
    slug = closed_world.programme.slug

    assert client.get(reverse("workspace:insight", args=[slug])).status_code == 404
    assert client.get(reverse("workspace:insight_csv", args=[slug, "growth"])).status_code == 404


def test_observer_sees_insight_of_a_members_only_programme(client, closed_world):
    client.force_login(closed_world.observer)

    response = client.get(reverse("workspace:insight", args=[closed_world.programme.slug]))

    assert response.status_code == 200


def test_unknown_chart_is_not_found(client, world):
    url = reverse("workspace:insight_csv", args=[world.programme.slug, "nonsense"])

    assert client.get(url).status_code == 404


def test_dates_and_numbers_follow_the_chosen_language(busy_world):
    with translation.override("nl"):
        dutch = insight.contributions_per_week(busy_world.programme, weeks=4, now=NOW)
        dutch_number = insight._number(12345)
    with translation.override("en"):
        english_number = insight._number(12345)

    assert dutch.categories[2] == "16 nov"
    assert dutch_number == "12.345"
    assert english_number == "12,345"


@pytest.fixture
def use_cases(world, make_document):
    main = make_document(world, title="Onderwijs", kind="main_process")
    work = make_document(world, title="Inschrijven", kind="work_process", parent=main)
    return [
        make_document(world, title=f"Use case {n}", kind="use_case", parent=work) for n in range(3)
    ]


def test_signoff_coverage_counts_use_cases_per_organisation(world, use_cases):
    from usecases import services as usecase_services

    second = factories.OrganisationFactory(name="open Second College")
    factories.MembershipFactory(programme=world.programme, organisation=second)
    usecase_services.signoff_give(
        document=use_cases[0], verdict="agree", remarks="", author=world.contributor
    )
    usecase_services.signoff_give(
        document=use_cases[1], verdict="object", remarks="Te vaag.", author=world.contributor
    )
    usecase_services.signoff_give(
        document=use_cases[2], verdict="remarks", remarks="Ok.", author=world.contributor
    )
    edit(use_cases[2], world.lead, "Nieuwe tekst.\n")  # the sign-off is of an older version now

    chart = insight.signoff_coverage(world.programme)

    assert chart.categories == ["open Contributing College", "open Second College"]
    assert chart.series == ["Agreed", "Objected", "Older version", "Not signed off"]
    assert chart.values == [[1, 1, 1, 0], [0, 0, 0, 3]]


def test_documents_changed_per_timebox_in_scope_and_elsewhere(world, make_document):
    timeboxes = pytest.importorskip("timeboxes.models")
    with at(2026, 11, 2, 9, 0):
        in_scope = make_document(world, title="In scope")
        elsewhere = make_document(world, title="Elsewhere")
    box = timeboxes.Timebox.objects.create(
        programme=world.programme,
        name="Ronde 1",
        starts_at=dt.datetime(2026, 11, 9, tzinfo=AMSTERDAM),
        deadline=dt.datetime(2026, 11, 30, tzinfo=AMSTERDAM),
        status="open",
    )
    timeboxes.ScopeItem.objects.create(timebox=box, document=in_scope)
    with at(2026, 11, 10, 9, 0):
        edit(in_scope, world.contributor, "Een.\n")
        edit(in_scope, world.contributor, "Twee.\n")
        edit(elsewhere, world.contributor, "Drie.\n")

    chart = insight.documents_per_timebox(world.programme, now=NOW)

    assert chart.categories == ["Ronde 1"]
    assert chart.values == [[1, 1]]


def test_y_axis_is_numbered_in_whole_round_steps():
    chart = insight.Chart(
        key="t",
        title="T",
        description="D",
        category_label="C",
        categories=["a", "b"],
        series=["s"],
        values=[[22], [3]],
    )

    svg = insight.chart_svg(chart)

    labels = re.findall(r'text-anchor="end"[^>]*>([0-9.,]+)</text>', svg)
    assert labels == ["0", "6", "12", "18", "24"]


def test_segment_numbers_stand_on_a_plain_plate_not_on_the_pattern():
    chart = insight.Chart(
        key="test",
        title="Test",
        description="",
        category_label="Week",
        categories=["a", "b"],
        series=["Een", "Twee"],
        values=[[10, 12], [0, 1]],
    )

    svg = insight.chart_svg(chart)

    # Each number inside a bar sits on a white plate drawn just before it, over the pattern.
    for number in ("10", "12"):
        assert re.search(
            r'<rect class="segment-plate"[^>]*fill="#ffffff"[^>]*/><text[^>]*>' + number + "<",
            svg,
        ), number
    assert not re.search(r'class="segment-plate"[^>]*/><text[^>]*>1<', svg)  # too thin: none
