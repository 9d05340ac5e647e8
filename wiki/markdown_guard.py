"""The bounds on rendering markdown: whatever a person types, rendering ends soon and never raises.

Python-Markdown is a good parser for the text people write, but some shapes of text cost it
quadratic time or recursion without end: runs of brackets (each `[` scans for its partner),
nested emphasis, quotes and lists nested a thousand deep, many backtick runs on one long line,
unclosed tags for its HTML parser; and the sanitiser's HTML parser (nh3) is quadratic in the
nesting depth of the HTML it gets. Three bounds keep every text within a budget:

1. `precheck`, a linear look at the text before it is parsed, that names the shapes known to
   cost more than linear time (`Reason`): brackets or parentheses nested deeper than
   `MAX_NESTING` in a paragraph, containers (quotes, list items) deeper than `MAX_NESTING` on a
   line, emphasis delimiter runs longer than `MAX_NESTING`, backtick runs whose search would
   scan more than `MAX_BACKTICK_SCAN` characters, `<` openers from which the HTML parser would
   scan more than `MAX_TAG_SCAN` characters for a `>`, table rows of more than
   `MAX_TABLE_COLUMNS` cells or tables of more than `MAX_TABLE_CELLS`, paragraphs so long and
   so full of inline elements that rebuilding them for each element would pass
   `MAX_INLINE_WORK`.
2. `Budget`, a step count and a deadline in processor time that `guard` makes every processor
   of the Markdown instance spend from (preprocessors, block processors, inline patterns, tree
   and post processors, and each token of the raw-HTML parser): what the pre-check did not
   foresee is interrupted once the budget is spent. A recursion error (nesting the pre-check
   did not foresee) ends the rendering the same way.
3. `html_too_deep`, a linear look at the HTML before it is sanitised.

`render` runs a rendering under these bounds and answers `Outcome`: the HTML, or the reason it
could not be made within them; the caller then shows the text escaped (`escaped`), as typed.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps

import markdown
from django.utils.html import escape
from markdown.htmlparser import HTMLExtractor
from markdown.preprocessors import HtmlBlockPreprocessor

MAX_NESTING = 32
MAX_HTML_DEPTH = 256
MAX_BACKTICK_SCAN = 4_000_000
MAX_TAG_SCAN = 4_000_000
MAX_TABLE_COLUMNS = 256
MAX_TABLE_CELLS = 20_000  # in one paragraph, a table (each cell is parsed on its own)
# Characters that may start an inline element, times the length of their paragraph: each
# element found rebuilds the paragraph's text once.
MAX_INLINE_WORK = 300_000_000
_INLINE_STARTS = "*_[`<&!\\"
# A step is one call of a processor or one token of the HTML parser: a text of the longest
# length a document may have, written as people write, takes about a quarter of this.
BUDGET_STEPS = 1_500_000
BUDGET_SECONDS = 4.0


class Reason(StrEnum):
    """Why a text was shown as typed rather than formatted (stored with its rendering)."""

    NESTING = "nesting"  # brackets or parentheses
    DEPTH = "depth"  # quotes, lists, emphasis
    BACKTICKS = "backticks"
    HTML = "html"
    WIDTH = "width"  # table columns or cells
    DENSE = "dense"  # inline elements in one long paragraph
    BUDGET = "budget"


class Unrenderable(Exception):
    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason = reason


class Budget:
    """Steps and seconds of processor time a rendering may spend; `spend` raises
    `Unrenderable` past either. Processor time, not the clock: a busy machine does not make a
    text unformattable that formats on a quiet one."""

    def __init__(self, *, steps: int | None = None, seconds: float = BUDGET_SECONDS) -> None:
        self.steps = BUDGET_STEPS if steps is None else steps
        self.deadline = time.process_time() + seconds

    def spend(self, steps: int = 1) -> None:
        self.steps -= steps
        # the clock is asked every 64 steps: asking costs more than most steps
        if self.steps < 0 or (self.steps & 63 == 0 and time.process_time() > self.deadline):
            raise Unrenderable(Reason.BUDGET)


# --- 1. the pre-check --------------------------------------------------------------------------

_BRACKET_TOKENS = re.compile(r"\[+|\]+|\(+|\)+|\n[ \t]*\n")
_LONG_PREFIX = re.compile(rf"(?m)^(?=[ \t>*+\-0-9.)]{{{MAX_NESTING + 1}}})[^\n]*")
_CONTAINER = re.compile(r"[ \t]*(>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t]))")
_DELIMITER_RUN = re.compile(rf"\*{{{MAX_NESTING + 1},}}|_{{{MAX_NESTING + 1},}}")
_RULE_LINE = re.compile(r"[ \t*_\-]*")
_BACKTICK_TOKENS = re.compile(r"`+|\n")
_TAG_TOKENS = re.compile(r"<[a-zA-Z/!?]|>")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def precheck(text: str) -> Reason | None:
    """The first shape of `text` known to cost Python-Markdown more than linear time, or None.
    Linear in the length of the text."""
    for check in (
        _bracket_nesting,
        _container_depth,
        _delimiter_runs,
        _backtick_scan,
        _unclosed_tags,
        _table_columns,
        _inline_work,
    ):
        reason = check(text)
        if reason is not None:
            return reason
    return None


def _bracket_nesting(text: str) -> Reason | None:
    """Brackets (and parentheses) open at once within one paragraph: each opener makes the link
    pattern scan forward for its partner."""
    square = round_ = 0
    for match in _BRACKET_TOKENS.finditer(text):
        token = match.group()
        kind, length = token[0], len(token)
        if kind == "[":
            square += length
        elif kind == "]":
            square = max(0, square - length)
        elif kind == "(":
            round_ += length
        elif kind == ")":
            round_ = max(0, round_ - length)
        else:
            square = round_ = 0
        if square > MAX_NESTING or round_ > MAX_NESTING:
            return Reason.NESTING
    return None


def _container_depth(text: str) -> Reason | None:
    """Quotes and list items opened on one line (`> > > …`, `- - …`, deep indentation): each
    level is a recursion of the block parser."""
    for line in _LONG_PREFIX.finditer(text):
        depth, position, value = 0, 0, line.group()
        while (found := _CONTAINER.match(value, position)) is not None:
            depth += 1 + (found.start(1) - position) // 4
            position = found.end()
            if depth > MAX_NESTING:
                return Reason.DEPTH
    return None


def _delimiter_runs(text: str) -> Reason | None:
    """A long run of `*` or `_` within text (not a rule line of them alone): each delimiter
    nests one more emphasis."""
    for run in _DELIMITER_RUN.finditer(text):
        start = text.rfind("\n", 0, run.start()) + 1
        end = text.find("\n", run.end())
        if not _RULE_LINE.fullmatch(text, start, len(text) if end < 0 else end):
            return Reason.DEPTH
    return None


def _backtick_scan(text: str) -> Reason | None:
    """How far the code span pattern would scan: from each backtick run to the next run of the
    same length on its line, or to the line's end."""
    scanned = 0
    line: list[tuple[int, int]] = []

    def line_cost(end: int) -> int:
        cost, following = 0, {}
        for position, length in reversed(line):
            cost += following.get(length, end) - position
            following[length] = position
        return cost

    for token in _BACKTICK_TOKENS.finditer(text):
        if token.group() == "\n":
            if line:
                scanned += line_cost(token.start())
                line = []
        else:
            line.append((token.start(), token.end() - token.start()))
        if scanned > MAX_BACKTICK_SCAN:
            return Reason.BACKTICKS
    if line:
        scanned += line_cost(len(text))
    return Reason.BACKTICKS if scanned > MAX_BACKTICK_SCAN else None


def _unclosed_tags(text: str) -> Reason | None:
    """How far the HTML parser would scan: from each `<` that may open a tag to the next `>`
    (or the end of the text)."""
    scanned, waiting, starts = 0, 0, 0
    for token in _TAG_TOKENS.finditer(text):
        if token.group() == ">":
            scanned += waiting * token.start() - starts
            waiting = starts = 0
            if scanned > MAX_TAG_SCAN:
                return Reason.HTML
        else:
            waiting += 1
            starts += token.start()
    scanned += waiting * len(text) - starts
    return Reason.HTML if scanned > MAX_TAG_SCAN else None


def _table_columns(text: str) -> Reason | None:
    """A line with more cells than a table may have."""
    if text.count("|") <= MAX_TABLE_COLUMNS:
        return None
    widest = max(line.count("|") for line in text.split("\n"))
    return Reason.WIDTH if widest > MAX_TABLE_COLUMNS else None


def _inline_work(text: str) -> Reason | None:
    """Paragraphs so long and so full of possible inline elements that Python-Markdown,
    rebuilding a paragraph's text for each element it finds, would pass `MAX_INLINE_WORK`; tables
    of more than `MAX_TABLE_CELLS` cells."""
    start = 0
    for end in [m.start() for m in _PARAGRAPH_BREAK.finditer(text)] + [len(text)]:
        length = end - start
        if length > MAX_TABLE_CELLS and text.count("|", start, end) > MAX_TABLE_CELLS:
            return Reason.WIDTH
        if length * length > MAX_INLINE_WORK:  # only long paragraphs can pass it
            starts = sum(text.count(c, start, end) for c in _INLINE_STARTS)
            if starts * length > MAX_INLINE_WORK:
                return Reason.DENSE
        start = end
    return None


# --- 2. the budget inside Python-Markdown --------------------------------------------------------


class _BudgetedHTMLExtractor(HTMLExtractor):
    """Python-Markdown's raw-HTML parser, spending a step for each token and each tag it tries:
    unclosed tags and comments make it scan to the end of the text from each one."""

    def __init__(self, md: markdown.Markdown, budget: Budget, *args, **kwargs) -> None:
        self.budget = budget
        super().__init__(md, *args, **kwargs)

    def updatepos(self, i: int, j: int) -> int:
        self.budget.spend()
        return super().updatepos(i, j)

    def parse_starttag(self, i: int) -> int:
        self.budget.spend()
        return super().parse_starttag(i)

    def parse_endtag(self, i: int) -> int:
        self.budget.spend()
        return super().parse_endtag(i)

    def parse_comment(self, i: int, report: bool = True) -> int:
        self.budget.spend()
        return super().parse_comment(i, report)

    def parse_html_declaration(self, i: int) -> int:
        self.budget.spend()
        return super().parse_html_declaration(i)

    def parse_bogus_comment(self, i: int, report: int = 0) -> int:
        self.budget.spend()
        return super().parse_bogus_comment(i, report)

    def parse_pi(self, i: int) -> int:
        self.budget.spend()
        return super().parse_pi(i)


class _BudgetedHtmlBlockPreprocessor(HtmlBlockPreprocessor):
    def __init__(self, md: markdown.Markdown, budget: Budget) -> None:
        super().__init__(md)
        self.budget = budget

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        parser = _BudgetedHTMLExtractor(self.md, self.budget)
        parser.feed(source)
        parser.close()
        return "".join(parser.cleandoc).split("\n")


def _spending(method: Callable, budget: Budget) -> Callable:
    @wraps(method)
    def spend_then(*args, **kwargs):
        budget.spend()
        return method(*args, **kwargs)

    return spend_then


def guard(md: markdown.Markdown, budget: Budget) -> markdown.Markdown:
    """Make every processor of `md` spend from `budget` (see the module's text)."""
    if "html_block" in md.preprocessors:
        # 20: the priority Python-Markdown gives it (`build_preprocessors`)
        md.preprocessors.register(_BudgetedHtmlBlockPreprocessor(md, budget), "html_block", 20)
    for registry, methods in (
        (md.preprocessors, ("run",)),
        (md.parser.blockprocessors, ("test", "run")),
        (md.inlinePatterns, ("getCompiledRegExp", "handleMatch")),
        (md.treeprocessors, ("run",)),
        (md.postprocessors, ("run",)),
    ):
        for processor in registry:
            for name in methods:
                setattr(processor, name, _spending(getattr(processor, name), budget))
    return md


# --- 3. the depth of the HTML ------------------------------------------------------------------

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


def html_too_deep(html: str) -> bool:
    """Whether the elements of `html` nest deeper than `MAX_HTML_DEPTH` (counted from its tags,
    linear): the sanitiser's parser is quadratic in that depth."""
    depth = 0
    for tag in _TAG.finditer(html):
        closing, name, self_closing = tag.groups()
        if closing:
            depth = max(0, depth - 1)
        elif not self_closing and name.lower() not in _VOID:
            depth += 1
            if depth > MAX_HTML_DEPTH:
                return True
    return False


# --- the whole -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    html: str
    reason: Reason | None = None

    @property
    def formatted(self) -> bool:
        return self.reason is None


def render(
    text: str,
    build: Callable[[], markdown.Markdown],
    sanitise: Callable[[str], str],
    *,
    budget: Budget | None = None,
) -> Outcome:
    """`text` rendered by the Markdown instance `build()` makes, then `sanitise`d, within the
    bounds; or, when it cannot be, the text escaped as typed with the reason."""
    reason = precheck(text)
    if reason is None:
        budget = budget or Budget()
        try:
            html = guard(build(), budget).convert(text)
            if html_too_deep(html):
                raise Unrenderable(Reason.HTML)
            budget.spend()
            return Outcome(sanitise(html))
        except Unrenderable as stopped:
            reason = stopped.reason
        except RecursionError:
            reason = Reason.DEPTH
    return Outcome(escaped(text), reason)


def escaped(text: str) -> str:
    """The text as typed, escaped: what a reader sees of a text that could not be formatted."""
    return f'<pre class="unformatted">{escape(text)}</pre>'
