"""Marking glossary terms in rendered documents.

Works on HTML that `wiki.rendering.sanitise` already cleaned: only text between tags is
touched (never inside links, code, headings or earlier marks), the matched text is kept as it
was, and the definition is escaped before it goes into an attribute, so the result stays as safe
as its input. The first mention of each term (or of an organisation's local word for it) becomes
a link to the term's page with the definition shown on hover and on keyboard focus.
"""

import hashlib
import re
from dataclasses import dataclass
from html import escape

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from wiki.services import organisation_of

TAG = re.compile(r"(<[^>]*>)")
TAG_NAME = re.compile(r"^<\s*(/?)\s*([a-zA-Z0-9]+)")
SKIP = {"a", "code", "pre", "kbd", "h1", "h2", "h3", "h4", "h5", "h6", "abbr", "dfn", "button"}


@dataclass(frozen=True)
class GlossaryEntry:
    words: tuple[str, ...]  # the term and its local words
    definition: str
    url: str


def _pattern(words) -> re.Pattern | None:
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(re.escape(escape(w, quote=False)) for w in words)
    return re.compile(rf"(?<![\w&])({alternatives})(?!\w)", re.IGNORECASE)


def mentions(text: str, words) -> bool:
    words = [w for w in words if w]
    if not words:
        return False
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE
    )
    return pattern.search(text) is not None


def mark_terms(
    html: str, entries: list[GlossaryEntry], marked: set[str] | None = None
) -> SafeString:
    """Mark the first mention of each glossary entry in sanitised HTML. Pass the same `marked`
    set for several parts of one page to mark each term once on the page."""
    by_word = {}
    for entry in entries:
        for word in entry.words:
            by_word.setdefault(escape(word, quote=False).casefold(), entry)
    pattern = _pattern(w for e in entries for w in e.words)
    if pattern is None:
        return mark_safe(html)  # noqa: S308 - sanitised by the caller, unchanged
    if marked is None:
        marked = set()
    skip_depth = 0
    parts = TAG.split(html)
    for index, part in enumerate(parts):
        if index % 2 == 1:
            match = TAG_NAME.match(part)
            if match and match.group(2).lower() in SKIP:
                skip_depth += -1 if match.group(1) else (0 if part.endswith("/>") else 1)
                skip_depth = max(skip_depth, 0)
            continue
        if skip_depth or not part.strip():
            continue

        def replace(match: re.Match) -> str:
            entry = by_word.get(match.group(1).casefold())
            if entry is None or entry.url in marked:
                return match.group(0)
            marked.add(entry.url)
            definition = escape(entry.definition, quote=True)
            return (
                f'<a class="glossary-term" href="{escape(entry.url, quote=True)}" '
                f'title="{definition}" data-definition="{definition}">{match.group(1)}</a>'
            )

        parts[index] = pattern.sub(replace, part)
    return mark_safe("".join(parts))  # noqa: S308 - text nodes of sanitised HTML, escaped attrs


def entries_for(programme, own=None) -> list[GlossaryEntry]:
    """The programme's terms with their local words. With `own` (the reader's organisation),
    a term's definition as shown on hover ends with that organisation's own word for it."""
    from .models import Term

    entries = []
    terms = Term.objects.filter(programme=programme).prefetch_related("local_words")
    for term in terms.select_related("programme"):  # get_absolute_url needs its slug
        local = term.local_words.all()
        words = (term.term, *(w.word for w in local))
        definition = term.definition
        own_word = next((w.word for w in local if own and w.organisation_id == own.pk), None)
        if own_word and own_word.casefold() != term.term.casefold():
            said = _("%(organisation)s calls this “%(word)s”") % {
                "organisation": own.name,
                "word": own_word,
            }
            definition = f"{definition} ({said})"
        entries.append(GlossaryEntry(words, definition, term.get_absolute_url()))
    return entries


GLOSSARY_CACHE_SECONDS = 60 * 60 * 24


def glossary_marked(html: str, programme, reader=None) -> SafeString:
    """`html` with the programme's glossary terms marked. `html` must already be sanitised
    (wiki.rendering output); the wiki's document page sends its text through here, with the
    `reader`, whose organisation's own words are named beside the definitions.

    The marked HTML is cached under a digest of everything it is made of (the HTML and every
    term, local word, definition and address), so a changed text or glossary is marked anew."""
    html = str(html)
    entries = entries_for(programme, organisation_of(reader, programme) if reader else None)
    if not entries:
        return mark_safe(html)  # noqa: S308 - sanitised by the caller, unchanged
    digest = hashlib.sha256(
        repr((html, [(e.words, e.definition, e.url) for e in entries])).encode()
    ).hexdigest()
    key = f"usecases:glossary-marked:{digest}"
    marked = cache.get(key)
    if marked is None:
        marked = mark_terms(html, entries)
        cache.set(key, str(marked), timeout=GLOSSARY_CACHE_SECONDS)
    return mark_safe(marked)  # noqa: S308 - mark_terms' output, see usecases.glossary
