"""The personal dashboard: what each role sees, what changed since the last visit, and what
asks for the person."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from participation.models import Level
from tests import factories
from wiki import dashboard, services


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
    response = client.get(reverse("experience:dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_log_in_leads_to_the_dashboard(client, world):
    response = client.post(
        reverse("login"),
        {"username": world.contributor.username, "password": factories.PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("experience:dashboard")


@pytest.mark.parametrize(
    ("role", "level"),
    [("lead", Level.LEAD), ("contributor", Level.CONTRIBUTOR), ("observer", Level.OBSERVER)],
)
def test_dashboard_shows_my_programme_with_my_level(client, world, role, level):
    client.force_login(world.person(role))

    response = client.get(reverse("experience:dashboard"))

    entry = response.context["dashboard"].programmes[0]
    assert entry.programme == world.programme
    assert entry.level == level
    html = response.content.decode()
    assert world.programme.name in html
    assert str(level.label) in html


def test_outsider_has_no_programmes_but_sees_the_open_ones_to_read(client, world):
    client.force_login(world.outsider)

    response = client.get(reverse("experience:dashboard"))

    board = response.context["dashboard"]
    assert board.programmes == []
    assert board.open_programmes == 1
    assert "You do not take part in a programme yet." in response.content.decode()


def test_members_only_programme_of_others_is_not_counted(client, closed_world):
    client.force_login(closed_world.outsider)

    board = client.get(reverse("experience:dashboard")).context["dashboard"]

    assert board.open_programmes == 0


def test_what_asks_for_you_comes_before_everything_else(client, world):
    client.force_login(world.contributor)

    html = client.get(reverse("experience:dashboard")).content.decode()

    main = html.split('id="main"', 1)[1]
    assert main.index("What asks for you") < main.index("Your programmes")
    assert main.index("What asks for you") < main.index("Changed in your programmes")
    assert "Nothing needs your attention right now." in html


def test_only_leads_see_join_requests_section(client, world):
    client.force_login(world.lead)
    lead_keys = [
        s.key for s in client.get(reverse("experience:dashboard")).context["dashboard"].asks
    ]
    client.force_login(world.observer)
    observer_keys = [
        s.key for s in client.get(reverse("experience:dashboard")).context["dashboard"].asks
    ]

    assert "join_requests" in lead_keys
    assert "join_requests" not in observer_keys


def test_changes_by_others_since_last_visit_are_listed(client, world, make_document):
    document = make_document(world, title="Visie")
    edit(document, world.contributor, "Een betere visie.\n", summary="Doel aangescherpt")
    client.force_login(world.observer)

    response = client.get(reverse("experience:dashboard"))

    changes = response.context["dashboard"].changes
    assert [c.revision.user for c in changes] == [world.contributor, world.lead]
    html = response.content.decode()
    assert "Doel aangescherpt" in html
    assert document.get_absolute_url() in html


def test_my_own_changes_are_under_my_edits_not_under_changes(client, world, make_document):
    document = make_document(world, title="Visie", author=world.contributor)
    edit(document, world.contributor, "Nog een versie.\n")
    client.force_login(world.contributor)

    board = client.get(reverse("experience:dashboard")).context["dashboard"]

    assert board.changes == []
    assert [c.document for c in board.my_edits] == [document, document]


def test_second_visit_shows_only_what_changed_since_the_first(client, world, make_document):
    document = make_document(world, title="Visie")
    client.force_login(world.observer)
    client.get(reverse("experience:dashboard"))
    log_out_keeping_cookies(client)  # a new session: the cookie remembers the visit

    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        edit(document, world.contributor, "Later werk.\n", summary="Later werk")
        client.force_login(world.observer)
        board = client.get(reverse("experience:dashboard")).context["dashboard"]

    assert [c.revision.comment for c in board.changes] == ["Later werk"]


def test_reload_in_the_same_session_keeps_the_changes(client, world, make_document):
    make_document(world, title="Visie")
    client.force_login(world.observer)

    first = client.get(reverse("experience:dashboard")).context["dashboard"]
    again = client.get(reverse("experience:dashboard")).context["dashboard"]

    assert len(first.changes) == 1
    assert len(again.changes) == 1


def test_another_persons_visit_cookie_is_ignored(client, world, make_document):
    make_document(world, title="Visie")
    client.force_login(world.lead)
    client.get(reverse("experience:dashboard"))
    log_out_keeping_cookies(client)
    client.force_login(world.observer)

    board = client.get(reverse("experience:dashboard")).context["dashboard"]

    assert len(board.changes) == 1  # the lead's visit a moment ago does not hide it


def test_changes_in_members_only_programme_are_not_shown_to_outsiders(
    client, closed_world, make_document
):
    make_document(closed_world, title="Geheim")
    client.force_login(closed_world.outsider)

    html = client.get(reverse("experience:dashboard")).content.decode()

    assert "Geheim" not in html


def test_deleted_documents_drop_out_of_the_lists(client, world, make_document):
    document = make_document(world, title="Weg ermee")
    services.document_delete(document=document, by=world.lead)
    client.force_login(world.lead)

    board = client.get(reverse("experience:dashboard")).context["dashboard"]

    assert board.my_edits == []


def test_dashboard_for_counts_everything_that_asks(world):
    board = dashboard.dashboard_for(world.lead, since=timezone.now() - dt.timedelta(days=1))

    assert board.attention_count == sum(len(s.items) for s in board.asks)
