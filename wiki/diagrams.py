"""Process diagrams as text: a fenced ```mermaid block of a document's markdown.

The diagram stays text in the document (history and diff show its changes line by line). The
renderer (`wiki.rendering`) turns the fenced block into a figure that holds the source as a code
block; in the browser, static/js/diagrams.js draws it with Mermaid (pinned in package.json,
served as our own static file, `securityLevel: 'strict'`) and shows the picture instead, or the
source with the parser's message when it does not parse. A browser without JavaScript shows the
source; the exports, which run no script, have the server draw them (`wiki.drawing`).
"""

import html as html_lib
import re
from collections.abc import Callable

# Python-Markdown's fenced_code writes a ```mermaid block as this; nh3 keeps the class.
FENCE_HTML = re.compile(
    r'<pre><code class="language-mermaid">(?P<source>.*?)</code></pre>', re.DOTALL
)
FENCE_TEXT = re.compile(
    r"^(?P<fence>`{3,}|~{3,})[ \t]*mermaid[ \t]*\n(?P<source>.*?)^(?P=fence)[ \t]*$",
    re.DOTALL | re.MULTILINE,
)


def diagrams_mark(html: str) -> str:
    """Sanitised HTML with each mermaid code block wrapped as a diagram figure. The source stays
    the escaped text the sanitiser let through; only fixed markup is added around it."""
    return FENCE_HTML.sub(
        r'<div class="diagram"><pre class="diagram-source">'
        r'<code class="language-mermaid">\g<source></code></pre></div>',
        html,
    )


FIGURE_HTML = re.compile(
    r'<div class="diagram"><pre class="diagram-source">'
    r'<code class="language-mermaid">(?P<source>.*?)</code></pre></div>',
    re.DOTALL,
)


def diagram_sources_html(html: str) -> list[str]:
    """The sources of the diagram figures (`diagrams_mark`) of sanitised HTML, unescaped."""
    return [html_lib.unescape(m.group("source")) for m in FIGURE_HTML.finditer(html or "")]


def diagrams_replace(html: str, figure: Callable[[str], str]) -> str:
    """Sanitised HTML with each diagram figure replaced by `figure(source)`'s markup."""
    return FIGURE_HTML.sub(lambda m: figure(html_lib.unescape(m.group("source"))), html or "")


def diagram_sources(text: str) -> list[str]:
    """The sources of the diagrams in a markdown text, in order."""
    return [m.group("source").rstrip("\n") for m in FENCE_TEXT.finditer(text or "")]


def diagrams_compared(old_text: str, new_text: str) -> list[tuple[str, str]]:
    """Pairs (old source, new source) of the diagrams that differ between two texts, matched by
    their place in the text; a diagram only one side has is paired with ""."""
    old, new = diagram_sources(old_text), diagram_sources(new_text)
    pairs = []
    for n in range(max(len(old), len(new))):
        left = old[n] if n < len(old) else ""
        right = new[n] if n < len(new) else ""
        if left != right:
            pairs.append((left, right))
    return pairs
