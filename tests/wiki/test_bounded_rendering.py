"""Rendering has bounds: whatever a person types renders soon, never raises and is kept; a saved
version's rendering is stored with it and its pages show that without rendering again."""

import html
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from wiki import markdown_guard, rendering, services
from wiki.models import Rendering

from .pathological import corpus

NESTED_EMPHASIS = "*" * 2000 + "a" + "*" * 2000
BRACKETS = "[" * 2000 + "x" + "]" * 2000


@pytest.mark.parametrize("size", [10_000, 500_000], ids=["10kB", "500kB"])
def test_every_pathological_text_renders_and_is_kept(size):
    for name, text in corpus(size).items():
        outcome = rendering.render_markdown(text)
        assert isinstance(outcome.html, str), name
        if not outcome.formatted:
            assert html.unescape(outcome.html) == f'<pre class="unformatted">{text}</pre>', name


@pytest.mark.parametrize("name", list(corpus(10_000)))
def test_pathological_text_is_saved_and_its_pages_answer(client, world, make_document, name):
    text = corpus(50_000)[name]
    document = make_document(world, title="Patho", body=text)
    document.refresh_from_db()
    assert document.body == text
    client.force_login(world.contributor)
    assert client.get(document.get_absolute_url()).status_code == 200
    api = f"/api/v1/programmes/{world.programme.slug}/documents/{document.slug}/"
    assert client.get(api).status_code == 200
    preview = client.post(reverse("wiki:preview", args=[world.programme.slug]), {"body": text})
    assert preview.status_code == 200


def test_nested_emphasis_is_shown_as_typed_with_a_notice(client, world, make_document):
    document = make_document(world, title="Sterren", body=NESTED_EMPHASIS)
    page = client.get(document.get_absolute_url())
    assert page.status_code == 200
    assert "shown as typed" in page.text
    assert NESTED_EMPHASIS in page.text
    document.refresh_from_db()
    assert document.body == NESTED_EMPHASIS


def test_runs_of_brackets_are_shown_as_typed(world, make_document):
    document = make_document(world, title="Haken", body=BRACKETS)
    assert Rendering.objects.get(version_id=document.head_id).unformatted == "nesting"


def test_the_budget_interrupts_what_the_precheck_lets_through():
    """A text the pre-check passes, with a budget too small for it: shown as typed."""
    outcome = markdown_guard.render(
        "*a* " * 1000,
        rendering._markdown,
        rendering.sanitise,
        budget=markdown_guard.Budget(steps=100),
    )
    assert outcome.reason == markdown_guard.Reason.BUDGET


def test_the_budget_interrupts_the_raw_html_parser():
    md = markdown_guard.guard(rendering._markdown(), markdown_guard.Budget(steps=50))
    with pytest.raises(markdown_guard.Unrenderable):
        md.preprocessors["html_block"].run(["<div>"] + ["<p>a</p>"] * 100 + ["</div>"])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (NESTED_EMPHASIS, "depth"),
        (BRACKETS, "nesting"),
        ("[a](" * 100, "nesting"),
        (">" * 100, "depth"),
        ("".join("    " * i + "- a\n" for i in range(40)), "depth"),
        ("".join("`" * i + " x " for i in range(1, 3000)), "backticks"),
        ("<a " * 3000, "html"),
        ("|" + "a|" * 300, "width"),
        ("&amp;" * 20_000, "dense"),
    ],
    ids=["emphasis", "brackets", "links", "quotes", "lists", "backticks", "tags", "table", "dense"],
)
def test_the_precheck_names_each_costly_shape(text, reason):
    assert markdown_guard.precheck(text) == reason


def test_the_precheck_passes_what_people_write():
    text = "# Kop\n\n*a* **b** [c](https://x.test) `d` <b>e</b> &amp;\n\n> f\n\n- g\n    - h\n"
    assert markdown_guard.precheck(text * 1000) is None
    assert rendering.render_markdown(text).formatted


def test_recursion_the_precheck_misses_is_shown_as_typed(monkeypatch):
    monkeypatch.setattr(markdown_guard, "precheck", lambda text: None)
    outcome = rendering.render_markdown(NESTED_EMPHASIS)
    assert outcome.reason == markdown_guard.Reason.DEPTH
    assert NESTED_EMPHASIS in outcome.html


def test_deep_html_is_not_given_to_the_sanitiser():
    outcome = rendering.render_markdown("<div>" * 300 + "a" + "</div>" * 300)
    assert outcome.reason == markdown_guard.Reason.HTML


def test_a_saved_version_carries_its_rendering(world, make_document):
    document = make_document(world, title="Opgeslagen", body="# Opgeslagen\n\n*een* [[Elders]]")
    stored = Rendering.objects.get(version_id=document.head_id)
    assert stored.renderer_version == rendering.RENDERER_VERSION
    assert "<em>een</em>" in stored.html
    assert 'data-wikilink="Elders"' in stored.html
    assert stored.lead_heading == "Opgeslagen"
    services.document_save(
        document=document, body="*twee*", base_version_id=document.head_id, author=world.lead
    )
    document.refresh_from_db()
    assert "<em>twee</em>" in Rendering.objects.get(version_id=document.head_id).html


def test_the_page_view_does_not_render(client, world, make_document, monkeypatch):
    document = make_document(world, title="Snel", body="# Snel\n\n**vet** en [[Snel]]")

    def no_rendering(*args, **kwargs):
        raise AssertionError("the page rendered markdown")

    monkeypatch.setattr(markdown_guard, "render", no_rendering)
    page = client.get(document.get_absolute_url())
    assert page.status_code == 200
    assert "<strong>vet</strong>" in page.text
    assert f'href="{document.get_absolute_url()}" class="wikilink"' in page.text
    api = f"/api/v1/programmes/{world.programme.slug}/documents/{document.slug}/"
    client.force_login(world.contributor)
    assert "<strong>vet</strong>" in client.get(api).json()["html"]


def test_the_page_leaves_out_a_heading_that_repeats_the_title(client, world, make_document):
    document = make_document(world, title="Visie", body="# Visie\n\nTekst.")
    prose = client.get(document.get_absolute_url()).text.split('<div class="prose">')[1]
    assert "<h1" not in prose.split("</div>")[0]


def test_stored_wiki_links_follow_the_documents_that_exist(client, world, make_document):
    document = make_document(world, title="Bron", body="Zie [[Later]].")
    missing = reverse("wiki:create", args=[world.programme.slug]) + "?title=Later"
    assert missing in client.get(document.get_absolute_url()).text
    later = make_document(world, title="Later")
    page = client.get(document.get_absolute_url()).text
    assert f'href="{later.get_absolute_url()}" class="wikilink"' in page


def test_a_version_without_a_stored_rendering_gets_one_when_shown(client, world, make_document):
    document = make_document(world, title="Oud", body="*oud*")
    Rendering.objects.all().delete()
    page = client.get(document.get_absolute_url())
    assert "<em>oud</em>" in page.text
    assert Rendering.objects.filter(version_id=document.head_id).exists()


def test_a_rendering_of_an_older_renderer_is_made_anew(client, world, make_document):
    document = make_document(world, title="Ouder", body="*nieuw*")
    Rendering.objects.update(renderer_version=rendering.RENDERER_VERSION - 1, html="stale")
    assert "<em>nieuw</em>" in client.get(document.get_absolute_url()).text
    stored = Rendering.objects.get(version_id=document.head_id)
    assert stored.renderer_version == rendering.RENDERER_VERSION


def test_render_versions_fills_what_is_missing_or_old(world, make_document):
    document = make_document(world, title="Alles", body="*alles*")
    Rendering.objects.all().delete()
    call_command("render_versions", stdout=io.StringIO())
    assert "<em>alles</em>" in Rendering.objects.get(version_id=document.head_id).html
