"""Markdown sanitising against hostile input, through the renderer and through the document
page a person opens. Whatever the input: no script, no style, no event handler, no
`javascript:`/`vbscript:`/`data:` URL survives, in any markdown form, case or encoding."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from wiki import rendering

HOSTILE = {
    "script tag": "<script>alert(1)</script>",
    "script tag mixed case": "<ScRiPt SRC=//evil.example/x.js></sCrIpT>",
    "script in paragraph": "Hallo <script>alert(1)</script> wereld",
    "img onerror": "<img src=x onerror=alert(1)>",
    "img onerror mixed case": '<IMG SRC="x" OnErRoR="alert(1)">',
    "img javascript src": "<IMG SRC=\"javascript:alert('XSS');\">",
    "a javascript href": '<a href="javascript:alert(1)">x</a>',
    "a onclick": '<a href="#" onclick="alert(1)">x</a>',
    "p onmouseover": "<p onmouseover=alert(1)>x</p>",
    "markdown link javascript": "[klik](javascript:alert(1))",
    "markdown link mixed case": "[klik](JaVaScRiPt:alert(1))",
    "markdown link with spaces": "[klik](  javascript:alert(1) )",
    "markdown link angle brackets": "[klik](<javascript:alert(1)>)",
    "markdown link vbscript": "[klik](vbscript:msgbox(1))",
    "markdown link data html": "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "markdown link with title": '[klik](javascript:alert(1) "titel")',
    "markdown image javascript": "![plaatje](javascript:alert(1))",
    "markdown image data svg": "![plaatje](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "markdown image vbscript": "![plaatje](VBScript:msgbox(1))",
    "reference link javascript": "[klik][ref]\n\n[ref]: javascript:alert(1)",
    "reference image data": "![plaatje][ref]\n\n[ref]: data:image/png;base64,AAAA",
    "autolink javascript": "<javascript:alert(1)>",
    "entity encoded scheme": "[klik](&#106;avascript:alert(1))",
    "hex entity scheme": "[klik](&#x6A;avascript&#x3A;alert(1))",
    "entity in html href": (
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>'
    ),
    "tab in scheme": "[klik](java&#x09;script:alert(1))",
    "newline in html href": '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    "leading control char": '<a href="&#x01;javascript:alert(1)">x</a>',
    "data href in html": '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "data img in html": '<img src="data:image/png;base64,iVBORw0KGgo=">',
    "svg onload": "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "svg xlink": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "svg animate": "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "math mutation": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "iframe": '<iframe src="javascript:alert(1)"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="javascript:alert(1)">',
    "form action": '<form action="javascript:alert(1)"><button>x</button></form>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base href": '<base href="javascript:alert(1)//">',
    "style tag": "<style>body{background:url(javascript:alert(1))}</style>",
    "style attribute": '<div style="background:url(javascript:alert(1))">x</div>',
    "link stylesheet": '<link rel="stylesheet" href="javascript:alert(1)">',
    "wiki link hostile title": "[[<script>alert(1)</script>]]",
    "wiki link hostile label": "[[Visie|<img src=x onerror=alert(1)>]]",
    "wiki link quote breaking": '[[x" onmouseover="alert(1)]]',
    "heading id breaking": '## x" onmouseover="alert(1)',
    "table cell handler": "| a |\n|---|\n| <td onclick=alert(1)>b</td> |",
    "html comment trick": "<!-- --><script>alert(1)</script><!-- -->",
    "unclosed attribute": '<a href="x" title="<script>alert(1)</script>">x</a>',
    "nested markdown in html": '<div markdown="1">[x](javascript:alert(1))</div>',
    "fenced code script stays text": "```html\n<script>alert(1)</script>\n```",
    "inline code handler stays text": "`<img src=x onerror=alert(1)>`",
}

FORBIDDEN_TAGS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "form",
    "input",
    "button",
    "meta",
    "base",
    "link",
    "animate",
}
SAFE_URL = re.compile(r"^(https?:|mailto:|/|#|\?|[\w.\-~%]+(?:[/?#]|$))", re.IGNORECASE)


class Audit(HTMLParser):
    """Collects every tag and attribute, with entities already decoded, as a browser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"handler {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"style on <{tag}>")
            if name in {"href", "src", "xlink:href", "action", "formaction", "data"}:
                url = re.sub(r"[\x00-\x20]", "", value or "")
                if not SAFE_URL.match(url) or re.match(r"(?i)(java|vb)script:|data:", url):
                    self.problems.append(f"unsafe {name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def problems_in(html: str) -> list[str]:
    audit = Audit()
    audit.feed(html)
    audit.close()
    return audit.problems


def test_audit_catches_what_it_should():
    """The checker itself: it must see the attacks it is meant to find."""
    assert problems_in('<a href="javascript:alert(1)">x</a>')
    assert problems_in('<a href="&#106;avascript:alert(1)">x</a>')
    assert problems_in("<img src=x onerror=alert(1)>")
    assert problems_in("<script>alert(1)</script>")
    assert problems_in('<img src="data:image/png;base64,AAAA">')
    assert not problems_in('<a href="/p/x/d/y/">x</a><a href="https://example.org">y</a>')


@pytest.mark.parametrize("markdown", HOSTILE.values(), ids=HOSTILE.keys())
def test_renderer_removes_every_hostile_construct(markdown):
    html = rendering.markdown_to_html(markdown)
    assert problems_in(html) == []


@pytest.mark.parametrize("markdown", HOSTILE.values(), ids=HOSTILE.keys())
def test_renderer_with_wiki_links_removes_every_hostile_construct(world, markdown):
    html = rendering.render_for_programme(world.programme, markdown)
    assert problems_in(html) == []


def test_code_blocks_keep_hostile_text_visible_but_inert():
    html = rendering.markdown_to_html("```\n<script>alert(1)</script>\n```")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_safe_markdown_keeps_its_meaning():
    html = rendering.markdown_to_html(
        "# Kop\n\n**vet** *schuin* [link](https://example.org) ![beeld](https://example.org/a.png)"
        "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    assert '<h1 id="kop">Kop</h1>' in html
    assert "<strong>vet</strong>" in html and "<em>schuin</em>" in html
    assert 'href="https://example.org"' in html
    assert 'src="https://example.org/a.png"' in html
    assert "<table>" in html


def test_wiki_links_resolve_within_the_programme(world, closed_world, make_document):
    target = make_document(world, title="Onderwijsvisie")
    make_document(closed_world, title="Geheim")
    html = rendering.render_for_programme(world.programme, "[[Onderwijsvisie]] en [[Geheim]]")
    assert f'href="{target.get_absolute_url()}"' in html
    missing = reverse("wiki:create", args=[world.programme.slug]) + "?title=Geheim"
    assert missing in html  # another programme's document does not resolve


def _prose(page: str) -> str:
    start = page.index('<div class="prose">')
    end = page.index('id="discussion"')
    return page[start:end]


def test_document_page_shows_hostile_input_harmlessly(client, world, make_document):
    body = "\n\n".join(HOSTILE.values())
    document = make_document(world, title="Aanval", body=body)
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    assert problems_in(_prose(response.text)) == []


def test_old_version_page_shows_hostile_input_harmlessly(client, world, make_document):
    document = make_document(world, title="Aanval", body="\n\n".join(HOSTILE.values()))
    path = reverse("wiki:version", args=[world.programme.slug, document.slug, document.head_id])
    page = client.get(path).text
    prose = page[page.index('<div class="prose">') :]
    assert problems_in(prose.split("</article>")[0]) == []


def test_live_preview_is_sanitised_like_the_page(client, world):
    client.force_login(world.contributor)
    response = client.post(
        reverse("wiki:preview", args=[world.programme.slug]),
        {"body": "\n\n".join(HOSTILE.values())},
    )
    assert response.status_code == 200
    assert problems_in(response.text) == []
