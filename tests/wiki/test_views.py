"""The wiki's pages as a person uses them: what they show, and what a save, a conflict, a merge,
a rename, a delete and a restore do through the web."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wiki import services
from wiki.models import Comment, Document


def url(name, document, *args, **query):
    path = reverse(f"wiki:{name}", args=[document.programme.slug, document.slug, *args])
    if query:
        path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return path


@pytest.fixture
def as_contributor(client, world):
    client.force_login(world.contributor)
    return client


# --- pages -------------------------------------------------------------------------------------


def test_home_lists_readable_programmes_with_my_level(client, world, closed_world):
    client.force_login(world.observer)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert world.programme.name in response.text
    assert closed_world.programme.name not in response.text
    assert "Your level: observer" in response.text


def test_programme_page_shows_tree_members_and_recent_changes(client, world, make_document):
    main = make_document(world, title="Onderwijs geven", kind=Document.Kind.MAIN_PROCESS)
    make_document(world, title="Roosteren", kind=Document.Kind.WORK_PROCESS, parent=main)
    client.force_login(world.contributor)
    response = client.get(reverse("wiki:programme", args=[world.programme.slug]))
    assert response.status_code == 200
    text = response.text
    assert "Onderwijs geven" in text and "Roosteren" in text
    assert world.contributing_org.name in text and world.observing_org.name in text
    assert reverse("wiki:create", args=[world.programme.slug]) in text


def test_observer_sees_no_new_document_button(client, world):
    client.force_login(world.observer)
    response = client.get(reverse("wiki:programme", args=[world.programme.slug]))
    assert reverse("wiki:create", args=[world.programme.slug]) not in response.text


def test_document_page_shows_rendered_text_breadcrumbs_and_last_change(
    client, world, make_document
):
    main = make_document(world, title="Onderwijs geven", kind=Document.Kind.MAIN_PROCESS)
    work = make_document(
        world,
        title="Roosteren",
        kind=Document.Kind.WORK_PROCESS,
        parent=main,
        body="# Kop\n\nZie [[Onderwijs geven]] en [[Bestaat niet]].\n",
        author=world.contributor,
    )
    response = client.get(work.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert '<h1 id="kop">Kop</h1>' in text
    assert f'href="{main.get_absolute_url()}"' in text  # breadcrumb and wiki link
    assert reverse("wiki:create", args=[world.programme.slug]) + "?title=Bestaat+niet" in text
    assert world.contributing_org.name in text  # who changed it last, for which organisation
    assert reverse("wiki:edit", args=[world.programme.slug, work.slug]) not in text  # anonymous


def test_create_prefills_from_a_missing_wiki_link(as_contributor, world, make_document):
    main = make_document(world, title="Onderwijs geven", kind=Document.Kind.MAIN_PROCESS)
    path = reverse("wiki:create", args=[world.programme.slug])
    response = as_contributor.get(f"{path}?title=Roosteren&parent={main.slug}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["title"] == "Roosteren"
    assert form.initial["parent"] == main.pk
    assert form.initial["kind"] == Document.Kind.WORK_PROCESS


def test_contributor_creates_a_document(as_contributor, world):
    response = as_contributor.post(
        reverse("wiki:create", args=[world.programme.slug]),
        {"title": "Visie", "kind": "vision", "body": "Samen.\n", "summary": "Begin"},
    )
    document = Document.objects.get(programme=world.programme, title="Visie")
    assert response.status_code == 302 and response.url == document.get_absolute_url()
    assert document.body == "Samen.\n"
    assert document.created_by == world.contributor


def test_create_with_wrong_parent_kind_keeps_the_text_and_says_why(
    as_contributor, world, make_document
):
    vision = make_document(world, title="Visie", kind=Document.Kind.VISION)
    response = as_contributor.post(
        reverse("wiki:create", args=[world.programme.slug]),
        {"title": "Roosteren", "kind": "work_process", "parent": vision.pk, "body": "Mijn tekst"},
    )
    assert response.status_code == 400
    assert "Mijn tekst" in response.text
    assert "belongs below a main process" in response.text
    assert not Document.objects.filter(title="Roosteren").exists()


def test_edit_saves_a_new_version_with_summary(as_contributor, world, make_document):
    document = make_document(world)
    response = as_contributor.post(
        url("edit", document),
        {
            "title": document.title,
            "body": "Nieuwe tekst.\n",
            "summary": "Verbeterd",
            "base_version": document.head_id,
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.body == "Nieuwe tekst.\n"
    assert document.head.revision.comment == "Verbeterd"
    assert document.head.revision.user == world.contributor


def test_unchanged_save_makes_no_new_version(as_contributor, world, make_document):
    document = make_document(world, body="Zelfde.\n")
    head = document.head_id
    response = as_contributor.post(
        url("edit", document),
        {"title": document.title, "body": "Zelfde.\n", "base_version": head},
        follow=True,
    )
    document.refresh_from_db()
    assert document.head_id == head
    assert "no new version was saved" in response.text


def test_preview_button_shows_rendered_text_without_saving(as_contributor, world, make_document):
    document = make_document(world, body="Oud.\n")
    response = as_contributor.post(
        url("edit", document),
        {
            "title": document.title,
            "body": "**Vet** en nieuw",
            "base_version": document.head_id,
            "preview": "",
        },
    )
    assert response.status_code == 200
    assert "<strong>Vet</strong>" in response.text
    assert "**Vet** en nieuw" in response.text  # still in the textarea
    document.refresh_from_db()
    assert document.body == "Oud.\n"


def test_live_preview_returns_sanitised_html(as_contributor, world):
    response = as_contributor.post(
        reverse("wiki:preview", args=[world.programme.slug]),
        {"body": "*hoi* <script>alert(1)</script> [x](javascript:alert(1))"},
    )
    assert response.status_code == 200
    assert "<em>hoi</em>" in response.text
    assert "<script" not in response.text and "javascript:" not in response.text


def test_observer_cannot_use_the_live_preview(client, world):
    client.force_login(world.observer)
    response = client.post(reverse("wiki:preview", args=[world.programme.slug]), {"body": "x"})
    assert response.status_code == 403


# --- conflicts and merges ----------------------------------------------------------------------


def test_two_saves_on_the_same_base_one_wins_the_other_gets_the_conflict_page(
    client, world, make_document
):
    document = make_document(world, body="een\ntwee\ndrie\n")
    base = document.head_id
    client.force_login(world.lead)
    first = client.post(
        url("edit", document),
        {"title": document.title, "body": "een\nTWEE\ndrie\n", "base_version": base},
    )
    assert first.status_code == 302
    client.force_login(world.contributor)
    second = client.post(
        url("edit", document),
        {
            "title": document.title,
            "body": "een\nmijn twee\ndrie\n",
            "summary": "Mijn samenvatting",
            "base_version": base,
        },
    )
    assert second.status_code == 409
    document.refresh_from_db()
    assert document.body == "een\nTWEE\ndrie\n"
    text = second.text
    # The submitted text, editable, with the summary, based on the current version now.
    assert 'name="body"' in text and "een\nmijn twee\ndrie\n" in text
    assert "Mijn samenvatting" in text
    assert second.context["form"].initial["base_version"] == document.head_id
    # The current text and how the two differ.
    assert "TWEE" in text
    assert "<del>TWEE</del>" in text and "<ins>mijn twee</ins>" in text
    # Saving again from the conflict page works and keeps the person's text.
    third = client.post(
        url("edit", document),
        {
            "title": document.title,
            "body": "een\nmijn twee\ndrie\n",
            "base_version": document.head_id,
        },
    )
    assert third.status_code == 302
    document.refresh_from_db()
    assert document.body == "een\nmijn twee\ndrie\n"


def test_separate_changes_on_the_same_base_are_merged_with_a_message(client, world, make_document):
    document = make_document(world, body="een\ntwee\ndrie\nvier\n")
    base = document.head_id
    services.document_save(
        document=document, body="EEN\ntwee\ndrie\nvier\n", base_version_id=base, author=world.lead
    )
    client.force_login(world.contributor)
    response = client.post(
        url("edit", document),
        {"title": document.title, "body": "een\ntwee\ndrie\nVIER\n", "base_version": base},
        follow=True,
    )
    document.refresh_from_db()
    assert document.body == "EEN\ntwee\ndrie\nVIER\n"
    assert "Your changes were merged with the changes" in response.text
    lead_name = world.lead.get_full_name()
    assert lead_name in response.text


def test_frozen_document_refuses_the_save_and_keeps_the_text(
    as_contributor, world, make_document, save_guard
):
    document = make_document(world, body="Oud.\n")

    def frozen(*, document, action):
        raise services.DocumentFrozen("The timebox closed; this document is frozen.")

    save_guard(frozen)
    response = as_contributor.post(
        url("edit", document),
        {"title": document.title, "body": "Mijn nieuwe tekst", "base_version": document.head_id},
    )
    assert response.status_code == 403
    assert "this document is frozen" in response.text
    assert "Mijn nieuwe tekst" in response.text
    document.refresh_from_db()
    assert document.body == "Oud.\n"


def test_opening_the_editor_on_a_frozen_document_warns_at_once(
    as_contributor, world, make_document, save_guard
):
    document = make_document(world, body="Oud.\n")
    main = make_document(world, title="Plannen", kind=Document.Kind.MAIN_PROCESS)
    work = make_document(world, title="Roosteren", kind=Document.Kind.WORK_PROCESS, parent=main)
    usecase = make_document(world, title="Rooster maken", kind=Document.Kind.USE_CASE, parent=work)
    assert "cannot be changed now" not in as_contributor.get(url("edit", document)).text

    def frozen(*, document, action):
        raise services.DocumentFrozen("The timebox closed; this document is frozen.")

    save_guard(frozen)
    for page in ("edit", "rename", "move", "delete"):
        shown = as_contributor.get(url(page, document)).text
        assert "This document cannot be changed now." in shown, page
        assert "this document is frozen" in shown, page
    editor = as_contributor.get(url("edit", document)).text
    assert "Oud." in editor  # the editor still opens with the text
    structured = reverse("usecases:edit", args=[world.programme.slug, usecase.slug])
    assert "This document cannot be changed now." in as_contributor.get(structured).text


def test_save_with_empty_title_keeps_the_text(as_contributor, world, make_document):
    document = make_document(world, body="Oud.\n")
    response = as_contributor.post(
        url("edit", document),
        {"title": "", "body": "Mijn tekst", "base_version": document.head_id},
    )
    assert response.status_code == 400
    assert "Mijn tekst" in response.text
    assert 'role="alert"' in response.text


# --- history, versions, diff, revert -----------------------------------------------------------


def _versions(world, document, count):
    for n in range(count - 1):
        document = services.document_save(
            document=document,
            body=f"regel {n}\n",
            base_version_id=document.head_id,
            author=world.contributor,
            summary=f"wijziging {n}",
        ).document
    return document


def test_history_lists_versions_newest_first_with_author_and_organisation(
    client, world, make_document
):
    document = _versions(world, make_document(world), 3)
    response = client.get(url("history", document))
    assert response.status_code == 200
    text = response.text
    assert text.index("wijziging 1") < text.index("wijziging 0")
    assert world.contributing_org.name in text
    assert reverse("wiki:version", args=[world.programme.slug, document.slug, document.head_id])


def test_history_pages_with_an_older_link(client, world, make_document, settings):
    settings.STIP_HISTORY_PAGE_SIZE = 2
    document = _versions(world, make_document(world), 5)
    response = client.get(url("history", document))
    versions = response.context["versions"]
    assert len(versions) == 2
    older = response.context["older"]
    assert f"?before={older}" in response.text
    second = client.get(url("history", document, before=older))
    assert [v.pk for v in second.context["versions"]][0] < older


def _history_queries(client, document) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("history", document))
    assert response.status_code == 200
    return len(queries)


def test_history_query_count_does_not_grow_with_versions(
    client, world, make_document, django_assert_max_num_queries
):
    client.force_login(world.observer)
    few = _versions(world, make_document(world, title="Weinig"), 5)
    many = _versions(world, make_document(world, title="Veel"), 60)
    baseline = _history_queries(client, few)
    with django_assert_max_num_queries(baseline):
        response = client.get(url("history", many))
    assert len(response.context["versions"]) == 50


def test_old_version_is_shown_with_a_revert_button_for_contributors(
    as_contributor, world, make_document
):
    document = make_document(world, body="Eerste tekst.\n")
    first = document.head_id
    document = _versions(world, document, 2)
    response = as_contributor.get(url("version", document, first))
    assert response.status_code == 200
    assert "Eerste tekst." in response.text
    assert (
        reverse("wiki:revert", args=[world.programme.slug, document.slug, first]) in response.text
    )


def test_version_of_another_document_is_not_found(client, world, make_document):
    one = make_document(world, title="Een")
    other = make_document(world, title="Ander")
    assert client.get(url("version", one, other.head_id)).status_code == 404
    assert client.get(url("diff", one, to=other.head_id)).status_code == 404


def test_diff_shows_word_level_changes_and_title_change(client, world, make_document):
    document = make_document(world, title="Oude titel", body="De kat zit op de mat.\n")
    first = document.head_id
    services.document_save(
        document=document,
        body="De hond zit op de mat.\n",
        base_version_id=first,
        author=world.lead,
        title="Nieuwe titel",
    )
    document.refresh_from_db()
    response = client.get(url("diff", document, **{"from": first, "to": document.head_id}))
    assert response.status_code == 200
    assert "<del>kat</del>" in response.text and "<ins>hond</ins>" in response.text
    assert "<del>Oude titel</del>" in response.text and "<ins>Nieuwe titel</ins>" in response.text


def test_diff_without_from_compares_with_the_previous_version(client, world, make_document):
    document = make_document(world, body="a\n")
    services.document_save(
        document=document, body="b\n", base_version_id=document.head_id, author=world.lead
    )
    document.refresh_from_db()
    response = client.get(url("diff", document, to=document.head_id))
    assert response.context["old"].field_dict["body"] == "a\n"


def test_revert_through_the_web_brings_the_old_text_back(as_contributor, world, make_document):
    document = make_document(world, body="Origineel.\n")
    first = document.head_id
    document = _versions(world, document, 3)
    response = as_contributor.post(url("revert", document, first))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.body == "Origineel.\n"
    assert document.head_id != first  # a new version: nothing lost


def test_revert_asks_for_confirmation_first_and_changes_nothing(
    as_contributor, world, make_document
):
    document = make_document(world, body="Origineel.\n")
    first = document.head_id
    document = _versions(world, document, 2)
    head = document.head_id
    version_page = as_contributor.get(url("version", document, first)).text
    assert f'<a class="button" href="{url("revert", document, first)}">' in version_page
    asked = as_contributor.get(url("revert", document, first))
    assert asked.status_code == 200
    assert f"Revert “{document.title}”?" in asked.text and "nothing is lost" in asked.text
    assert '<button type="submit">Revert to this version</button>' in asked.text
    document.refresh_from_db()
    assert document.head_id == head  # asking reverts nothing


# --- rename, move, delete, restore, comments ---------------------------------------------------


def test_renamed_document_old_address_redirects(as_contributor, world, make_document):
    document = make_document(world, title="Oude naam")
    old_url, old_history = document.get_absolute_url(), url("history", document)
    response = as_contributor.post(url("rename", document), {"title": "Nieuwe naam", "slug": ""})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.slug == "nieuwe-naam"
    moved = as_contributor.get(old_url)
    assert moved.status_code == 301 and moved.url == document.get_absolute_url()
    moved = as_contributor.get(old_history)
    assert moved.status_code == 301 and moved.url == url("history", document)


def test_rename_to_a_taken_address_says_so(as_contributor, world, make_document):
    make_document(world, title="Bezet")
    document = make_document(world, title="Vrij")
    response = as_contributor.post(url("rename", document), {"title": "Vrij", "slug": "bezet"})
    assert response.status_code == 400
    assert "Another document in this programme has this address." in response.text


def test_move_puts_a_work_process_below_another_main_process(as_contributor, world, make_document):
    first = make_document(world, title="Hoofd een", kind=Document.Kind.MAIN_PROCESS)
    second = make_document(world, title="Hoofd twee", kind=Document.Kind.MAIN_PROCESS)
    work = make_document(world, title="Werk", kind=Document.Kind.WORK_PROCESS, parent=first)
    response = as_contributor.post(url("move", work), {"parent": second.pk})
    assert response.status_code == 302
    work.refresh_from_db()
    assert work.parent == second


def test_move_to_a_wrong_place_is_refused_with_a_reason(as_contributor, world, make_document):
    first = make_document(world, title="Hoofd een", kind=Document.Kind.MAIN_PROCESS)
    work = make_document(world, title="Werk", kind=Document.Kind.WORK_PROCESS, parent=first)
    response = as_contributor.post(url("move", work), {"parent": ""})
    assert response.status_code == 400
    assert "belongs below a main process" in response.text
    work.refresh_from_db()
    assert work.parent == first


def test_soft_delete_and_restore_through_the_web(client, world, make_document):
    document = make_document(world, title="Weg ermee")
    client.force_login(world.contributor)
    confirm = client.get(url("delete", document))
    assert confirm.status_code == 200
    assert client.post(url("delete", document)).status_code == 302
    gone = client.get(document.get_absolute_url())
    assert gone.status_code == 410
    assert "This document was moved to the trash by" in gone.text
    assert "A lead of the programme can restore it" in gone.text
    assert client.get(url("history", document)).status_code == 410  # e.g. from a notification
    trash = client.get(reverse("wiki:trash", args=[world.programme.slug]))
    assert "Weg ermee" in trash.text
    restore_url = reverse("wiki:restore", args=[world.programme.slug, document.pk])
    assert restore_url not in trash.text  # contributors may not restore
    assert client.post(restore_url).status_code == 403
    client.force_login(world.lead)
    assert client.post(restore_url).status_code == 302
    assert client.get(document.get_absolute_url()).status_code == 200


def test_delete_with_children_is_refused_with_a_reason(as_contributor, world, make_document):
    main = make_document(world, title="Hoofd", kind=Document.Kind.MAIN_PROCESS)
    make_document(world, title="Werk", kind=Document.Kind.WORK_PROCESS, parent=main)
    response = as_contributor.post(url("delete", main), follow=True)
    assert "Move or delete the documents below this one first." in response.text
    main.refresh_from_db()
    assert not main.is_deleted


def test_observer_comments_on_a_document(client, world, make_document):
    document = make_document(world)
    client.force_login(world.observer)
    response = client.post(url("comment", document), {"body": "Goed idee!"}, follow=True)
    assert response.status_code == 200
    assert "Goed idee!" in response.text
    comment = Comment.objects.get(document=document)
    assert comment.organisation == world.observing_org


def test_empty_comment_is_refused_with_a_message(client, world, make_document):
    document = make_document(world)
    client.force_login(world.observer)
    response = client.post(url("comment", document), {"body": "   "})
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert not Comment.objects.exists()


# --- search and language -----------------------------------------------------------------------


def test_search_finds_only_readable_documents(client, world, closed_world, make_document):
    make_document(world, title="Open roosterplan", body="rooster")
    make_document(closed_world, title="Geheim roosterplan", body="rooster")
    client.force_login(world.outsider)
    response = client.get(reverse("wiki:search"), {"q": "roosterplan"})
    assert response.status_code == 200
    assert "Open roosterplan" in response.text
    assert "Geheim roosterplan" not in response.text


def test_search_result_shows_plain_text_with_the_match_marked(client, world, make_document):
    make_document(
        world,
        title="Planning",
        body="# Planning\n\nZie [[Rooster maken|het rooster]] en **roosters** | 1 < 2 & 3 |\n"
        "<script>alert(1)</script>\n",
    )
    client.force_login(world.outsider)
    page = client.get(reverse("wiki:search"), {"q": "rooster"}).text
    shown = page[page.index('class="snippet"') :].split("</p>")[0]
    assert "Planning Zie het <mark>rooster</mark> en" in shown
    assert "<mark>roosters</mark> 1 &lt; 2 &amp; 3" in shown and "<script" not in shown
    assert "#" not in shown and "[[" not in shown and "**" not in shown and "|" not in shown


def test_search_in_a_hidden_programme_is_not_found(client, closed_world):
    client.force_login(closed_world.outsider)
    response = client.get(
        reverse("wiki:search"), {"q": "x", "programme": closed_world.programme.slug}
    )
    assert response.status_code == 404


def test_language_switch_is_remembered(client, world):
    response = client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "nl"
    page = client.get(reverse("home"))
    assert page.wsgi_request.LANGUAGE_CODE == "nl"
    assert '<html lang="nl">' in page.text


def test_refused_action_shows_the_403_page_with_the_reason(client, world, make_document):
    document = make_document(world)
    client.force_login(world.observer)
    response = client.get(url("edit", document))
    assert response.status_code == 403
    assert "Only contributing organisations may change documents" in response.text


def test_editor_link_hints_list_matching_documents(as_contributor, world, make_document):
    make_document(world, title="Onderwijsvisie")
    make_document(world, title="Roosteren")
    response = as_contributor.get(
        reverse("wiki:titles", args=[world.programme.slug]), {"q": "visie"}
    )
    assert response.status_code == 200
    assert [d["title"] for d in response.json()["documents"]] == ["Onderwijsvisie"]


def test_editor_link_hints_of_a_hidden_programme_are_not_found(client, closed_world):
    client.force_login(closed_world.outsider)
    response = client.get(reverse("wiki:titles", args=[closed_world.programme.slug]))
    assert response.status_code == 404


def test_save_after_someone_deleted_the_document_keeps_the_text(
    as_contributor, world, make_document
):
    document = make_document(world, body="Oud.\n")
    services.document_delete(document=document, by=world.lead)
    response = as_contributor.post(
        url("edit", document),
        {
            "title": document.title,
            "body": "Mijn werk van een uur",
            "base_version": document.head_id,
        },
    )
    assert response.status_code == 409
    assert "This document was deleted." in response.text
    assert "Mijn werk van een uur" in response.text
    gone = as_contributor.get(url("edit", document))
    assert gone.status_code == 410 and "moved to the trash" in gone.text


def test_unknown_page_shows_the_404_page(client, db):
    response = client.get("/p/bestaat-niet/")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_server_error_page_renders_without_a_request_context(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_create_preview_without_a_title_shows_no_premature_error(as_contributor, world):
    response = as_contributor.post(
        reverse("wiki:create", args=[world.programme.slug]),
        {"title": "", "kind": "page", "body": "## Eerst kijken", "preview": ""},
    )
    assert response.status_code == 200
    assert '<h2 id="eerst-kijken">Eerst kijken</h2>' in response.text
    assert "## Eerst kijken" in response.text
    assert 'role="alert"' not in response.text
    assert not Document.objects.exists()


def test_log_in_page_logs_in_and_returns_to_the_page(client, world):
    from tests.factories import PASSWORD

    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert '<label for="id_username">Username or e-mail address</label>' in page.text
    response = client.post(
        reverse("login"),
        {"username": world.observer.username, "password": PASSWORD, "next": "/search/"},
    )
    assert response.status_code == 302 and response.url == "/search/"


def test_wrong_password_is_announced(client, world):
    response = client.post(
        reverse("login"), {"username": world.observer.username, "password": "fout"}
    )
    assert response.status_code == 200
    assert 'class="form-errors" role="alert"' in response.text


def test_password_reset_sends_a_link(client, world, mailoutbox):
    assert client.get(reverse("password_reset")).status_code == 200
    response = client.post(reverse("password_reset"), {"email": world.observer.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert client.get(response.url).status_code == 200
