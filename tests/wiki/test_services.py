import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from participation import selectors as participation_selectors
from wiki import selectors, services
from wiki.models import EditMeta


def test_save_creates_version_with_author_organisation_and_summary(world, make_document):
    document = make_document(world)
    result = services.document_save(
        document=document,
        body="Tweede versie.\n",
        base_version_id=document.head_id,
        author=world.contributor,
        summary="Aangescherpt",
    )
    versions, more = selectors.history(result.document)
    assert len(versions) == 2 and not more
    newest = versions[0]
    assert newest.revision.user == world.contributor
    assert newest.revision.comment == "Aangescherpt"
    assert newest.revision.edit_meta.organisation == world.contributing_org


def test_stale_save_with_overlapping_change_keeps_submitted_text(world, make_document):
    document = make_document(world, body="een\ntwee\ndrie\n")
    base = document.head_id
    services.document_save(
        document=document, body="een\nTWEE\ndrie\n", base_version_id=base, author=world.lead
    )
    with pytest.raises(services.EditConflict) as conflict:
        services.document_save(
            document=document, body="een\n2\ndrie\n", base_version_id=base, author=world.contributor
        )
    assert conflict.value.body == "een\n2\ndrie\n"
    document.refresh_from_db()
    assert document.body == "een\nTWEE\ndrie\n"


def test_stale_save_with_separate_changes_is_merged(world, make_document):
    document = make_document(world, body="een\ntwee\ndrie\nvier\n")
    base = document.head_id
    services.document_save(
        document=document, body="EEN\ntwee\ndrie\nvier\n", base_version_id=base, author=world.lead
    )
    result = services.document_save(
        document=document,
        body="een\ntwee\ndrie\nVIER\n",
        base_version_id=base,
        author=world.contributor,
    )
    assert result.merged
    assert result.document.body == "EEN\ntwee\ndrie\nVIER\n"
    assert result.version.revision.edit_meta.action == EditMeta.Action.MERGE


def test_revert_creates_a_new_version_with_the_old_text(world, make_document):
    document = make_document(world, body="oud\n")
    first = document.head_id
    services.document_save(
        document=document, body="nieuw\n", base_version_id=first, author=world.lead
    )
    result = services.document_revert(document=document, version_id=first, author=world.contributor)
    assert result.document.body == "oud\n"
    versions, _ = selectors.history(result.document)
    assert len(versions) == 3


@pytest.mark.parametrize("role", ["observer", "outsider", "anonymous"])
def test_non_contributors_cannot_edit(world, make_document, role):
    document = make_document(world)
    with pytest.raises(PermissionDenied):
        services.document_save(
            document=document, body="x", base_version_id=document.head_id, author=world.person(role)
        )
    document.refresh_from_db()
    assert document.body == "Eerste versie.\n"


def test_members_only_programme_is_hidden_from_outsiders(closed_world, make_document):
    make_document(closed_world)
    with pytest.raises(Http404):
        participation_selectors.programme_for(closed_world.outsider, closed_world.programme.slug)


@pytest.mark.parametrize(
    "query", ['"', 'visie"', "\x00", "vis*", "(visie", "visie AND", "NEAR(", "-"]
)
def test_search_with_query_syntax_characters_answers_instead_of_failing(
    world, make_document, query
):
    make_document(world, title="Visie op onderwijs", body="De visie.\n")
    results = list(selectors.search_documents(world.contributor, query))
    assert all(document.programme == world.programme for document in results)
