import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from reversion.models import Version

from tests.usecases.conftest import sample
from usecases import selectors, services, structure
from usecases.models import Actor, SignOff, UseCase
from wiki import services as wiki_services

pytestmark = pytest.mark.django_db


def test_use_case_and_document_share_one_revision(usecase):
    uc = UseCase.objects.get(document=usecase)
    doc_version = Version.objects.get(pk=usecase.head_id)
    uc_versions = Version.objects.get_for_object(uc)
    assert [v.revision_id for v in uc_versions] == [doc_version.revision_id]
    assert "1. Roster maker: Collects the wishes of the teachers." in usecase.body
    assert "### 3a. A teacher disagrees." in usecase.body


def test_saving_steps_makes_a_version_with_body_in_sync(world, usecase):
    data = sample()
    data["steps"].append({"id": "s4", "actor": "Teacher", "text": "Publishes the roster."})
    result = services.usecase_save(
        document=usecase, data=data, base_version_id=usecase.head_id, author=world.contributor
    )
    assert not result.unchanged
    assert "4. Teacher: Publishes the roster." in result.document.body
    snapshot = services.snapshot_at(usecase, result.version)
    assert [s["text"] for s in snapshot.data["steps"]][-1] == "Publishes the roster."
    first = Version.objects.get_for_object(usecase).order_by("pk").first()
    assert len(services.snapshot_at(usecase, first).data["steps"]) == 3


def test_new_actors_join_the_catalogue(world, usecase):
    names = set(Actor.objects.filter(programme=world.programme).values_list("name", flat=True))
    assert names == {"Roster maker", "Teacher"}
    actor = Actor.objects.get(programme=world.programme, name="Teacher")
    assert selectors.actor_usecases(actor) == [usecase]


def test_field_level_diff_names_added_removed_changed_and_moved_steps(world, usecase):
    data = sample(trigger="The period ends.")
    s1, s2, s3 = data["steps"]
    s2 = {**s2, "text": "Drafts the roster with the teams."}
    data["steps"] = [s3, s1, s2, {"id": "s9", "actor": "Teacher", "text": "Signs."}]
    data["steps"].remove(s3)
    data["steps"].insert(2, s3)  # s1, s2, s3 -> s1, s2(changed), s3, s9: nothing moved yet
    data["steps"] = [data["steps"][1], data["steps"][0], data["steps"][2], data["steps"][3]]
    before = services.snapshot_at(usecase, usecase.head)
    result = services.usecase_save(
        document=usecase, data=data, base_version_id=usecase.head_id, author=world.contributor
    )
    after = services.snapshot_at(usecase, result.version)
    diff = structure.diff(before.data, after.data)
    assert [f.name for f in diff.fields] == ["trigger"]
    kinds = {(c.kind, (c.new or c.old)["id"]) for c in diff.steps}
    assert ("added", "s9") in kinds
    assert any(c.changed and c.new["id"] == "s2" for c in diff.steps)
    assert any(c.moved for c in diff.steps)
    assert not any(c.kind == "removed" for c in diff.steps)

    removed = sample()
    removed["steps"] = removed["steps"][:2]
    diff = structure.diff(sample(), removed)
    assert [(c.kind, c.old_label) for c in diff.steps] == [("removed", "3")]
    assert diff.extensions[0].new_label == "?"


def test_concurrent_edits_of_different_fields_merge(world, usecase):
    base = usecase.head_id
    services.usecase_save(
        document=usecase,
        data=sample(trigger="Other trigger."),
        base_version_id=base,
        author=world.lead,
    )
    result = services.usecase_save(
        document=usecase,
        data=sample(frequency="Weekly."),
        base_version_id=base,
        author=world.contributor,
    )
    assert result.merged
    data = selectors.usecase_data(usecase)
    assert (data["trigger"], data["frequency"]) == ("Other trigger.", "Weekly.")


def test_concurrent_edits_of_the_same_field_keep_the_submitted_text(world, usecase):
    base = usecase.head_id
    services.usecase_save(
        document=usecase,
        data=sample(trigger="Lead's trigger."),
        base_version_id=base,
        author=world.lead,
    )
    with pytest.raises(services.UseCaseConflict) as caught:
        services.usecase_save(
            document=usecase,
            data=sample(trigger="My trigger."),
            base_version_id=base,
            author=world.contributor,
        )
    assert caught.value.data["trigger"] == "My trigger."
    assert caught.value.fields == ["trigger"]
    assert selectors.usecase_data(usecase)["trigger"] == "Lead's trigger."


def test_signoff_goes_stale_when_the_document_changes(world, usecase):
    signoff = services.signoff_give(
        document=usecase, verdict=SignOff.Verdict.AGREE, remarks="", author=world.contributor
    )
    usecase.refresh_from_db()
    assert [s.stale for s in selectors.signoffs_for(usecase)] == [False]
    signed_version = usecase.head_id
    result = services.usecase_save(
        document=usecase,
        data=sample(frequency="Weekly."),
        base_version_id=usecase.head_id,
        author=world.lead,
    )
    usecase.refresh_from_db()
    (status,) = selectors.signoffs_for(usecase)
    assert status.stale
    assert status.signoff.version_id == signoff.version_id == signed_version
    assert f"from={signed_version}" in status.diff_url
    assert f"to={result.version.pk}" in status.diff_url
    services.signoff_give(
        document=usecase,
        verdict=SignOff.Verdict.REMARKS,
        remarks="Fine now.",
        author=world.contributor,
    )
    assert [s.stale for s in selectors.signoffs_for(usecase)] == [False]


def test_signoff_works_on_any_document(world, make_document):
    page = make_document(world, title="Visie")
    services.signoff_give(document=page, verdict="agree", remarks="", author=world.contributor)
    assert SignOff.objects.get(document=page).organisation == world.contributing_org


def test_objection_needs_a_reason(world, usecase):
    with pytest.raises(ValidationError):
        services.signoff_give(document=usecase, verdict="object", remarks=" ", author=world.lead)
    assert not SignOff.objects.exists()


@pytest.mark.parametrize("role", ["observer", "outsider", "anonymous"])
def test_observer_cannot_sign_off_or_edit(world, usecase, role):
    person = world.person(role)
    with pytest.raises(PermissionDenied):
        services.signoff_give(document=usecase, verdict="agree", remarks="", author=person)
    with pytest.raises(PermissionDenied):
        services.usecase_save(
            document=usecase,
            data=sample(trigger="x"),
            base_version_id=usecase.head_id,
            author=person,
        )
    assert not SignOff.objects.exists()
    assert selectors.usecase_data(usecase)["trigger"] == "A new school period approaches."


def test_closed_programme_is_hidden_from_outsiders(closed_world, make_document):
    page = make_document(closed_world, title="Geheim")
    with pytest.raises(Http404):
        services.signoff_give(
            document=page, verdict="agree", remarks="", author=closed_world.outsider
        )


def test_parent_changed_marker(world, usecase, work_process):
    assert selectors.parent_change(usecase) is None
    before = work_process.head_id
    wiki_services.document_save(
        document=work_process, body="Nieuwe aanpak.\n", base_version_id=before, author=world.lead
    )
    usecase.refresh_from_db()
    change = selectors.parent_change(usecase)
    assert change is not None
    assert change.from_version_id == before
    work_process.refresh_from_db()
    assert change.to_version_id == work_process.head_id
    assert f"from={before}&to={work_process.head_id}" in change.diff_url
    services.usecase_save(
        document=usecase,
        data=sample(frequency="Weekly."),
        base_version_id=usecase.head_id,
        author=world.contributor,
    )
    usecase.refresh_from_db()
    assert selectors.parent_change(usecase) is None


def test_detail_warnings_never_block(world, work_process, technical):
    steps = [{"actor": "Teacher", "text": f"Does thing {n}."} for n in range(10)]
    steps[4]["text"] = "Clicks the Button on the screen."
    data = sample(goal_level="subfunction", steps=steps, extensions=[])
    document = services.usecase_create(
        programme=world.programme,
        parent=work_process,
        title="Fill the database",
        data=data,
        author=world.contributor,
    )
    warnings = structure.detail_warnings(
        selectors.usecase_data(document),
        selectors.technical_words(world.programme),
        title=document.title,
    )
    codes = [w.code for w in warnings]
    assert codes.count("technical_words") == 2
    assert "too_many_steps" in codes and "subfunction" in codes
    assert any("Step 5" in w.message and "“button”" in w.message for w in warnings)


def test_variant_is_versioned_with_the_use_case(world, usecase):
    result = services.variant_save(
        document=usecase,
        target="s2",
        text="At our school the team leader approves.",
        base_version_id=usecase.head_id,
        author=world.contributor,
    )
    data = selectors.usecase_data(usecase)
    (variant,) = data["variants"]
    assert variant["organisation"] == world.contributing_org.pk
    assert "> Variant (open Contributing College): At our school" in result.document.body
    with pytest.raises(PermissionDenied):
        services.variant_save(
            document=usecase,
            target="s2",
            text="Ours.",
            base_version_id=None,
            author=world.observer,
        )


def test_glossary_term_is_versioned(world):
    term = services.term_save(
        programme=world.programme,
        term="Rooster",
        definition="Who is where when.",
        author=world.contributor,
    )
    services.local_word_save(term=term, word="Lesplanning", author=world.contributor)
    services.term_save(
        programme=world.programme,
        term="Rooster",
        definition="The timetable.",
        author=world.lead,
        instance=term,
    )
    versions = Version.objects.get_for_object(term)
    assert versions.count() == 3
    assert versions.order_by("pk").first().field_dict["definition"] == "Who is where when."


def test_only_leads_edit_the_technical_word_list(world):
    with pytest.raises(PermissionDenied):
        services.technical_words_save(
            programme=world.programme, words="database", author=world.contributor
        )
    services.technical_words_save(
        programme=world.programme, words="database, SQL\nknop", author=world.lead
    )
    assert selectors.technical_words(world.programme) == ["database", "knop", "sql"]


def test_wiki_revert_of_a_use_case_restores_its_steps(world, usecase):
    first = usecase.head_id
    data = sample()
    data["steps"] = data["steps"][:1]
    services.usecase_save(
        document=usecase, data=data, base_version_id=usecase.head_id, author=world.contributor
    )
    result = wiki_services.document_revert(document=usecase, version_id=first, author=world.lead)
    assert len(selectors.usecase_data(usecase)["steps"]) == 3
    assert "3. Teacher: Checks the draft." in result.document.body
    assert result.version.revision.edit_meta.action == "revert"


def test_extension_of_a_removed_step_gets_a_warning():
    data = structure.normalise(sample())
    data["steps"] = data["steps"][:2]
    codes = [w.code for w in structure.detail_warnings(structure.normalise(data), [])]
    assert codes == ["orphan_extension"]


def test_editing_a_use_case_as_markdown_in_the_wiki_updates_its_fields(world, usecase):
    services.variant_save(
        document=usecase,
        target="s2",
        text="Bij ons anders.",
        base_version_id=None,
        author=world.contributor,
    )
    usecase.refresh_from_db()
    body = usecase.body.replace(
        "2. Roster maker: Drafts the roster.", "2. Roster maker: Drafts the roster with the teams."
    )
    result = wiki_services.document_save(
        document=usecase, body=body, base_version_id=usecase.head_id, author=world.contributor
    )
    data = selectors.usecase_data(usecase)
    assert data["steps"][1] == {
        "id": "s2",
        "actor": "Roster maker",
        "text": "Drafts the roster with the teams.",
    }
    assert data["variants"][0]["target"] == "s2"
    assert result.document.body == body
    with pytest.raises(ValidationError) as caught:
        wiki_services.document_save(
            document=usecase,
            body=body.replace("3. Teacher: Checks the draft.", "3. Teacher: Checks.\nnot a step"),
            base_version_id=result.version.pk,
            author=world.contributor,
        )
    assert "Line" in str(caught.value)
    assert selectors.usecase_data(usecase) == data
