"""The annex's HTML as a Word document (python-docx), with Word's own styles.

A buyer pastes the annex into a tender template, so what matters is structure Word knows: the
headings are "Heading 1" to "Heading 6" (their numbers 1, 1.1, 1.1.1 are part of the text, as
in the PDF), the table of contents is Word's own field (Word fills in the page numbers when the
document is opened), tables use "Table Grid" with a repeating header row, quotes "Quote", lists
"List Bullet" and numbered paragraphs, and an organisation's variant of a step the paragraph
style "Variant". The running header and the "page x of y" footer are fields too.

The HTML is the annex's own (`timeboxes/annex/annex.html`) with documents' text that
`wiki.rendering` sanitised, so only its few elements are handled; anything else passes its text
on. Pictures are embedded when they are `data:` URLs or this site's media or static files.
"""

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import docx
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from .resources import local_resource

VOID = {"br", "hr", "img", "meta", "link", "input"}
BLOCKS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "blockquote", "pre",
    "div", "section", "nav", "main", "article", "header", "footer", "dl", "dt", "dd", "hr",
    "thead", "tbody", "tfoot", "tr", "td", "th", "caption",
}  # fmt: skip
SKIP = {"head", "style", "script", "title"}
SPACE = re.compile(r"\s+")
LANGUAGES = {"nl": "nl-NL", "en": "en-GB"}


@dataclass
class Node:
    tag: str
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)  # Nodes and strings

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        parts = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text())
        return "".join(parts)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


@dataclass
class Labels:
    """The texts of the header and footer, in the annex's language."""

    running_header: str
    page_of: str  # "Page %(page)s of %(pages)s"
    language: str
    title: str
    subject: str


def annex_docx(html: str, labels: Labels) -> bytes:
    document = docx.Document()
    _setup(document, labels)
    writer = _Writer(document)
    writer.blocks(parse(html))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- the document's frame ----------------------------------------------------------------------


def _setup(document, labels: Labels) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(22)
    section.different_first_page_header_footer = True  # the title page has neither
    header = section.header.paragraphs[0]
    header.text = labels.running_header
    header.style = document.styles["Header"]
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    footer.alignment = 2  # right
    for part in re.split(r"(%\(page\)s|%\(pages\)s)", labels.page_of):
        if part == "%(page)s":
            _field(footer, "PAGE", "1")
        elif part == "%(pages)s":
            _field(footer, "NUMPAGES", "1")
        elif part:
            footer.add_run(part)
    styles = document.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10)
    _language(normal, LANGUAGES.get(labels.language, labels.language))
    variant = styles.add_style("Variant", 1)
    variant.base_style = normal
    variant.paragraph_format.left_indent = Cm(1.5)
    variant.paragraph_format.space_before = Pt(2)
    variant.paragraph_format.space_after = Pt(2)
    _left_border(variant, "C47F00")
    step = styles.add_style("Step", 1)
    step.base_style = styles["List Paragraph"]
    step.paragraph_format.left_indent = Cm(1)
    step.paragraph_format.first_line_indent = Cm(-1)
    step.paragraph_format.space_after = Pt(2)
    properties = document.core_properties
    properties.title = labels.title
    properties.subject = labels.subject
    properties.language = LANGUAGES.get(labels.language, labels.language)
    _update_fields_on_open(document)


def _field(paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES, TOC) in `paragraph`, showing `shown` until Word updates it."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    text = OxmlElement("w:t")
    text.text = shown
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, separate, text, end):
        run._r.append(element)


def _language(style, code: str) -> None:
    properties = style.element.get_or_add_rPr()
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), code)
    properties.append(language)


def _left_border(style, color: str) -> None:
    properties = style.element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    left = OxmlElement("w:left")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "6"), ("w:color", color)):
        left.set(qn(key), value)
    borders.append(left)
    properties.append(borders)


def _update_fields_on_open(document) -> None:
    """Word fills in the table of contents and the page numbers when it opens the document."""
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


# --- the content -------------------------------------------------------------------------------


class _Writer:
    def __init__(self, document) -> None:
        self.document = document
        self.first_chapter = True

    # blocks

    def blocks(self, node: Node, container=None) -> None:
        container = container if container is not None else self.document
        loose: list = []  # inline content between blocks

        def flush():
            if any((c.strip() if isinstance(c, str) else True) for c in loose):
                paragraph = container.add_paragraph()
                self.inline(paragraph, Node("span", children=list(loose)))
            loose.clear()

        for child in node.children:
            if isinstance(child, str) or child.tag not in BLOCKS | SKIP | {"body", "html"}:
                if isinstance(child, Node) and child.tag == "img":
                    flush()
                    self.picture(container, child)
                else:
                    loose.append(child)
                continue
            flush()
            self.block(child, container)
        flush()

    def block(self, node: Node, container) -> None:
        tag, classes = node.tag, node.classes
        if tag in SKIP:
            return
        if tag in {"html", "body", "main", "div", "article", "header", "footer"}:
            self.blocks(node, container)
        elif tag == "section":
            self.section(node, container)
        elif tag == "nav" and "toc" in classes:
            self.table_of_contents(node)
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.heading(node, int(tag[1]), container)
        elif tag == "p":
            style = None
            if "variant" in classes:
                style = "Variant"
            elif "subtitle" in classes:
                style = "Subtitle"
            elif classes & {"kicker", "document-meta", "meta"}:
                style = "Subtitle" if "kicker" in classes else None
            paragraph = container.add_paragraph(style=style)
            if classes & {"document-meta", "meta"}:
                self.inline(paragraph, node, italic=True)
            else:
                self.inline(paragraph, node)
        elif tag in {"ul", "ol", "dl"}:
            self.list(node, container, level=0)
        elif tag == "table":
            self.table(node, container)
        elif tag == "blockquote":
            for child in node.children:
                if isinstance(child, Node) and child.tag == "p":
                    self.inline(container.add_paragraph(style="Quote"), child)
                elif isinstance(child, Node):
                    self.block(child, container)
        elif tag == "pre":
            for line in node.text().rstrip("\n").split("\n"):
                run = container.add_paragraph(style="No Spacing").add_run(line)
                run.font.name = "Courier New"
        elif tag == "hr":
            container.add_paragraph("―" * 20)
        else:
            self.blocks(node, container)

    def section(self, node: Node, container) -> None:
        classes = node.classes
        if "title-page" in classes:
            self.title_page(node)
            return
        if classes & {"chapter"} or ("document" in classes and "level-1" in classes):
            self.page_break()
        self.blocks(node, container)

    def title_page(self, node: Node) -> None:
        for child in node.children:
            if not isinstance(child, Node):
                continue
            if child.tag == "h1":
                self.inline(self.document.add_paragraph(style="Title"), child)
            elif child.tag == "h2":
                paragraph = self.document.add_paragraph()
                self.inline(paragraph, child, bold=True)
            else:
                self.block(child, self.document)
        self.page_break()

    def page_break(self) -> None:
        """A page break, unless the last thing written is one (or an empty paragraph: the break
        goes there)."""
        body = self.document.element.body
        last = body[-2] if len(body) > 1 else None  # the last element is the section's sectPr
        if last is not None and last.tag == qn("w:p"):
            breaks = last.findall(".//" + qn("w:br"))
            text = "".join(t.text or "" for t in last.iter(qn("w:t")))
            if not text.strip():
                if any(b.get(qn("w:type")) == "page" for b in breaks):
                    return
                self.document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
                return
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def table_of_contents(self, node: Node) -> None:
        heading = next((c for c in node.children if isinstance(c, Node) and c.tag == "h1"), None)
        self.document.add_paragraph(heading.text().strip() if heading else "", "TOC Heading")
        _field(self.document.add_paragraph(), 'TOC \\o "1-3" \\h \\z \\u', " ")
        self.page_break()

    def heading(self, node: Node, level: int, container) -> None:
        if container is not self.document:
            paragraph = container.add_paragraph()
            self.inline(paragraph, node, bold=True)
            return
        paragraph = self.document.add_heading(level=level)
        self.inline(paragraph, node)

    def list(self, node: Node, container, *, level: int) -> None:
        number = int(node.attrs.get("start") or 1)
        ordered = node.tag == "ol"
        plain = "steps" in node.classes or ordered
        for item in node.children:
            if not isinstance(item, Node):
                continue
            if item.tag in {"dt", "dd"}:
                paragraph = container.add_paragraph()
                self.inline(paragraph, item, bold=item.tag == "dt")
                continue
            if item.tag != "li":
                continue
            style = "Step" if plain else ("List Bullet" if level == 0 else "List Bullet 2")
            paragraph = container.add_paragraph(style=style)
            if ordered and "steps" not in node.classes:
                paragraph.add_run(f"{number}.\t")
            number += 1
            inline = Node("span")
            for child in item.children:
                if isinstance(child, Node) and child.tag in {"ul", "ol"}:
                    self.inline(paragraph, inline)
                    inline = Node("span")
                    self.list(child, container, level=level + 1)
                elif isinstance(child, Node) and child.tag == "p" and "variant" in child.classes:
                    self.inline(paragraph, inline)
                    inline = Node("span")
                    self.inline(container.add_paragraph(style="Variant"), child)
                elif isinstance(child, Node) and child.tag == "p":
                    inline.children.extend([*child.children, " "])
                else:
                    inline.children.append(child)
            self.inline(paragraph, inline)

    def table(self, node: Node, container) -> None:
        rows: list[tuple[Node, bool]] = []

        def collect(parent: Node, head: bool) -> None:
            for child in parent.children:
                if not isinstance(child, Node):
                    continue
                if child.tag == "tr":
                    rows.append((child, head))
                elif child.tag in {"thead", "tbody", "tfoot"}:
                    collect(child, child.tag == "thead")

        collect(node, False)
        if not rows:
            return
        width = max(
            sum(int(c.attrs.get("colspan") or 1) for c in r.children if isinstance(c, Node))
            for r, _ in rows
        )
        table = container.add_table(rows=0, cols=max(width, 1))
        table.style = self.document.styles["Table Grid"]
        for tr, head in rows:
            row = table.add_row()
            if head:
                _repeat_header(row)
            cells = [c for c in tr.children if isinstance(c, Node) and c.tag in {"td", "th"}]
            column = 0
            for cell_node in cells:
                span = max(1, int(cell_node.attrs.get("colspan") or 1))
                cell = row.cells[column]
                if span > 1 and column + span <= width:
                    cell = cell.merge(row.cells[column + span - 1])
                column += span
                self.cell(cell, cell_node, bold=cell_node.tag == "th")
        self.document.add_paragraph()

    def cell(self, cell, node: Node, *, bold: bool) -> None:
        has_blocks = any(isinstance(c, Node) and c.tag in BLOCKS for c in node.children)
        first = cell.paragraphs[0]
        if not has_blocks:
            self.inline(first, node, bold=bold)
            return
        self.blocks(node, cell)
        if not first.text and len(cell.paragraphs) > 1:
            first._p.getparent().remove(first._p)

    def picture(self, container, node: Node) -> None:
        """A picture of the site; a drawn diagram by its PNG (`data-raster`, Word shows no
        SVG), no wider than it was drawn."""
        found = local_resource(node.attrs.get("data-raster") or node.attrs.get("src", ""))
        if found is None or not found[1].startswith(("image/png", "image/jpeg", "image/gif")):
            alt = node.attrs.get("alt", "")
            if alt:
                container.add_paragraph(f"[{alt}]")
            return
        paragraph = container.add_paragraph()
        try:
            paragraph.add_run().add_picture(io.BytesIO(found[0]), width=_picture_width(node))
        except Exception:  # noqa: BLE001 - an unreadable picture leaves its description
            paragraph.add_run(f"[{node.attrs.get('alt', '')}]")

    # inline

    def inline(self, paragraph, node: Node, *, bold=False, italic=False, code=False, strike=False):
        for child in node.children:
            if isinstance(child, str):
                text = SPACE.sub(" ", child)
                if not text or (text == " " and not paragraph.runs):
                    continue
                run = paragraph.add_run(text)
                run.bold = bold or None
                run.italic = italic or None
                if strike:
                    run.font.strike = True
                if code:
                    run.font.name = "Courier New"
                continue
            tag = child.tag
            if tag in SKIP:
                continue
            if tag == "br":
                paragraph.add_run().add_break()
            elif tag == "img":
                alt = child.attrs.get("alt", "")
                if alt:
                    paragraph.add_run(f"[{alt}]")
            elif tag == "a":
                self.inline(paragraph, child, bold=bold, italic=italic, code=code)
                href = child.attrs.get("href", "")
                if href.startswith(("http://", "https://")) and href not in child.text():
                    run = paragraph.add_run(f" ({href})")
                    run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
            else:
                self.inline(
                    paragraph,
                    child,
                    bold=bold
                    or tag in {"strong", "b", "th"}
                    or bool(child.classes & {"variant-label", "step-label"}),
                    italic=italic or tag in {"em", "i"},
                    code=code or tag in {"code", "kbd"},
                    strike=strike or tag in {"del", "s"},
                )


def _picture_width(node: Node):
    """The page's width (16 cm), or less for a picture that says it is narrower (in CSS
    pixels, 96 to the inch)."""
    try:
        pixels = int(node.attrs.get("width") or 0)
    except ValueError:
        pixels = 0
    if pixels <= 0:
        return Cm(16)
    return Cm(min(16.0, pixels / 96 * 2.54))
