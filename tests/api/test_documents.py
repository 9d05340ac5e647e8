"""Documents over the API: read, create, update with a base version (merge or 409), history,
versions, diff, revert, discussion, search, and ids of another programme."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from tests.api.conftest import doc_path
from wiki import services
from wiki.models import Comment, Document

pytestmark = pytest.mark.django_db


def _save(world, document, body, author):
    return services.document_save(
        document=document, body=body, base_version_id=document.head_id, author=author
    )


# --- reading -----------------------------------------------------------------------------------


def test_read_document_gives_markdown_html_and_head_version(api, world, make_document):
    document = make_document(world, body="# Doel\n\nZie [[Visie]].\n<script>alert(1)</script>\n")

    data = api.get(doc_path(world, document), user=world.observer).json()

    assert data["body"].startswith("# Doel")
    assert '<h1 id="doel">Doel</h1>' in data["html"]
    assert 'class="wikilink"' in data["html"]
    assert "<script" not in data["html"]
    assert data["head_version_id"] == document.head_id
    assert data["url"].endswith(f"/p/{world.programme.slug}/d/{document.slug}/")


def test_document_list_shows_living_documents_only(api, world, make_document):
    kept = make_document(world, title="Kept")
    gone = make_document(world, title="Gone")
    services.document_delete(document=gone, by=world.lead)

    data = api.get(f"programmes/{world.programme.slug}/documents/").json()

    assert [d["slug"] for d in data["items"]] == [kept.slug]
    assert data["count"] == 1


def test_renamed_document_answers_old_address_with_its_new_one(api, world, make_document):
    document = make_document(world, title="Old name")
    services.document_rename(document=document, title="New name", slug=None, author=world.lead)

    response = api.get(f"programmes/{world.programme.slug}/documents/old-name/history/")

    assert response.status_code == 308
    assert response["Location"] == (
        f"/api/v1/programmes/{world.programme.slug}/documents/new-name/history/"
    )


# --- creating ----------------------------------------------------------------------------------


def test_create_work_process_below_main_process(api, world, make_document):
    main = make_document(world, title="Leren", kind=Document.Kind.MAIN_PROCESS)

    response = api.post(
        f"programmes/{world.programme.slug}/documents/",
        {"title": "Toetsen", "kind": "work_process", "parent": main.slug, "body": "Stappen."},
        user=world.contributor,
    )

    assert response.status_code == 201
    data = response.json()
    assert data["parent"] == main.slug
    assert data["head_version_id"] is not None


def test_create_with_bad_input_says_what_is_wrong_per_field_and_creates_nothing(api, world):
    path = f"programmes/{world.programme.slug}/documents/"

    blank = api.post(path, {"title": "", "kind": "poem"}, user=world.contributor)
    orphan = api.post(path, {"title": "Toetsen", "kind": "work_process"}, user=world.contributor)
    lost_parent = api.post(path, {"title": "X", "parent": "nowhere"}, user=world.contributor)

    assert blank.status_code == 400
    assert set(blank.json()["errors"]) == {"title", "kind"}
    assert "vision" in blank.json()["errors"]["kind"][0]
    assert orphan.status_code == 400
    assert "main process" in orphan.json()["errors"]["parent"][0]
    assert lost_parent.status_code == 400
    assert lost_parent.json()["errors"]["parent"]
    assert not Document.objects.filter(programme=world.programme).exists()


def test_invalid_json_is_a_400_with_a_message(api, world, make_document):
    document = make_document(world)

    response = api.put(doc_path(world, document), "{not json", user=world.contributor)

    assert response.status_code == 400
    assert response.json()["errors"]["__all__"] == ["The request body is not valid JSON."]


# --- updating ----------------------------------------------------------------------------------


def test_update_on_current_version_saves_a_new_version(api, world, make_document):
    document = make_document(world)

    response = api.put(
        doc_path(world, document),
        {"base_version_id": document.head_id, "body": "Tweede versie.\n", "summary": "Typo"},
        user=world.contributor,
    )

    assert response.status_code == 200
    data = response.json()
    assert data["merged"] is False
    assert data["document"]["body"] == "Tweede versie.\n"
    assert data["version_id"] == data["document"]["head_version_id"] != document.head_id
    version = Version.objects.get(pk=data["version_id"])
    assert version.revision.comment == "Typo"
    assert version.revision.user == world.contributor


def test_update_without_base_version_or_body_is_refused_and_changes_nothing(
    api, world, make_document
):
    document = make_document(world)

    response = api.put(
        doc_path(world, document), {"title": "x" * 300, "summary": 5}, user=world.contributor
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["base_version_id"] == ["This field is required."]
    assert errors["body"] == ["This field is required."]
    assert errors["title"] == ["Ensure this value has at most 200 characters."]
    assert errors["summary"] == ["Enter text."]
    document.refresh_from_db()
    assert (document.title, document.body) == ("Visie", "Eerste versie.\n")


def test_two_updates_on_the_same_base_version_one_wins_other_gets_409_with_its_text(
    api, world, make_document
):
    document = make_document(world, body="Regel een.\n")
    base = document.head_id

    first = api.put(
        doc_path(world, document),
        {"base_version_id": base, "body": "Regel een, door de lead.\n"},
        user=world.lead,
    )
    second = api.put(
        doc_path(world, document),
        {"base_version_id": base, "body": "Regel een, door mij.\n", "summary": "Mijn versie"},
        user=world.contributor,
    )

    assert first.status_code == 200
    winner = first.json()["version_id"]
    assert second.status_code == 409
    conflict = second.json()
    assert conflict["current"] == {
        "version_id": winner,
        "title": "Visie",
        "body": "Regel een, door de lead.\n",
    }
    assert conflict["submitted"] == {
        "base_version_id": base,
        "title": "Visie",
        "body": "Regel een, door mij.\n",
        "summary": "Mijn versie",
    }
    assert conflict["detail"]
    document.refresh_from_db()
    assert document.body == "Regel een, door de lead.\n"
    assert Version.objects.get_for_object(document).count() == 2


def test_resubmitting_on_the_current_version_after_a_conflict_wins(api, world, make_document):
    document = make_document(world, body="Regel een.\n")
    base = document.head_id
    _save(world, document, "Regel een, anders.\n", world.lead)
    conflict = api.put(
        doc_path(world, document),
        {"base_version_id": base, "body": "Regel een, van mij.\n"},
        user=world.contributor,
    ).json()

    response = api.put(
        doc_path(world, document),
        {"base_version_id": conflict["current"]["version_id"], "body": "Samen.\n"},
        user=world.contributor,
    )

    assert response.status_code == 200
    assert response.json()["document"]["body"] == "Samen.\n"


def test_stale_update_that_does_not_overlap_is_merged(api, world, make_document):
    document = make_document(world, body="Een.\nTwee.\nDrie.\nVier.\nVijf.\n")
    base = document.head_id
    _save(world, document, "Een, door de lead.\nTwee.\nDrie.\nVier.\nVijf.\n", world.lead)

    response = api.put(
        doc_path(world, document),
        {"base_version_id": base, "body": "Een.\nTwee.\nDrie.\nVier.\nVijf, door mij.\n"},
        user=world.contributor,
    )

    assert response.status_code == 200
    data = response.json()
    assert data["merged"] is True
    assert data["document"]["body"] == "Een, door de lead.\nTwee.\nDrie.\nVier.\nVijf, door mij.\n"


def test_update_of_a_frozen_document_is_409_with_the_reason(api, world, make_document, save_guard):
    document = make_document(world)

    def frozen(*, document, action):
        raise services.DocumentFrozen("The deadline has passed.")

    save_guard(frozen)
    response = api.put(
        doc_path(world, document),
        {"base_version_id": document.head_id, "body": "Too late.\n"},
        user=world.contributor,
    )

    assert response.status_code == 409
    assert response.json()["detail"] == "The deadline has passed."
    assert response.json()["submitted"]["body"] == "Too late.\n"
    assert response.json()["current"]["body"] == "Eerste versie.\n"
    document.refresh_from_db()
    assert document.body == "Eerste versie.\n"


# --- history, versions, diff, revert -----------------------------------------------------------


def _with_versions(world, make_document, count: int):
    document = make_document(world, body="v1\n")
    for n in range(2, count + 1):
        _save(world, document, f"v{n}\n", world.contributor)
        document.refresh_from_db()
    return document


def test_history_is_paged_newest_first_with_a_keyset(api, world, make_document):
    document = _with_versions(world, make_document, 5)
    ids = list(
        Version.objects.get_for_object(document).order_by("-pk").values_list("pk", flat=True)
    )

    first = api.get(doc_path(world, document, "history/"), {"limit": 2}).json()
    second = api.get(
        doc_path(world, document, "history/"), {"limit": 2, "before": first["next_before"]}
    ).json()
    last = api.get(
        doc_path(world, document, "history/"), {"limit": 2, "before": second["next_before"]}
    ).json()

    assert [v["id"] for v in first["items"]] == ids[:2]
    assert [v["id"] for v in second["items"]] == ids[2:4]
    assert [v["id"] for v in last["items"]] == ids[4:]
    assert last["next_before"] is None
    newest = first["items"][0]
    assert newest["action"] == "edit"
    assert newest["author"]["organisation"] == world.contributing_org.name


def test_history_query_count_does_not_grow_with_versions(api, world, make_document):
    short = _with_versions(world, make_document, 2)
    long = make_document(world, title="Long", body="v1\n")
    for n in range(2, 13):
        _save(world, long, f"v{n}\n", world.lead)
        long.refresh_from_db()
    api.get(doc_path(world, short, "history/"), user=world.observer)  # warm the token

    counts = []
    for document in (short, long):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(doc_path(world, document, "history/"), user=world.observer)
        counts.append(len(queries))

    assert len(response.json()["items"]) == 12
    assert counts[0] == counts[1]


def test_history_limit_out_of_range_is_a_field_error(api, world, make_document):
    document = make_document(world)

    response = api.get(doc_path(world, document, "history/"), {"limit": 0})

    assert response.status_code == 400
    assert response.json()["errors"]["limit"] == ["Ensure this value is at least 1."]


def test_old_version_is_readable_as_it_was(api, world, make_document):
    document = make_document(world, body="Oud.\n")
    old = document.head_id
    _save(world, document, "Nieuw.\n", world.contributor)

    data = api.get(doc_path(world, document, f"versions/{old}/")).json()

    assert data["body"] == "Oud.\n"
    assert data["html"] == "<p>Oud.</p>"
    assert data["is_current"] is False


def test_diff_between_two_versions_has_structured_rows(api, world, make_document):
    document = make_document(world, body="Een.\nTwee <b>vet</b>.\nDrie.\n")
    old = document.head_id
    new = _save(world, document, "Een.\nTwee <b>dik</b>.\nVier.\nVijf.\n", world.lead).version.pk

    data = api.get(doc_path(world, document, "diff/"), {"from": old, "to": new}).json()

    assert data["from_version"]["id"] == old
    assert data["to_version"]["id"] == new
    assert (data["added"], data["removed"]) == (3, 2)
    kinds = [row["kind"] for row in data["rows"]]
    assert kinds == ["equal", "replace", "replace", "insert"]
    changed = data["rows"][1]
    assert changed["left"] == "Twee <b>vet</b>."
    assert changed["right"] == "Twee <b>dik</b>."
    assert "<ins>dik</ins>" in changed["right_html"]
    assert "&lt;b&gt;" in changed["right_html"]
    assert data["rows"][3] == {
        "kind": "insert",
        "left_number": None,
        "left": "",
        "left_html": "",
        "right_number": 4,
        "right": "Vijf.",
        "right_html": "Vijf.",
        "skipped": 0,
    }


def test_diff_without_versions_compares_head_with_the_one_before(api, world, make_document):
    document = make_document(world, body="Een.\n")
    first = document.head_id
    _save(world, document, "Twee.\n", world.lead)

    data = api.get(doc_path(world, document, "diff/")).json()

    assert data["from_version"]["id"] == first
    assert [r["kind"] for r in data["rows"]] == ["replace"]


def test_revert_makes_an_old_version_current_as_a_new_version(api, world, make_document):
    document = make_document(world, body="Goed.\n")
    good = document.head_id
    _save(world, document, "Vandalisme.\n", world.lead)

    response = api.post(
        doc_path(world, document, f"versions/{good}/revert/"),
        {"summary": "Terug"},
        user=world.contributor,
    )

    assert response.status_code == 200
    data = response.json()
    assert data["document"]["body"] == "Goed.\n"
    assert data["version_id"] not in (good, None)
    assert Version.objects.get_for_object(document).count() == 3
    assert Version.objects.get(pk=data["version_id"]).revision.comment == "Terug"


# --- ids of another programme ------------------------------------------------------------------


def test_ids_from_another_programme_are_404_and_reveal_nothing(
    api, world, closed_world, make_document
):
    mine = make_document(world, title="Mine", body="Open.\n")
    theirs = make_document(closed_world, title="Secret", body="Geheim.\n")
    secret_version = theirs.head_id
    lead = world.lead

    checks = [
        api.get(doc_path(world, mine, f"versions/{secret_version}/"), user=lead),
        api.get(doc_path(world, mine, "diff/"), {"from": secret_version}, user=lead),
        api.get(doc_path(world, mine, "diff/"), {"to": secret_version}, user=lead),
        api.post(doc_path(world, mine, f"versions/{secret_version}/revert/"), user=lead),
        api.get(f"programmes/{world.programme.slug}/documents/{theirs.slug}/", user=lead),
        api.get(doc_path(closed_world, theirs), user=lead),
    ]

    for response in checks:
        assert response.status_code == 404, response.request["PATH_INFO"]
        assert "Geheim" not in response.content.decode()
    mine.refresh_from_db()
    assert mine.body == "Open.\n"


def test_parent_from_another_programme_is_refused(api, world, closed_world, make_document):
    foreign = make_document(closed_world, title="Leren", kind=Document.Kind.MAIN_PROCESS)

    response = api.post(
        f"programmes/{world.programme.slug}/documents/",
        {"title": "Toetsen", "kind": "work_process", "parent": foreign.slug},
        user=world.lead,
    )

    assert response.status_code == 400
    assert not Document.objects.filter(programme=world.programme).exists()


# --- discussion --------------------------------------------------------------------------------


def test_observer_joins_the_discussion(api, world, make_document):
    document = make_document(world)

    posted = api.post(
        doc_path(world, document, "comments/"), {"body": "Wat bedoelen we?"}, user=world.observer
    )
    listed = api.get(doc_path(world, document, "comments/")).json()

    assert posted.status_code == 201
    assert listed == [posted.json()]
    assert listed[0]["author"]["organisation"] == world.observing_org.name


def test_empty_comment_is_a_field_error(api, world, make_document):
    document = make_document(world)

    response = api.post(doc_path(world, document, "comments/"), {"body": ""}, user=world.observer)
    spaces = api.post(doc_path(world, document, "comments/"), {"body": "  "}, user=world.observer)

    assert response.status_code == 400
    assert response.json()["errors"]["body"]
    assert spaces.status_code == 400
    assert spaces.json()["errors"]["body"] == ["Write a comment first."]
    assert not Comment.objects.exists()


# --- search ------------------------------------------------------------------------------------


def test_search_finds_only_documents_the_person_may_read(api, world, closed_world, make_document):
    make_document(world, title="Roosterbeleid", body="Het rooster van de scholen.\n")
    make_document(closed_world, title="Geheim rooster", body="Het rooster, vertrouwelijk.\n")

    anonymous = api.get("search/", {"q": "rooster"}).json()
    member = api.get("search/", {"q": "rooster"}, user=closed_world.observer).json()

    assert [r["title"] for r in anonymous] == ["Roosterbeleid"]
    assert {r["title"] for r in member} == {"Roosterbeleid", "Geheim rooster"}


def test_search_within_a_hidden_programme_is_404(api, closed_world, make_document):
    make_document(closed_world, title="Geheim rooster")

    response = api.get("search/", {"q": "rooster", "programme": closed_world.programme.slug})

    assert response.status_code == 404


def test_search_without_words_is_a_field_error(api, world):
    response = api.get("search/", {"q": ""})

    assert response.status_code == 400
    assert "q" in response.json()["errors"]


def test_lists_are_paged_and_refuse_out_of_range_paging(api, world, make_document):
    for n in range(3):
        make_document(world, title=f"Doc {n}")
    path = f"programmes/{world.programme.slug}/documents/"

    page = api.get(path, {"limit": 2, "offset": 2}).json()
    huge = api.get(path, {"limit": 10**12})

    assert page["count"] == 3
    assert [d["title"] for d in page["items"]] == ["Doc 2"]
    assert huge.status_code == 400
    assert huge.json()["errors"]["limit"] == ["Ensure this value is at most 100."]
