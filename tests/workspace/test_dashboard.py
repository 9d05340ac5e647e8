"""The personal dashboard: what each role sees, what changed since the last visit, and what
asks for the person."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from participation.models import Level
from tests import factories
from wiki import services
from workspace import dashboard


def log_out_keeping_cookies(client):
    """Log out as a browser does: the session ends, the browser's other cookies stay."""
    seen = client.cookies[dashboard.SEEN_COOKIE].value
    client.logout()
    client.cookies[dashboard.SEEN_COOKIE] = seen


def edit(document, author, text, summary=""):
    document.refresh_from_db()
    return services.document_save(
        document=document,
        body=text,
        base_version_id=document.head_id,
        author=author,
        summary=summary,
    )


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("workspace:dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_log_in_leads_to_the_dashboard(client, world):
    response = client.post(
        reverse("login"),
        {"username": world.contributor.username, "password": factories.PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:dashboard")


@pytest.mark.parametrize(
    ("role", "level"),
    [("lead", Level.LEAD), ("contributor", Level.CONTRIBUTOR), ("observer", Level.OBSERVER)],
)
def test_dashboard_shows_my_programme_with_my_level(client, world, role, level):
    client.force_login(world.person(role))

    response = client.get(reverse("workspace:dashboard"))

    entry = response.context["dashboard"].programmes[0]
    assert entry.programme == world.programme
    assert entry.level == level
    html = response.content.decode()
    assert world.programme.name in html
    assert str(level.label) in html


def test_outsider_has_no_programmes_but_sees_the_open_ones_to_read(client, world):
    client.force_login(world.outsider)

    response = client.get(reverse("workspace:dashboard"))

    board = response.context["dashboard"]
    assert board.programmes == []
    assert board.open_programmes == 1
    assert "You do not take part in a programme yet." in response.content.decode()


def test_members_only_programme_of_others_is_not_counted(client, closed_world):
    client.force_login(closed_world.outsider)

    board = client.get(reverse("workspace:dashboard")).context["dashboard"]

    assert board.open_programmes == 0


def test_what_asks_for_you_comes_before_everything_else(client, world):
    client.force_login(world.contributor)

    html = client.get(reverse("workspace:dashboard")).content.decode()

    main = html.split('id="main"', 1)[1]
    assert main.index("What asks for you") < main.index("Your programmes")
    assert main.index("What asks for you") < main.index("Changed in your programmes")
    assert "Nothing needs your attention right now." in html


def test_only_leads_see_join_requests_section(client, world):
    client.force_login(world.lead)
    lead_keys = [
        s.key for s in client.get(reverse("workspace:dashboard")).context["dashboard"].asks
    ]
    client.force_login(world.observer)
    observer_keys = [
        s.key for s in client.get(reverse("workspace:dashboard")).context["dashboard"].asks
    ]

    assert "join_requests" in lead_keys
    assert "join_requests" not in observer_keys


def test_changes_by_others_since_last_visit_are_listed(client, world, make_document):
    document = make_document(world, title="Visie")
    edit(document, world.contributor, "Een betere visie.\n", summary="Doel aangescherpt")
    client.force_login(world.observer)

    response = client.get(reverse("workspace:dashboard"))

    changes = response.context["dashboard"].changes
    assert [(c.document, c.revision.user, c.count) for c in changes] == [
        (document, world.contributor, 2)
    ]  # one entry per document: its newest change, and how many there were
    html = response.content.decode()
    assert "Doel aangescherpt" in html
    assert document.get_absolute_url() in html


def test_my_own_changes_are_under_my_edits_not_under_changes(client, world, make_document):
    document = make_document(world, title="Visie", author=world.contributor)
    edit(document, world.contributor, "Nog een versie.\n")
    client.force_login(world.contributor)

    board = client.get(reverse("workspace:dashboard")).context["dashboard"]

    assert board.changes == []
    assert [c.document for c in board.my_edits] == [document, document]


def test_second_visit_shows_only_what_changed_since_the_first(client, world, make_document):
    document = make_document(world, title="Visie")
    client.force_login(world.observer)
    client.get(reverse("workspace:dashboard"))
    log_out_keeping_cookies(client)  # a new session: the cookie remembers the visit

    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        edit(document, world.contributor, "Later werk.\n", summary="Later werk")
        client.force_login(world.observer)
        board = client.get(reverse("workspace:dashboard")).context["dashboard"]

    assert [c.revision.comment for c in board.changes] == ["Later werk"]


def test_reload_in_the_same_session_keeps_the_changes(client, world, make_document):
    make_document(world, title="Visie")
    client.force_login(world.observer)

    first = client.get(reverse("workspace:dashboard")).context["dashboard"]
    again = client.get(reverse("workspace:dashboard")).context["dashboard"]

    assert len(first.changes) == 1
    assert len(again.changes) == 1


def test_another_persons_visit_cookie_is_ignored(client, world, make_document):
    make_document(world, title="Visie")
    client.force_login(world.lead)
    client.get(reverse("workspace:dashboard"))
    log_out_keeping_cookies(client)
    client.force_login(world.observer)

    board = client.get(reverse("workspace:dashboard")).context["dashboard"]

    assert len(board.changes) == 1  # the lead's visit a moment ago does not hide it


def test_changes_in_members_only_programme_are_not_shown_to_outsiders(
    client, closed_world, make_document
):
    make_document(closed_world, title="Geheim")
    client.force_login(closed_world.outsider)

    html = client.get(reverse("workspace:dashboard")).content.decode()

    assert "Geheim" not in html


def test_deleted_documents_drop_out_of_the_lists(client, world, make_document):
    document = make_document(world, title="Weg ermee")
    services.document_delete(document=document, by=world.lead)
    client.force_login(world.lead)

    board = client.get(reverse("workspace:dashboard")).context["dashboard"]

    assert board.my_edits == []


def test_dashboard_for_counts_everything_that_asks(world):
    board = dashboard.dashboard_for(world.lead, since=timezone.now() - dt.timedelta(days=1))

    assert board.attention_count == sum(len(s.items) for s in board.asks)


@pytest.fixture
def use_case(world, make_document):
    main = make_document(world, title="Onderwijs", kind="main_process")
    work = make_document(world, title="Inschrijven", kind="work_process", parent=main)
    return make_document(world, title="Leerling schrijft zich in", kind="use_case", parent=work)


def test_use_case_awaits_my_organisations_sign_off_until_given(client, world, use_case):
    from usecases import services as usecase_services

    client.force_login(world.contributor)
    before = client.get(reverse("workspace:dashboard"))
    usecase_services.signoff_give(
        document=use_case, verdict="agree", remarks="", author=world.contributor
    )
    after = client.get(reverse("workspace:dashboard")).context["dashboard"]

    waiting = next(s for s in before.context["dashboard"].asks if s.key == "signoffs")
    assert [item.title for item in waiting.items] == ["Leerling schrijft zich in"]
    assert "Leerling schrijft zich in" in before.content.decode()
    assert next(s for s in after.asks if s.key == "signoffs").items == []


def test_observer_is_not_asked_to_sign_off(client, world, use_case):
    client.force_login(world.observer)

    board = client.get(reverse("workspace:dashboard")).context["dashboard"]

    assert next(s for s in board.asks if s.key == "signoffs").items == []


def test_lead_sees_pending_join_request_with_a_count(client, world):
    from participation.models import JoinRequest

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
    client.force_login(world.lead)

    response = client.get(reverse("workspace:dashboard"))

    board = response.context["dashboard"]
    requests = next(s for s in board.asks if s.key == "join_requests")
    assert requests.count == 1
    assert board.attention_count == 1
    assert "Nieuwe School asks to join" in response.content.decode()
    assert "One thing needs your attention." in response.content.decode()


def test_timebox_closing_soon_without_my_organisation_asks_for_me(client, world, make_document):
    timeboxes = pytest.importorskip("timeboxes.models")
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=10)):
        document = make_document(world, title="Visie")
    box = timeboxes.Timebox.objects.create(
        programme=world.programme,
        name="Ronde 1",
        starts_at=now - dt.timedelta(days=7),
        deadline=now + dt.timedelta(days=3),
        status="open",
    )
    timeboxes.ScopeItem.objects.create(timebox=box, document=document)
    client.force_login(world.contributor)

    before = client.get(reverse("workspace:dashboard")).context["dashboard"]
    edit(document, world.contributor, "Onze bijdrage.\n")
    after = client.get(reverse("workspace:dashboard")).context["dashboard"]

    assert [i.title for i in next(s for s in before.asks if s.key == "timeboxes").items] == [
        "Ronde 1"
    ]
    assert next(s for s in after.asks if s.key == "timeboxes").items == []


def test_with_watches_only_watched_documents_show_as_changes(client, world, make_document):
    from wiki.models import Watch

    watched = make_document(world, title="Gevolgd", kind="main_process")
    below = make_document(world, title="Eronder", kind="work_process", parent=watched)
    make_document(world, title="Niet gevolgd")
    Watch.objects.create(
        user=world.observer, programme=world.programme, document=watched, scope="subtree"
    )
    client.force_login(world.observer)

    board = client.get(reverse("workspace:dashboard")).context["dashboard"]

    assert board.changes_source == "watched"
    assert {c.document for c in board.changes} == {watched, below}


def test_home_points_a_logged_in_person_to_what_waits(client, world, use_case):
    client.force_login(world.contributor)

    html = client.get(reverse("home")).content.decode()

    assert "One thing needs your attention" in html
    assert reverse("workspace:dashboard") in html


def test_home_has_no_banner_for_visitors(client, world):
    html = client.get(reverse("home")).content.decode()

    assert "needs your attention" not in html


def test_home_tells_a_visitor_what_stip_is_the_open_programmes_and_how_to_join(
    client, world, closed_world
):
    html = client.get(reverse("home")).content.decode()

    assert "Stip is where schools, municipalities and other organisations design" in html
    assert "Open programmes" in html and world.programme.name in html
    assert closed_world.programme.name not in html  # members only: not shown to visitors
    assert "How to take part" in html and f'href="{reverse("participation:signup")}"' in html
    assert "“Take part” on its Members page" in html

    client.force_login(world.contributor)
    assert "How to take part" not in client.get(reverse("home")).content.decode()


def test_dashboard_speaks_the_chosen_language(client, world, make_document):
    with time_machine.travel(timezone.now() - dt.timedelta(hours=2)):
        make_document(world, title="Visie")
    client.force_login(world.observer)
    client.cookies["django_language"] = "nl"

    with translation.override("en"):  # restores the test's language after the Dutch request
        response = client.get(reverse("workspace:dashboard"))

    html = response.content.decode()
    assert 'lang="nl"' in html
    assert re.search(r"2\s+uur\s+geleden", html)  # "2 hours ago" as Django's Dutch says it
