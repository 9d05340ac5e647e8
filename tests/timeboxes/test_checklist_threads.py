"""The close checklist counts the open discussion threads of the documents in scope."""

import pytest
from django.urls import reverse

from timeboxes import selectors
from wiki import services

pytestmark = pytest.mark.django_db


def test_checklist_counts_open_threads_in_scope_with_a_link(client, world, scope, make_timebox):
    timebox = make_timebox()
    work, outside = scope["work"], scope["outside"]
    first = services.comment_add(document=work, author=world.observer, body="Vraag een.")
    services.comment_add(document=work, author=world.lead, body="Antwoord.", parent=first)
    services.comment_add(document=work, author=world.observer, body="Vraag twee.")
    done = services.comment_add(document=work, author=world.observer, body="Klaar.")
    services.thread_resolve(comment=done, by=world.observer)
    gone = services.comment_add(document=work, author=world.observer, body="Weg.")
    services.comment_delete(comment=gone, by=world.observer)
    services.comment_add(document=outside, author=world.observer, body="Buiten de scope.")

    assert selectors.checklist(timebox).discussions == [(work, 2)]

    client.force_login(world.lead)
    page = client.get(reverse("timeboxes:close", args=[world.programme.slug, timebox.pk])).text
    assert f'href="{work.get_absolute_url()}#discussion"' in page
    assert "2 open threads" in page
