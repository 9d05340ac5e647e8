"""The document page keeps the parts that many readers see alike in the cache
(participation.fragments). Each test first shows the page, changes what a part is made of, and
looks again: the page shows the change at once. Then what each person may do still shows
per person, and a cache that is down only makes the page slower."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from timeboxes import services as timebox_services
from usecases import services as usecase_services
from wiki import services
from wiki.models import Document

# A Redis nobody listens on: every cache operation fails at once.
CACHE_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
    }
}


def page(client, document, user=None):
    if user is not None:
        client.force_login(user)
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    return response.text


def test_a_new_comment_shows_at_once(client, world, make_document):
    document = make_document(world)
    assert "No comments yet." in page(client, document, world.observer)
    services.comment_add(document=document, author=world.contributor, body="Goed plan.")
    text = page(client, document)
    assert "Goed plan." in text and "No comments yet." not in text


def test_a_new_and_a_renamed_document_below_show_at_once(client, world, make_document):
    parent = make_document(world, title="Visie")
    assert "Below this document" not in page(client, parent, world.observer)
    child = make_document(world, title="Leerlingen", parent=parent)
    assert "Leerlingen" in page(client, parent)
    services.document_rename(
        document=child, title="Leerlingen en ouders", slug=None, author=world.lead
    )
    assert "Leerlingen en ouders" in page(client, parent)


def test_a_sign_off_shows_at_once(client, world, make_document):
    document = make_document(world)
    assert "No organisation has signed off yet." in page(client, document, world.observer)
    usecase_services.signoff_give(
        document=document, verdict="agree", remarks="Akkoord.", author=world.contributor
    )
    text = page(client, document)
    assert "Akkoord." in text and "No organisation has signed off yet." not in text


def test_a_new_timebox_shows_its_banner_at_once(client, world, make_document):
    document = make_document(world)
    assert "timebox-banner" not in page(client, document, world.observer)
    now = timezone.now()
    timebox_services.timebox_create(
        programme=world.programme,
        by=world.lead,
        name="Ronde één",
        starts_at=now - timedelta(hours=1),
        deadline=now + timedelta(days=3),
        documents=[document],
    )
    assert "Ronde één" in page(client, document)


def test_a_renamed_commenter_shows_with_the_new_name(client, world, make_document):
    document = make_document(world)
    services.comment_add(document=document, author=world.contributor, body="Eens.")
    assert "Eens." in page(client, document, world.observer)
    world.contributor.first_name, world.contributor.last_name = "Sanne", "de Vries"
    world.contributor.save()
    assert "Sanne de Vries" in page(client, document)


@pytest.mark.parametrize(
    ("role", "may_edit"),
    [("lead", True), ("contributor", True), ("observer", False), ("anonymous", False)],
)
def test_each_reader_sees_what_they_may_do_after_another_was_served(
    client, world, make_document, role, may_edit
):
    """The parts are cached per level: the lead's page, served first, leaks nothing."""
    document = make_document(world, title="Werkproces", kind=Document.Kind.MAIN_PROCESS)
    edit_link = "Add a work process below this one"
    assert edit_link in page(client, document, world.lead)
    client.logout()
    person = world.person(role)
    text = page(client, document, None if role == "anonymous" else person)
    assert (edit_link in text) is may_edit


def test_the_page_is_the_same_from_the_cache(client, world, make_document):
    document = make_document(world, body="# Visie\n\nEen tekst met [[Visie]].\n")
    services.comment_add(document=document, author=world.contributor, body="Eens.")
    client.force_login(world.observer)
    first = client.get(document.get_absolute_url())
    second = client.get(document.get_absolute_url())
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|data-live-csrf="[^"]*"')

    def without_token(text):
        return token.sub("", text)

    assert without_token(first.text) == without_token(second.text)


def test_the_page_shows_when_the_parts_cache_is_down(client, world, make_document, monkeypatch):
    """The parts' cache is a Redis that does not answer: the page is built as if nothing were
    cached, the same page."""
    from django.core.cache.backends.redis import RedisCache

    from participation import fragments

    document = make_document(world, body="Het rooster staat online.\n")
    services.comment_add(document=document, author=world.contributor, body="Eens.")
    client.force_login(world.observer)
    expected = client.get(document.get_absolute_url()).text
    monkeypatch.setattr(fragments, "cache", RedisCache(CACHE_DOWN["default"]["LOCATION"], {}))
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    assert "Het rooster staat online." in response.text and "Eens." in response.text
    assert response.text.count("<li") == expected.count("<li")
    services.comment_add(document=document, author=world.contributor, body="Nog iets.")
    assert "Nog iets." in client.get(document.get_absolute_url()).text


@pytest.mark.django_db
def test_a_readers_page_from_the_cache_takes_few_queries(
    client, world, make_document, django_assert_max_num_queries
):
    """Once the shared parts are cached, only what is the reader's own is asked for: who they
    are, the programme with their level, the document, their unread notifications."""
    parent = make_document(world, title="Visie", kind=Document.Kind.VISION)
    document = make_document(world, title="Proces", kind=Document.Kind.MAIN_PROCESS, parent=parent)
    make_document(world, title="Werk", kind=Document.Kind.WORK_PROCESS, parent=document)
    services.comment_add(document=document, author=world.contributor, body="Eens.")
    page(client, document, world.observer)
    with django_assert_max_num_queries(5):
        page(client, document)


def test_an_edit_shows_its_title_and_author_in_the_page_head_at_once(client, world, make_document):
    document = make_document(world, title="Visie")
    text = page(client, document, world.observer)
    name = world.contributor.get_full_name()
    assert "<h1>Visie</h1>" in text and name not in text
    services.document_save(
        document=document,
        body="Tweede versie.\n",
        base_version_id=document.head_id,
        author=world.contributor,
        title="Gedeelde visie",
    )
    text = page(client, document)
    assert "<h1>Gedeelde visie</h1>" in text
    head = text.split('<p class="last-change">', 1)[1].split("</p>", 1)[0]
    assert name in head


def test_a_new_level_shows_the_edit_tabs_at_once(client, world, make_document):
    from participation import services as participation_services
    from participation.models import Membership

    document = make_document(world)
    edit_tab = f'href="{document.get_absolute_url()}edit/"'
    assert edit_tab not in page(client, document, world.observer)
    membership = Membership.objects.get(programme=world.programme, organisation=world.observing_org)
    participation_services.membership_set_level(
        membership=membership, level=Membership.MemberLevel.CONTRIBUTOR, by=world.lead
    )
    assert edit_tab in page(client, document)


def test_a_renamed_documents_tabs_lead_to_its_new_address(client, world, make_document):
    document = make_document(world, title="Visie")
    old_history = f'href="{document.get_absolute_url()}history/"'
    assert old_history in page(client, document, world.observer)
    renamed = services.document_rename(
        document=document, title="Gedeelde visie", slug=None, author=world.lead
    )
    text = page(client, renamed)
    assert f'href="{renamed.get_absolute_url()}history/"' in text
    assert old_history not in text


def test_a_refused_comment_keeps_its_text_although_the_empty_field_is_cached(
    client, world, make_document
):
    document = make_document(world)
    page(client, document, world.observer)  # the empty comment field, cached
    response = client.post(
        f"{document.get_absolute_url()}comments/", {"body": "x" * 10_001}, follow=False
    )
    assert response.status_code == 400
    assert "x" * 10_001 in response.text
    assert 'class="errorlist"' in response.text


def test_a_new_language_shows_in_the_cached_parts_at_once(client, world, make_document):
    document = make_document(world)
    text = page(client, document, world.observer)
    assert '<option value="en" lang="en" selected>' in text and "Your comment" in text
    client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    text = page(client, document)
    assert '<option value="nl" lang="nl" selected>' in text
    assert "Your comment" not in text and "Bewerken" not in text  # an observer: no edit tab
    assert "Geschiedenis" in text  # the tabs, in Dutch


def test_a_new_heading_is_offered_as_a_threads_place_at_once(client, world, make_document):
    document = make_document(world, title="Visie", body="## Doelen\n\nLeren.\n")
    text = page(client, document, world.contributor)
    assert 'value="heading:doelen"' in text and "heading:stappen" not in text
    services.document_save(
        document=document,
        body="## Doelen\n\nLeren.\n\n## Stappen\n\nEerst.\n",
        base_version_id=document.head_id,
        author=world.contributor,
    )
    text = page(client, document)
    assert 'value="heading:stappen"' in text
    # A place asked for in the address is chosen, although the list is cached.
    chosen = client.get(document.get_absolute_url() + "?anchor=heading:stappen").text
    assert re.search(r'<option value="heading:stappen"[^>]*selected', chosen)
