import pytest
from django.urls import reverse

from tests.usecases.conftest import sample
from usecases import selectors, services
from usecases.models import SignOff, Term

pytestmark = pytest.mark.django_db


def url(name, document, **extra):
    return reverse(f"usecases:{name}", args=[document.programme.slug, document.slug])


def edit_post(document, data, **overrides):
    """The edit form as a browser without JavaScript would post it."""
    post = {
        "title": document.title,
        "goal_level": data["goal_level"],
        "primary_actor": data["primary_actor"],
        "supporting_actors": ", ".join(data["supporting_actors"]),
        "base_version_id": document.head_id,
        "steps-TOTAL_FORMS": len(data["steps"]),
        "steps-INITIAL_FORMS": len(data["steps"]),
        "extensions-TOTAL_FORMS": len(data["extensions"]),
        "extensions-INITIAL_FORMS": len(data["extensions"]),
    }
    for name in (
        "scope",
        "stakeholders",
        "trigger",
        "preconditions",
        "success_guarantees",
        "minimal_guarantees",
        "frequency",
        "open_issues",
    ):
        post[name] = data[name]
    for n, step in enumerate(data["steps"]):
        post.update(
            {
                f"steps-{n}-id": step["id"],
                f"steps-{n}-actor": step["actor"],
                f"steps-{n}-text": step["text"],
            }
        )
    for n, extension in enumerate(data["extensions"]):
        post.update(
            {
                f"extensions-{n}-id": extension["id"],
                f"extensions-{n}-at": extension["at"],
                f"extensions-{n}-condition": extension["condition"],
                f"extensions-{n}-steps": "\n".join(
                    f"{s['actor']}: {s['text']}" for s in extension["steps"]
                ),
            }
        )
    post.update(overrides)
    return post


def test_use_case_page_shows_steps_extensions_and_signoffs(client, world, usecase):
    services.signoff_give(document=usecase, verdict="agree", remarks="", author=world.contributor)
    response = client.get(url("detail", usecase))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Collects the wishes of the teachers." in html
    assert "3a" in html and "A teacher disagrees." in html
    assert "open Contributing College" in html


def test_reorder_and_add_steps_without_javascript(client, world, usecase):
    client.force_login(world.contributor)
    data = selectors.usecase_data(usecase)
    response = client.post(url("edit", usecase), edit_post(usecase, data, row="down:steps:0"))
    assert response.status_code == 200
    steps = [f.initial["text"] for f in response.context["step_formset"]]
    assert steps[:2] == ["Drafts the roster.", "Collects the wishes of the teachers."]
    response = client.post(url("edit", usecase), edit_post(usecase, data, row="add:steps"))
    assert len(response.context["step_formset"].forms) == 4
    assert selectors.usecase_data(usecase) == data  # nothing saved yet

    data["steps"] = [data["steps"][1], data["steps"][0], data["steps"][2]]
    data["steps"].append({"id": "", "actor": "Teacher", "text": "Publishes the roster."})
    response = client.post(url("edit", usecase), edit_post(usecase, data, save="1"))
    assert response.status_code == 302
    saved = selectors.usecase_data(usecase)
    assert [s["text"] for s in saved["steps"]] == [
        "Drafts the roster.",
        "Collects the wishes of the teachers.",
        "Checks the draft.",
        "Publishes the roster.",
    ]
    assert saved["extensions"][0]["steps"][0]["id"] == "x1"


def test_stale_edit_of_the_same_field_shows_the_submitted_text(client, world, usecase):
    client.force_login(world.contributor)
    data = selectors.usecase_data(usecase)
    post = edit_post(usecase, data, trigger="Mine.", save="1")
    services.usecase_save(
        document=usecase,
        data=sample(trigger="Theirs."),
        base_version_id=usecase.head_id,
        author=world.lead,
    )
    response = client.post(url("edit", usecase), post)
    assert response.status_code == 409
    assert "Mine." in response.content.decode()
    assert selectors.usecase_data(usecase)["trigger"] == "Theirs."


@pytest.mark.parametrize("role", ["observer", "outsider"])
def test_observer_cannot_edit_or_sign_off_through_the_web(client, world, usecase, role):
    client.force_login(world.person(role))
    assert client.get(url("edit", usecase)).status_code == 403
    response = client.post(url("signoffs", usecase), {"verdict": "agree"})
    assert response.status_code == 403
    assert not SignOff.objects.exists()


def test_other_programmes_use_case_is_not_found(client, world, usecase, closed_world):
    client.force_login(closed_world.contributor)
    other = reverse("usecases:detail", args=[closed_world.programme.slug, usecase.slug])
    assert client.get(other).status_code == 404
    client.force_login(world.outsider)
    hidden = reverse("usecases:overview", args=[closed_world.programme.slug])
    assert client.get(hidden).status_code == 404


def test_signing_off_through_the_web_shows_in_the_overview(client, world, usecase):
    client.force_login(world.contributor)
    response = client.post(url("signoffs", usecase), {"verdict": "object", "remarks": ""})
    assert response.status_code == 200
    assert "Say why your organisation objects." in response.content.decode()
    response = client.post(url("signoffs", usecase), {"verdict": "remarks", "remarks": "Ok."})
    assert response.status_code == 302
    overview = client.get(reverse("usecases:overview", args=[world.programme.slug]))
    assert "Agree with remarks" in overview.content.decode()


def test_import_page_names_the_wrong_line(client, world, work_process):
    client.force_login(world.contributor)
    response = client.post(
        reverse("usecases:import", args=[world.programme.slug]),
        {"parent": work_process.pk, "text": "# T\n\n## Main success scenario\n\nhello\n"},
    )
    assert response.status_code == 200
    assert "Line 5:" in response.content.decode()


def test_export_downloads_the_markdown(client, world, usecase):
    response = client.get(url("export", usecase))
    assert response["Content-Type"].startswith("text/markdown")
    assert response.content.decode() == usecase.body


def test_glossary_term_is_marked_and_lists_its_usage(client, world, usecase):
    client.force_login(world.contributor)
    client.post(
        reverse("usecases:glossary", args=[world.programme.slug]),
        {"term": "Roster", "definition": "Who is where, when."},
    )
    term = Term.objects.get()
    html = client.get(url("detail", usecase)).content.decode()
    assert 'class="glossary-term"' in html and 'data-definition="Who is where, when."' in html
    page = client.get(term.get_absolute_url()).content.decode()
    assert usecase.title in page


def test_glossary_hover_names_the_readers_own_word_for_the_term(
    client, world, usecase, make_document
):
    term = services.term_save(
        programme=world.programme, term="Roster", definition="Who is where.", author=world.lead
    )
    services.local_word_save(term=term, word="Lesrooster", author=world.contributor)
    page = make_document(world, title="Plan", body="The roster of the week.\n")
    own = f"Who is where. ({world.contributing_org.name} calls this “Lesrooster”)"
    client.force_login(world.contributor)
    for address in (page.get_absolute_url(), url("detail", usecase)):
        assert f'data-definition="{own}"' in client.get(address).content.decode(), address
    client.force_login(world.observer)  # another organisation: the definition alone
    html = client.get(page.get_absolute_url()).content.decode()
    assert 'data-definition="Who is where."' in html and "Lesrooster”" not in html


def test_variant_through_the_web(client, world, usecase):
    client.force_login(world.contributor)
    response = client.post(
        url("variant", usecase),
        {
            "target": "s2",
            "text": "Bij ons keurt de teamleider.",
            "base_version_id": usecase.head_id,
        },
    )
    assert response.status_code == 302
    html = client.get(url("detail", usecase)).content.decode()
    assert "Bij ons keurt de teamleider." in html
    overview = client.get(reverse("usecases:overview", args=[world.programme.slug]))
    assert overview.context["overview"].rows[-1][1].variant_count == 1


def test_actor_and_technical_word_pages(client, world, usecase):
    client.force_login(world.contributor)
    actors = reverse("usecases:actors", args=[world.programme.slug])
    response = client.post(actors, {"name": "Student", "description": "Learns."})
    assert response.status_code == 302
    page = client.get(reverse("usecases:actor", args=[world.programme.slug, "teacher"]))
    assert usecase.title in page.content.decode()
    words = reverse("usecases:technical_words", args=[world.programme.slug])
    assert client.post(words, {"words": "database"}).status_code == 403
    client.force_login(world.lead)
    assert client.post(words, {"words": "database\nknop"}).status_code == 302
    assert selectors.technical_words(world.programme) == ["database", "knop"]


def test_detail_check_while_editing_saves_nothing(client, world, usecase, technical):
    client.force_login(world.contributor)
    data = selectors.usecase_data(usecase)
    data["steps"][0]["text"] = "Opens the database."
    response = client.post(
        reverse("usecases:check", args=[world.programme.slug]), edit_post(usecase, data)
    )
    assert response.status_code == 200
    assert "“database”" in response.content.decode()
    assert selectors.usecase_data(usecase)["steps"][0]["text"] != "Opens the database."


def test_hostile_markdown_imported_through_the_web_renders_safely(client, world, work_process):
    from tests.usecases.test_markdown import HOSTILE

    client.force_login(world.contributor)
    response = client.post(
        reverse("usecases:import", args=[world.programme.slug]),
        {"parent": work_process.pk, "text": HOSTILE},
    )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    for bad in ("<script>alert", "<img src=x", 'href="javascript:', "onclick=", "<iframe"):
        assert bad not in html
    assert "Opens" in html


def test_template_tags_for_wiki_pages(rf, world, usecase, work_process):
    from django.template import Context, Template

    services.signoff_give(document=usecase, verdict="agree", remarks="", author=world.contributor)
    request = rf.get("/")
    request.user = world.contributor
    template = Template(
        "{% load usecases_tags %}{% document_panel document %}{% usecase_tree process %}"
    )
    html = template.render(
        Context({"request": request, "document": usecase, "process": work_process.parent})
    )
    assert "open Contributing College" in html
    assert "Make the weekly roster" in html and "Rooster maken" in html


def test_plain_text_use_case_keeps_its_text_when_given_fields(
    client, world, work_process, make_document
):
    from wiki.models import Document

    plain = make_document(
        world,
        title="Rooster publiceren",
        body="**Actor:** roostermaker\n\n1. Keurt goed.\n",
        kind=Document.Kind.USE_CASE,
        parent=work_process,
    )
    detail = client.get(url("detail", plain)).content.decode()
    assert "Keurt goed." in detail
    client.force_login(world.contributor)
    edit = client.get(url("edit", plain)).content.decode()
    assert "**Actor:** roostermaker" in edit


def test_organisation_can_withdraw_its_signoff(client, world, usecase):
    services.signoff_give(document=usecase, verdict="agree", remarks="", author=world.contributor)
    client.force_login(world.observer)
    assert client.post(url("signoffs", usecase), {"withdraw": "1"}).status_code == 403
    assert SignOff.objects.count() == 1
    client.force_login(world.contributor)
    assert client.post(url("signoffs", usecase), {"withdraw": "1"}).status_code == 302
    assert not SignOff.objects.exists()


def test_a_changed_vision_is_marked_on_the_main_processes(client, world, make_document):
    from wiki import services as wiki_services
    from wiki.models import Document

    vision = make_document(world, title="Visie", kind=Document.Kind.VISION, body="Samen.\n")
    main = make_document(world, title="Onderwijs plannen", kind=Document.Kind.MAIN_PROCESS)
    marker = "The document above this one, “Visie”, changed since this one was last edited."
    assert marker not in client.get(main.get_absolute_url()).content.decode()
    wiki_services.document_save(
        document=vision, body="Samen en open.\n", base_version_id=vision.head_id, author=world.lead
    )
    html = client.get(main.get_absolute_url()).content.decode()
    assert marker in html
    assert reverse("wiki:diff", args=[world.programme.slug, vision.slug]) in html
    page = make_document(world, title="Notities", kind=Document.Kind.PAGE)  # traces to nothing
    assert "The document above this one" not in client.get(page.get_absolute_url()).text
