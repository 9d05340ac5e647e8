"""Process diagrams as text: a ```mermaid block becomes a diagram figure that holds its source,
escaped like any code; the diff knows which diagrams changed."""

from wiki import rendering
from wiki.diagrams import diagram_sources, diagrams_compared

FLOW = "```mermaid\nflowchart LR\n  A[Start] --> B[Klaar]\n```\n"


def test_a_mermaid_block_becomes_a_diagram_that_holds_its_source():
    html = rendering.markdown_to_html("Voor.\n\n" + FLOW)
    assert '<div class="diagram"><pre class="diagram-source">' in html
    assert "A[Start] --&gt; B[Klaar]" in html


def test_other_code_blocks_stay_code():
    html = rendering.markdown_to_html("```python\nprint(1)\n```\n")
    assert "diagram" not in html


def test_markup_in_a_diagram_stays_text():
    html = rendering.markdown_to_html(
        "```mermaid\nflowchart LR\n"
        "  A[<img src=x onerror=alert(1)>] --> B[<script>x</script>]\n```\n"
    )
    assert "<img" not in html and "<script" not in html
    assert "&lt;script&gt;" in html


def test_the_diff_pairs_the_diagrams_that_changed():
    old = "Tekst.\n\n" + FLOW + "\n" + FLOW
    new = "Tekst.\n\n" + FLOW + "\n" + FLOW.replace("Klaar", "Gereed") + "\n~~~mermaid\npie\n~~~\n"
    assert len(diagram_sources(new)) == 3
    assert diagrams_compared(old, new) == [
        (diagram_sources(old)[1], diagram_sources(new)[1]),
        ("", "pie"),
    ]
    assert diagrams_compared(old, old) == []
