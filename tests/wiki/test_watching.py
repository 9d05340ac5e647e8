"""Watching documents, and the notifications of their changes in the site and by e-mail (tasks
run eagerly here; the outbox on a real worker is in tests/participation/test_outbox_celery.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from participation import notifications, services
from participation.emails import unsubscribe_token
from participation.models import Notification, Profile
from tests import factories
from tests.smtp import smtp_server_start
from wiki import services as wiki
from wiki.events import DocumentEvent
from wiki.models import Document, Watch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_at_once(settings):
    """No coalescing window unless a test is about it: instant mail is due at once."""
    settings.STIP_NOTIFICATION_COALESCE_SECONDS = 0


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what would happen after commit (the outbox's enqueue; tasks are eager here)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def process(world, make_document, run_on_commit):
    main = run_on_commit(
        make_document, world, title="Onderwijslogistiek", kind=Document.Kind.MAIN_PROCESS
    )
    work = run_on_commit(
        make_document, world, title="Roosteren", kind=Document.Kind.WORK_PROCESS, parent=main
    )
    use_case = run_on_commit(
        make_document, world, title="Les verplaatsen", kind=Document.Kind.USE_CASE, parent=work
    )
    mail.outbox.clear()
    return main, work, use_case


def _edit(run_on_commit, document, author, body, summary="Aangepast"):
    document.refresh_from_db()
    return run_on_commit(
        wiki.document_save,
        document=document,
        body=body,
        base_version_id=document.head_id,
        author=author,
        summary=summary,
    )


def test_contributor_automatically_watches_what_they_edit_unless_turned_off(
    world, process, run_on_commit
):
    main, work, use_case = process
    _edit(run_on_commit, use_case, world.contributor, "Nieuw.\n")
    assert Watch.objects.filter(user=world.contributor, document=use_case, automatic=True).exists()
    services.preferences_update(user=world.outsider, auto_watch=False)
    Profile.objects.filter(user=world.contributor).update(auto_watch=False)
    _edit(run_on_commit, work, world.contributor, "Nieuw.\n")
    assert not Watch.objects.filter(user=world.contributor, document=work).exists()


def test_several_quick_edits_by_one_person_become_one_notification(
    world, process, run_on_commit, settings
):
    settings.STIP_NOTIFICATION_COALESCE_SECONDS = 600
    main, work, use_case = process
    wiki.watch_set(user=world.observer, programme=world.programme, document=use_case)
    first = _edit(run_on_commit, use_case, world.contributor, "Een.\n", summary="Eerste")
    _edit(run_on_commit, use_case, world.contributor, "Twee.\n", summary="Tweede")
    last = _edit(run_on_commit, use_case, world.contributor, "Drie.\n", summary="Derde")

    (note,) = Notification.objects.filter(recipient=world.observer)
    assert note.count == 3
    assert note.to_version_id == last.version.pk
    assert note.from_version_id < first.version.pk
    assert not [m for m in mail.outbox if world.observer.email in m.to], "waits for the window"

    Notification.objects.update(email_after=note.created_at)  # the window has passed
    notifications.notifications_deliver_instant()
    (message,) = [m for m in mail.outbox if world.observer.email in m.to]
    assert "3 times" in message.body
    assert all(word in message.body for word in ("Eerste", "Tweede", "Derde"))


def test_nobody_is_notified_of_their_own_edit(world, process, run_on_commit):
    main, work, use_case = process
    wiki.watch_set(user=world.contributor, programme=world.programme)
    _edit(run_on_commit, use_case, world.contributor, "Zelf.\n")
    assert not Notification.objects.filter(recipient=world.contributor).exists()


def test_people_who_may_no_longer_read_are_not_notified(closed_world, make_document, run_on_commit):
    document = run_on_commit(make_document, closed_world, title="Geheim")
    wiki.watch_set(user=closed_world.observer, programme=closed_world.programme)
    closed_world.observing_org.memberships.all().delete()
    _edit(run_on_commit, document, closed_world.contributor, "Nieuw.\n")
    assert not Notification.objects.filter(recipient=closed_world.observer).exists()


def test_comment_move_delete_and_restore_notify_watchers(world, process, run_on_commit):
    main, work, use_case = process
    wiki.watch_set(user=world.observer, programme=world.programme, document=use_case)
    run_on_commit(wiki.comment_add, document=use_case, author=world.contributor, body="Vraagje")
    run_on_commit(wiki.document_delete, document=use_case, by=world.contributor)
    run_on_commit(wiki.document_restore, document=use_case, by=world.lead)
    kinds = set(
        Notification.objects.filter(recipient=world.observer).values_list("kind", flat=True)
    )
    assert {DocumentEvent.COMMENTED, DocumentEvent.DELETED, DocumentEvent.RESTORED} <= kinds


def test_notification_list_counts_unread_and_opens_the_diff(client, world, process, run_on_commit):
    main, work, use_case = process
    wiki.watch_set(
        user=world.observer, programme=world.programme, document=main, scope=Watch.Scope.SUBTREE
    )
    result = _edit(run_on_commit, use_case, world.contributor, "Anders.\n", summary="Herzien")
    client.force_login(world.observer)
    page = client.get(reverse("participation:notifications"))
    html = page.content.decode()
    assert "Les verplaatsen" in html and "Herzien" in html
    assert page.context["unread_notifications"]() == 1
    note = Notification.objects.get(recipient=world.observer)
    response = client.get(reverse("participation:notification_open", args=[note.pk]))
    diff_url = reverse("wiki:diff", args=[world.programme.slug, use_case.slug])
    assert response.status_code == 302
    assert response["Location"].startswith(diff_url)
    assert f"to={result.version.pk}" in response["Location"]
    note.refresh_from_db()
    assert note.read_at is not None


def test_nobody_opens_another_persons_notification(client, world, process, run_on_commit):
    main, work, use_case = process
    wiki.watch_set(user=world.observer, programme=world.programme)
    _edit(run_on_commit, use_case, world.contributor, "Anders.\n")
    note = Notification.objects.get(recipient=world.observer)
    client.force_login(world.outsider)
    assert client.get(reverse("participation:notification_open", args=[note.pk])).status_code == 404


def test_every_email_has_text_html_and_an_unsubscribe_link_that_works_without_login(
    client, world, process, run_on_commit
):
    main, work, use_case = process
    wiki.watch_set(user=world.observer, programme=world.programme)
    _edit(run_on_commit, use_case, world.contributor, "Anders.\n")
    notifications.notifications_deliver_instant()
    (message,) = [m for m in mail.outbox if world.observer.email in m.to]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Les verplaatsen" in html
    assert "List-Unsubscribe" in message.extra_headers
    link = next(line for line in message.body.splitlines() if "/unsubscribe/" in line)
    path = link[link.index("/unsubscribe/") :].strip()

    assert client.get(path).status_code == 200  # a mail scanner's GET changes nothing
    assert notifications.profile_of(world.observer).email_edits
    client.post(path)
    assert not notifications.profile_of(world.observer).email_edits

    mail.outbox.clear()
    _edit(run_on_commit, use_case, world.lead, "Nog anders.\n")
    notifications.notifications_deliver_instant()
    assert not [m for m in mail.outbox if world.observer.email in m.to]
    assert Notification.objects.filter(recipient=world.observer).count() == 2, "still in the site"


def test_a_tampered_unsubscribe_link_changes_nothing(client, world):
    token = unsubscribe_token(world.observer, "email_edits")
    response = client.post(reverse("participation:unsubscribe", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert notifications.profile_of(world.observer).email_edits


def test_watch_page_sets_and_stops_a_subtree_watch(client, world, process):
    main, work, use_case = process
    client.force_login(world.observer)
    url = reverse("wiki:watch", args=[world.programme.slug, main.slug])
    client.post(url, {"scope": "subtree"})
    assert Watch.objects.get(user=world.observer, document=main).scope == Watch.Scope.SUBTREE
    client.post(url, {"scope": ""})
    assert not Watch.objects.filter(user=world.observer, document=main).exists()


def test_anonymous_cannot_watch(client, world, process):
    main, work, use_case = process
    response = client.post(
        reverse("wiki:watch", args=[world.programme.slug, main.slug]),
        {"scope": "document"},
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Watch.objects.filter(automatic=False).exists()


def test_instant_mail_to_many_uses_one_smtp_connection(
    world, process, run_on_commit, settings, smtp_server
):
    main, work, use_case = process
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.hostname, smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    watchers = [factories.UserFactory(username=f"watcher{n}") for n in range(25)]
    for person in watchers:
        wiki.watch_set(user=person, programme=world.programme)
    _edit(run_on_commit, use_case, world.contributor, "Voor iedereen.\n")
    notifications.notifications_deliver_instant()
    received = {rcpt for envelope in smtp_server.handler.envelopes for rcpt in envelope.rcpt_tos}
    assert {person.email for person in watchers} <= received
    assert smtp_server.handler.connections == 1
    # a second run sends nothing again
    notifications.notifications_deliver_instant()
    assert smtp_server.handler.connections == 1


class _Recorder:
    def __init__(self):
        self.envelopes = []
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A local SMTP server (aiosmtpd) in a thread, recording what it receives."""
    handler = _Recorder()
    controller, port = smtp_server_start(handler)
    controller.handler = handler
    yield controller
    controller.stop()


def test_notifications_survive_the_recipient_losing_their_account(world, process, run_on_commit):
    main, work, use_case = process
    wiki.watch_set(user=world.observer, programme=world.programme)
    _edit(run_on_commit, use_case, world.contributor, "Weg.\n")
    get_user_model().objects.filter(pk=world.observer.pk).delete()
    assert notifications.notifications_deliver_instant() == 0


def test_header_shows_the_unread_count(client, world, process, run_on_commit):
    main, work, use_case = process
    wiki.watch_set(user=world.observer, programme=world.programme)
    _edit(run_on_commit, use_case, world.contributor, "Anders.\n")
    client.force_login(world.observer)
    html = client.get(reverse("participation:preferences")).content.decode()
    assert 'class="notifications-link"' in html and '1 unread">1</span>' in html
    services.notifications_mark_read(user=world.observer)
    html = client.get(reverse("participation:preferences")).content.decode()
    assert "unread" not in html


def test_the_watch_link_shows_that_you_already_watch(client, world, make_document):
    main = make_document(world, title="Hoofdproces", kind=Document.Kind.MAIN_PROCESS)
    work = make_document(world, title="Werkproces", kind=Document.Kind.WORK_PROCESS, parent=main)
    client.force_login(world.observer)

    def link(document) -> str:
        page = client.get(document.get_absolute_url()).text
        return page[page.index('class="watch-link') :].split("</a>")[0]

    assert link(work).endswith(">Watch")
    wiki.watch_set(user=world.observer, programme=world.programme, scope="programme")
    assert link(work).endswith(">Watching the programme")
    wiki.watch_set(user=world.observer, programme=world.programme, document=main, scope="subtree")
    assert link(work).endswith(">Watching, through “Hoofdproces”")
    assert link(main).endswith(">Watching, with everything below it")
    wiki.watch_set(user=world.observer, programme=world.programme, document=work)
    assert "watching" in link(work) and link(work).endswith(">Watching")
