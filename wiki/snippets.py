"""What a search result shows of a document: a few lines of its text as a reader would read
them (no `#`, `[[ ]]`, `**` or table pipes), around the first match, with the matched words
marked. Everything but the marks is escaped."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .rendering import WIKILINK_PATTERN

WIKILINK = re.compile(WIKILINK_PATTERN)
LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
LINE_MARK = re.compile(r"^[ \t]{0,3}(?:#{1,6}|>|[-*+]|\d{1,9}[.)])[ \t]+", re.MULTILINE)
TABLE_RULE = re.compile(r"^[ \t]*\|?(?:[ \t]*:?-{2,}:?[ \t]*\|?)+[ \t]*$", re.MULTILINE)
FENCE = re.compile(r"^[ \t]{0,3}(?:`{3,}|~{3,}).*$", re.MULTILINE)
EMPHASIS = re.compile(r"(\*{1,3}|_{2,3}|~~|`+|\|)")
HTML_TAG = re.compile(r"<[^>\n]{0,200}>")
WORD = re.compile(r"\w+", re.UNICODE)
SPACE = re.compile(r"\s+")


def plain_text(markdown: str) -> str:
    """The document's markdown as running text: the words a reader sees, markup left out."""
    text = WIKILINK.sub(lambda m: m.group(2) or m.group(1), markdown or "")
    text = LINK.sub(r"\1", text)
    for pattern in (FENCE, TABLE_RULE, LINE_MARK, HTML_TAG):
        text = pattern.sub(" ", text)
    text = EMPHASIS.sub(" ", text)
    return SPACE.sub(" ", text).strip()


def snippet(markdown: str, query: str, *, words: int = 30) -> SafeString:
    """About `words` words of the text around the first word that matches the query, each
    matching word in <mark> (a word matches when it starts with a word of the query, so
    "rooster" marks "roosters" too); the start of the text when nothing matches."""
    text = plain_text(markdown)
    terms = [t.casefold() for t in WORD.findall(query or "")[:20]]
    tokens = text.split(" ") if text else []

    def matches(token: str) -> bool:
        return any(w.casefold().startswith(t) for w in WORD.findall(token) for t in terms)

    first = next((n for n, token in enumerate(tokens) if matches(token)), 0)
    start = max(0, first - words // 3)
    shown = tokens[start : start + words]
    parts = []
    for token in shown:
        if terms and matches(token):
            parts.append(_marked(token, terms))
        else:
            parts.append(escape(token))
    html = " ".join(parts)
    if start > 0:
        html = "… " + html
    if start + words < len(tokens):
        html += " …"
    return mark_safe(html)  # noqa: S308 - every piece of text is escaped above


def _marked(token: str, terms: list[str]) -> str:
    pieces, last = [], 0
    for match in WORD.finditer(token):
        if any(match.group(0).casefold().startswith(t) for t in terms):
            pieces.append(escape(token[last : match.start()]))
            pieces.append(f"<mark>{escape(match.group(0))}</mark>")
            last = match.end()
    pieces.append(escape(token[last:]))
    return "".join(pieces)
