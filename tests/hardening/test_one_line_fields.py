"""A one-line field is one line wherever it comes from: titles, names, terms and edit summaries
sent with line breaks or other control characters, through the API, the site's forms or the
admin, are stored with a space in their place (docs/decisions/one-line-fields.md). So an
e-mail built from them later has a one-line subject."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from participation.models import Organisation, Programme
from participation.text import one_line
from tests import factories
from tests.api.conftest import ApiClient
from timeboxes.models import Timebox
from usecases.models import Actor, Term
from wiki.models import Document

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

HOSTILE = "Visie\r\n2030\nBcc: everyone@example.org\t\x0b\x1b  einde\u2028"
STORED = "Visie 2030 Bcc: everyone@example.org einde"


def test_the_rule():
    assert one_line(HOSTILE) == STORED
    assert one_line("  Roosteren  ") == "Roosteren"
    assert one_line("") == "" and one_line(None) == ""


def test_the_api_stores_titles_names_terms_and_summaries_on_one_line(world, make_document):
    api = ApiClient()
    slug = world.programme.slug
    main = make_document(world, title="Onderwijs", kind=Document.Kind.MAIN_PROCESS)
    work = make_document(world, title="Plannen", kind=Document.Kind.WORK_PROCESS, parent=main)

    created = api.post(
        f"programmes/{slug}/documents/",
        {"title": HOSTILE, "body": "Tekst.\n", "summary": HOSTILE},
        user=world.contributor,
    )
    document = Document.objects.get(pk=created.json()["id"])
    updated = api.put(
        f"programmes/{slug}/documents/{document.slug}/",
        {
            "base_version_id": document.head_id,
            "body": "Meer.\n",
            "title": "B\nC",
            "summary": "x\ny",
        },
        user=world.contributor,
    )
    usecase = api.post(
        f"programmes/{slug}/usecases/",
        {
            "parent": work.slug,
            "title": HOSTILE,
            "primary_actor": "Docent\nvan dienst",
            "supporting_actors": ["Roostermaker\r\n"],
            "steps": [{"actor": "Docent\n", "text": "Vraagt\nruil aan"}],
            "summary": HOSTILE,
        },
        user=world.contributor,
    )
    term = api.post(
        f"programmes/{slug}/glossary/",
        {"term": "Rooster\nBcc: x", "definition": "Plan."},
        user=world.contributor,
    )
    now = timezone.now()
    timebox = api.post(
        f"programmes/{slug}/timeboxes/",
        {
            "name": HOSTILE,
            "starts_at": (now + timedelta(days=1)).isoformat(),
            "deadline": (now + timedelta(days=8)).isoformat(),
            "subtrees": [main.slug],
        },
        user=world.lead,
    )

    # The length limit counts the stored text: 200 letters and a line break fit a title.
    fits = api.post(
        f"programmes/{slug}/documents/",
        {"title": "a" * 200 + "\r\n", "body": ""},
        user=world.contributor,
    )

    assert fits.status_code == 201, fits.content
    assert (created.status_code, updated.status_code, usecase.status_code) == (201, 200, 201)
    assert (term.status_code, timebox.status_code) == (201, 201)
    assert created.json()["title"] == STORED
    document.refresh_from_db()
    assert document.title == "B C"
    comments = set(
        Version.objects.get_for_object(document).values_list("revision__comment", flat=True)
    )
    assert comments == {STORED, "x y"}
    assert usecase.json()["title"] == STORED
    assert usecase.json()["primary_actor"] == "Docent van dienst"
    assert usecase.json()["steps"][0]["text"] == "Vraagt ruil aan"
    assert Actor.objects.filter(programme=world.programme, name="Roostermaker").exists()
    assert Term.objects.get(programme=world.programme).term == "Rooster Bcc: x"
    assert Timebox.objects.get().name == STORED


def test_the_site_and_the_admin_store_names_on_one_line(client, world):
    factories.UserFactory(username="admin", is_superuser=True, is_staff=True)
    client.post(
        reverse("participation:signup"),
        {
            "name": "Sam\nBcc: x",
            "email": "sam@example.org",
            "password": "a-long-and-unusual-passphrase",
            "new_organisation": "Gemeente\r\nNergens",
        },
    )
    client.force_login(world.contributor)
    client.post(
        reverse("wiki:create", args=[world.programme.slug]),
        {"title": HOSTILE, "kind": "page", "body": "Tekst.\n", "summary": "a\nb"},
    )
    client.force_login(get_user_model().objects.get(username="admin"))
    client.post(
        reverse("programmes:add"),
        {"name": "Programma\nBcc: x", "slug": "nieuw", "visibility": "open", "timezone": "UTC"},
    )
    client.post(
        reverse("organisations:add"),
        {"name": "School\nBcc: x", "slug": "school", "kind": "school", "is_confirmed": "on"},
    )

    person = get_user_model().objects.get(email="sam@example.org")
    assert person.get_full_name() == "Sam Bcc: x"
    assert Organisation.objects.filter(name="Gemeente Nergens").exists()
    assert Document.objects.filter(title=STORED).exists()
    assert Programme.objects.get(slug="nieuw").name == "Programma Bcc: x"
    assert Organisation.objects.get(slug="school").name == "School Bcc: x"


def test_a_timebox_named_with_line_breaks_still_gets_its_notice_mail_out(world, make_document):
    from timeboxes import services as timeboxes

    document = make_document(world, title="Roosteren", body="Tekst.\n")
    mail.outbox.clear()
    factories.closed_timebox(
        world.programme, world.lead, [document], name="Ronde 1\nBcc: everyone@example.org"
    )
    timeboxes.notices_deliver()

    assert mail.outbox, "the closing notice went out"
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert "Ronde 1 Bcc: everyone@example.org" in message.subject
        assert "everyone@example.org" not in message.recipients()
