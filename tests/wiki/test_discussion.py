"""The discussion under a document: threads and replies, resolving, places in the document,
mentions, editing and deleting, through the services and the pages."""

from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from participation import notifications
from participation.models import Notification
from wiki import services
from wiki.events import DocumentEvent
from wiki.models import Comment

pytestmark = pytest.mark.django_db

WITH_HEADINGS = "# Visie\n\nInleiding.\n\n## Stappen\n\nEerst dit.\n\n## Risico's\n\nDat.\n"


@pytest.fixture(autouse=True)
def _mail_at_once(settings):
    settings.STIP_NOTIFICATION_COALESCE_SECONDS = 0


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what happens after commit (the outbox's fan-out; tasks are eager in tests)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def page(client, document, user=None) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    return response.text


def url(name, document, comment=None) -> str:
    args = [document.programme.slug, document.slug]
    return reverse(f"wiki:{name}", args=args + ([comment.pk] if comment else []))


# --- threads and who may take part -------------------------------------------------------------


def test_observer_may_start_a_thread_and_reply(world, make_document):
    document = make_document(world)
    thread = services.comment_add(document=document, author=world.observer, body="Vraag.")
    reply = services.comment_add(
        document=document, author=world.contributor, body="Antwoord.", parent=thread
    )
    assert thread.is_thread and reply.parent == thread
    assert reply.organisation == world.contributing_org


def test_a_reply_to_a_reply_joins_the_thread(world, make_document):
    document = make_document(world)
    thread = services.comment_add(document=document, author=world.observer, body="Vraag.")
    reply = services.comment_add(document=document, author=world.lead, body="Ja.", parent=thread)
    again = services.comment_add(
        document=document, author=world.observer, body="Dank.", parent=reply
    )
    assert again.parent == thread
    assert list(thread.replies.values_list("body", flat=True)) == ["Ja.", "Dank."]


def test_a_comment_from_before_threads_is_an_open_thread(world, make_document):
    """Comments written before threads existed (the migration adds only empty fields)."""
    document = make_document(world)
    old = Comment.objects.create(document=document, author=world.observer, body="Oud.")
    assert list(Comment.objects.open_threads()) == [old]
    assert "Oud." in page(Client(), document)


def test_outsider_may_not_read_post_resolve_edit_delete_or_look_up_names(
    client, closed_world, make_document
):
    world = closed_world
    document = make_document(world)
    thread = services.comment_add(document=document, author=world.contributor, body="Intern.")
    outsider = world.outsider
    with pytest.raises(Http404):
        services.comment_add(document=document, author=outsider, body="Hallo?")
    with pytest.raises(Http404):
        services.thread_resolve(comment=thread, by=outsider)
    with pytest.raises(Http404):
        services.comment_edit(comment=thread, by=outsider, body="Anders.")
    with pytest.raises(Http404):
        services.comment_delete(comment=thread, by=outsider)

    client.force_login(outsider)
    assert client.get(document.get_absolute_url()).status_code == 404
    assert client.post(url("comment", document), {"body": "Hallo?"}).status_code == 404
    assert client.post(url("thread_resolve", document, thread)).status_code == 404
    assert client.post(url("comment_edit", document, thread), {"body": "x"}).status_code == 404
    assert client.post(url("comment_delete", document, thread)).status_code == 404
    names = reverse("wiki:mentions", args=[world.programme.slug])
    assert client.get(names, {"q": "closed"}).status_code == 404
    thread.refresh_from_db()
    assert thread.body == "Intern." and not thread.is_resolved and not thread.is_deleted
    assert Comment.objects.count() == 1


def test_reader_of_an_open_programme_may_read_but_not_take_part(client, world, make_document):
    document = make_document(world)
    services.comment_add(document=document, author=world.contributor, body="Open vraag.")
    assert "Open vraag." in page(client, document, world.outsider)
    with pytest.raises(PermissionDenied):
        services.comment_add(document=document, author=world.outsider, body="Ik ook.")
    names = reverse("wiki:mentions", args=[world.programme.slug])
    assert client.get(names, {"q": "open"}).status_code == 403


# --- resolving -------------------------------------------------------------------------------


def test_thread_goes_open_resolved_reopened_by_its_author_or_a_lead(world, make_document):
    document = make_document(world)
    thread = services.comment_add(document=document, author=world.observer, body="Vraag.")
    reply = services.comment_add(
        document=document, author=world.contributor, body="Zo.", parent=thread
    )

    with pytest.raises(PermissionDenied):
        services.thread_resolve(comment=thread, by=world.contributor)  # not theirs
    services.thread_resolve(comment=reply, by=world.observer)  # a reply resolves its thread
    thread.refresh_from_db()
    assert thread.is_resolved and thread.resolved_by == world.observer
    assert not Comment.objects.open_threads().exists()

    services.thread_resolve(comment=thread, by=world.lead, resolved=False)
    thread.refresh_from_db()
    assert not thread.is_resolved
    services.thread_resolve(comment=thread, by=world.lead)
    thread.refresh_from_db()
    assert thread.is_resolved


def test_resolved_threads_fold_away_with_a_count_and_open_ones_show(client, world, make_document):
    document = make_document(world)
    done = services.comment_add(document=document, author=world.observer, body="Afgehandeld.")
    services.comment_add(document=document, author=world.observer, body="Nog open.")
    services.thread_resolve(comment=done, by=world.observer)

    text = page(client, document, world.contributor)
    folded = text[text.index('<details class="resolved-threads">') :]
    assert "1 resolved thread" in folded and "Afgehandeld." in folded
    assert '<details class="resolved-threads" open' not in text
    assert "Nog open." in text[: text.index('<details class="resolved-threads">')]


def test_resolving_in_the_page(client, world, make_document):
    document = make_document(world)
    thread = services.comment_add(document=document, author=world.observer, body="Vraag.")
    client.force_login(world.contributor)
    assert client.post(url("thread_resolve", document, thread)).status_code == 403
    client.force_login(world.observer)
    response = client.post(url("thread_resolve", document, thread), {"resolved": "1"})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.is_resolved
    client.post(url("thread_resolve", document, thread), {"resolved": "0"})
    thread.refresh_from_db()
    assert not thread.is_resolved


# --- replying in the page ---------------------------------------------------------------------


def test_a_reply_typed_under_its_thread(client, world, make_document):
    document = make_document(world)
    thread = services.comment_add(document=document, author=world.observer, body="Vraag.")
    client.force_login(world.contributor)
    response = client.post(
        url("comment", document), {"reply_to": thread.pk, f"reply-{thread.pk}": "Antwoord."}
    )
    assert response.status_code == 302
    assert thread.replies.get().body == "Antwoord."


def test_an_empty_reply_keeps_nothing_and_shows_the_form_as_a_reply(client, world, make_document):
    document = make_document(world)
    thread = services.comment_add(document=document, author=world.observer, body="Vraag.")
    client.force_login(world.contributor)
    response = client.post(url("comment", document), {"reply_to": thread.pk})
    assert response.status_code == 400
    assert "Your reply to the thread of" in response.text
    assert not thread.replies.exists()


# --- places in the document --------------------------------------------------------------------


def test_a_thread_at_a_heading_links_both_ways_and_stays_when_the_heading_goes(
    client, world, make_document
):
    document = make_document(world, body=WITH_HEADINGS)
    client.force_login(world.observer)
    response = client.post(
        url("comment", document), {"body": "Klopt dit?", "anchor": "heading:stappen"}
    )
    assert response.status_code == 302
    thread = Comment.objects.get()
    assert (thread.anchor, thread.anchor_label) == ("heading:stappen", "Stappen")

    text = page(client, document)
    assert 'href="#threads-heading-stappen"' in text  # from the heading to its threads
    assert 'id="threads-heading-stappen"' in text
    assert 'href="#stappen"' in text  # from the thread back to the heading

    services.document_save(
        document=document,
        body=WITH_HEADINGS.replace("## Stappen", "## Werkwijze"),
        base_version_id=document.head_id,
        author=world.lead,
        summary="Kop hernoemd",
    )
    text = page(client, document)
    assert "Klopt dit?" in text
    assert "About “Stappen”, which is no longer in the document" in text
    assert 'href="#threads-heading-stappen"' not in text


def test_a_place_the_document_does_not_have_is_refused_and_the_text_kept(
    client, world, make_document
):
    document = make_document(world, body=WITH_HEADINGS)
    with pytest.raises(ValidationError):
        services.comment_add(
            document=document, author=world.observer, body="Hier.", anchor="heading:nergens"
        )
    client.force_login(world.observer)
    response = client.post(
        url("comment", document), {"body": "Mijn tekst.", "anchor": "heading:nergens"}
    )
    assert response.status_code == 400
    assert "Mijn tekst." in response.text
    assert not Comment.objects.exists()


# --- editing and deleting ---------------------------------------------------------------------


def test_author_edits_and_the_earlier_text_is_kept_and_shown(client, world, make_document):
    document = make_document(world)
    comment = services.comment_add(document=document, author=world.observer, body="Eerst zo.")
    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=comment, by=world.lead, body="Leider schrijft.")
    services.comment_edit(comment=comment, by=world.observer, body="Toen zo.")
    services.comment_edit(comment=comment, by=world.observer, body="Nu zo.")

    comment.refresh_from_db()
    assert comment.body == "Nu zo." and comment.edited_at is not None
    assert list(comment.edits.values_list("body", flat=True)) == ["Eerst zo.", "Toen zo."]
    text = page(client, document, world.outsider)  # a reader of the open programme
    assert '<span class="edited"' in text and "2 earlier texts" in text
    assert "Eerst zo." in text and "Toen zo." in text


def test_edit_page_for_the_author_only(client, world, make_document):
    document = make_document(world)
    comment = services.comment_add(document=document, author=world.observer, body="Eerst.")
    client.force_login(world.contributor)
    assert client.get(url("comment_edit", document, comment)).status_code == 403
    client.force_login(world.observer)
    assert client.get(url("comment_edit", document, comment)).status_code == 200
    refused = client.post(url("comment_edit", document, comment), {"body": "  "})
    assert refused.status_code == 400
    client.post(url("comment_edit", document, comment), {"body": "Daarna."})
    comment.refresh_from_db()
    assert comment.body == "Daarna."


def test_deleting_leaves_a_placeholder_and_keeps_the_replies(client, world, make_document):
    document = make_document(world)
    thread = services.comment_add(document=document, author=world.observer, body="Weg ermee.")
    services.comment_add(document=document, author=world.contributor, body="Blijft.", parent=thread)
    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=thread, by=world.contributor)
    services.comment_edit(comment=thread, by=world.observer, body="Weg ermee, echt.")
    services.comment_delete(comment=thread, by=world.lead)

    thread.refresh_from_db()
    assert thread.is_deleted and thread.body == "" and not thread.edits.exists()
    text = page(client, document, world.observer)
    assert "This comment was deleted." in text and "Blijft." in text
    assert "Weg ermee" not in text
    client.cookies["django_language"] = "nl"
    dutch = client.get(document.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="nl").text
    assert "Deze opmerking is verwijderd." in dutch


def test_author_deletes_their_own_in_the_page(client, world, make_document):
    document = make_document(world)
    comment = services.comment_add(document=document, author=world.observer, body="Oeps.")
    client.force_login(world.observer)
    assert client.post(url("comment_delete", document, comment)).status_code == 302
    comment.refresh_from_db()
    assert comment.is_deleted


# --- mentions -------------------------------------------------------------------------------


def test_a_mentioned_member_is_notified_through_their_settings(world, make_document, on_commit):
    document = make_document(world)
    on_commit(
        services.comment_add,
        document=document,
        author=world.contributor,
        body=f"Wat vind jij, @{world.observer.username}?",
    )
    (note,) = Notification.objects.filter(recipient=world.observer, kind=DocumentEvent.MENTIONED)
    assert note.target == document
    notifications.notifications_deliver_instant()
    (message,) = [m for m in mail.outbox if world.observer.email in m.to]
    assert "mentioned you" in message.subject


def test_naming_an_organisation_reaches_its_people(world, make_document, on_commit):
    document = make_document(world)
    on_commit(
        services.comment_add,
        document=document,
        author=world.lead,
        body=f"Graag een reactie van @{world.observing_org.slug}.",
    )
    assert Notification.objects.filter(recipient=world.observer, kind="mentioned").exists()


def test_an_edit_tells_only_the_newly_mentioned(world, make_document, on_commit):
    document = make_document(world)
    comment = on_commit(
        services.comment_add,
        document=document,
        author=world.lead,
        body=f"@{world.observer.username} kijk even.",
    )
    on_commit(
        services.comment_edit,
        comment=comment,
        by=world.lead,
        body=f"@{world.observer.username} en @{world.contributor.username} kijk even.",
    )
    assert Notification.objects.filter(recipient=world.observer, kind="mentioned").count() == 1
    assert Notification.objects.filter(recipient=world.contributor, kind="mentioned").count() == 1


def test_an_outsider_named_gets_nothing_and_is_not_revealed(
    client, closed_world, make_document, on_commit
):
    world = closed_world
    outsider = world.outsider
    outsider.first_name, outsider.last_name = "Olga", "Buitenstaander"
    outsider.save()
    outside_org = outsider.affiliations.get().organisation
    document = make_document(world)
    body = f"Vraag het @{outsider.username} of @{outside_org.slug} of @niemand-bekend."
    on_commit(services.comment_add, document=document, author=world.contributor, body=body)

    assert not Notification.objects.filter(recipient=outsider).exists()
    notifications.notifications_deliver_instant()
    assert not [m for m in mail.outbox if outsider.email in m.to]

    text = page(client, document, world.observer)
    assert f"@{outsider.username}" in text  # as typed ...
    assert "Buitenstaander" not in text and outside_org.name not in text  # ... and no more
    assert text.count('class="mention') == 0

    names = reverse("wiki:mentions", args=[world.programme.slug])
    found = client.get(names, {"q": "closed"}).json()["names"]
    handles = {entry["handle"] for entry in found}
    assert world.lead.username in handles and world.observer.username in handles
    assert outsider.username not in handles
    assert client.get(names, {"q": "Olga"}).json()["names"] == []
    assert world.contributing_org.slug in handles
    assert outside_org.slug not in handles
    assert client.get(names, {"q": "Outside"}).json()["names"] == []


def test_a_member_mention_is_marked_with_their_name(client, world, make_document):
    world.observer.first_name = "Olivier"
    world.observer.save()
    document = make_document(world)
    services.comment_add(
        document=document, author=world.lead, body=f"Dank @{world.observer.username}."
    )
    text = page(client, document, world.contributor)
    assert f'<span class="mention" title="Olivier {world.observer.last_name}">@' in text


def test_the_mentioned_author_is_not_told_of_their_own_comment(world, make_document, on_commit):
    document = make_document(world)
    on_commit(
        services.comment_add,
        document=document,
        author=world.lead,
        body=f"Notitie voor mezelf, @{world.lead.username}.",
    )
    assert not Notification.objects.filter(recipient=world.lead).exists()


# --- stored XSS ------------------------------------------------------------------------------

PAYLOAD = (
    '<script>alert("body")</script> <img src=x onerror=alert(1)> '
    "[klik](javascript:alert(2)) @<script>alert(3)</script> "
    '@x"onmouseover="alert(4) <a href="javascript:alert(5)">a</a>'
)


def test_script_onerror_and_javascript_urls_never_reach_the_page(client, world, make_document):
    world.observer.first_name = '<img src=x onerror=alert("name")>'
    world.observer.save()
    document = make_document(world, body=WITH_HEADINGS)
    comment = services.comment_add(
        document=document,
        author=world.contributor,
        body=PAYLOAD + f" @{world.observer.username}",
        anchor="heading:stappen",
    )
    services.comment_edit(comment=comment, by=world.contributor, body=PAYLOAD)
    services.comment_add(document=document, author=world.lead, body=PAYLOAD, parent=comment)
    for anchor in ('heading:x"><script>alert(6)</script>', "javascript:alert(7)", "step:<img>"):
        with pytest.raises(ValidationError):
            services.comment_add(document=document, author=world.lead, body="Plek?", anchor=anchor)

    text = page(client, document, world.observer)
    found = Elements()
    found.feed(text[text.index('id="discussion"') :])
    assert found.scripts == []
    assert found.handlers == []
    assert not [url for url in found.urls if url.strip().lower().startswith("javascript:")]


class Elements(HTMLParser):
    """What a browser would make of the page: its scripts, event handlers and addresses."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and not dict(attrs).get("src", "").startswith("/static/"):
            self.scripts.append(str(attrs))
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}={value}")
            if name in ("href", "src", "action", "formaction") and value is not None:
                self.urls.append(value)
