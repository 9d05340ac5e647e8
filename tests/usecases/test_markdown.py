import pytest

from tests.usecases.conftest import sample
from usecases import selectors, services, structure
from usecases.glossary import GlossaryEntry, mark_terms
from usecases.models import UseCase
from wiki.models import Document
from wiki.rendering import markdown_to_html

pytestmark = pytest.mark.django_db


def test_markdown_round_trip_gives_the_same_use_case(world, usecase, work_process):
    services.variant_save(
        document=usecase,
        target="x1",
        text="Bij ons beslist de teamleider.",
        base_version_id=usecase.head_id,
        author=world.contributor,
    )
    usecase.refresh_from_db()
    exported = usecase.body
    imported = services.usecase_import(
        programme=world.programme, parent=work_process, text=exported, author=world.contributor
    )
    assert imported.title == usecase.title
    original = structure.comparable(selectors.usecase_data(usecase))
    copy = structure.comparable(selectors.usecase_data(imported))
    assert copy == original
    assert copy["variants"] == [
        ("3a1", world.contributing_org.pk, "Bij ons beslist de teamleider.")
    ]
    assert imported.body == exported


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Make the roster\n", 1, "title"),
        ("# T\n\nColour: blue\n", 3, "Goal level"),
        ("# T\n\n- Goal level: tiny\n", 3, "goal level"),
        ("# T\n\n## Main success scenario\n\n1. A: b\nnot a step\n", 6, "numbered step"),
        ("# T\n\n## Main success scenario\n1. A: b\n\n## Extensions\n### 4a. x\n", 7, "step"),
        ("# T\n\n## Main success scenario\n1. A: b\n   > Variant (Nobody): x\n", 5, "Nobody"),
    ],
)
def test_malformed_markdown_names_the_line_and_imports_nothing(
    world, work_process, text, line, words
):
    before = Document.objects.count()
    with pytest.raises(structure.MarkdownError) as caught:
        services.usecase_import(
            programme=world.programme, parent=work_process, text=text, author=world.contributor
        )
    assert caught.value.line == line
    assert f"Line {line}:" in str(caught.value)
    assert words in str(caught.value)
    assert Document.objects.count() == before
    assert not UseCase.objects.exists()


HOSTILE = """# <img src=x onerror=alert(1)>Plan

- Goal level: User goal
- Primary actor: <script>alert(1)</script>

## Trigger

<script>alert("x")</script> [click](javascript:alert(1)) <iframe src="https://evil"></iframe>

## Main success scenario

1. Teacher: Opens <a href="javascript:alert(1)" onclick="steal()">this</a>.
"""


def test_hostile_markdown_import_is_sanitised(world, work_process):
    document = services.usecase_import(
        programme=world.programme, parent=work_process, text=HOSTILE, author=world.contributor
    )
    html = markdown_to_html(document.body)
    for bad in ("<script", "onerror", "onclick", "javascript:", "<iframe"):
        assert bad not in html
    assert "Opens" in html


def test_glossary_marks_terms_without_breaking_safety():
    html = markdown_to_html(
        "The rooster is made. See [rooster](https://x.test) and `rooster`.\n\n## Rooster"
    )
    entry = GlossaryEntry(("rooster", "lesplanning"), 'Who is where "when" <b>', "/p/x/glossary/r/")
    marked = mark_terms(html, [entry])
    assert marked.count('class="glossary-term"') == 1
    assert 'title="Who is where &quot;when&quot; &lt;b&gt;"' in marked
    assert '<a href="https://x.test" rel="noopener noreferrer nofollow">rooster</a>' in marked
    assert "<code>rooster</code>" in marked


def test_export_matches_the_body(world, usecase):
    data = selectors.usecase_data(usecase)
    assert structure.to_markdown(usecase.title, data) == usecase.body
    assert structure.from_markdown(usecase.body)[0] == "Make the weekly roster"
    assert structure.comparable(structure.from_markdown(usecase.body)[1]) == structure.comparable(
        structure.normalise(sample())
    )
