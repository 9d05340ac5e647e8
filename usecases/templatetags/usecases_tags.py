"""Template helpers of the use cases app, also for the wiki's pages:

- `{% document_panel document %}` shows any document's sign-offs and whether its parent changed
  since it was last edited;
- `{% usecase_tree document %}` shows, below a vision or process, the documents and use cases
  under it with goal level, figures, warnings and sign-offs per organisation;
- `{% glossary_marked html programme %}` marks the programme's glossary terms in rendered,
  sanitised HTML.
"""

import hashlib

from django import template
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from participation import permissions
from participation.permissions import Action
from wiki.diff import _words

from .. import selectors
from ..glossary import entries_for, mark_terms

register = template.Library()

GLOSSARY_CACHE_SECONDS = 60 * 60 * 24


def _text(item: dict | None) -> str:
    if not item:
        return ""
    if "condition" in item:
        return item["condition"]
    return f"{item['actor']}: {item['text']}" if item.get("actor") else item.get("text", "")


@register.simple_tag
def item_text(item) -> str:
    return _text(item)


@register.simple_tag
def word_diff(old: str, new: str) -> SafeString:
    left, right = _words(old or "", new or "")
    return mark_safe(f'<span class="word-diff">{left} → {right}</span>')  # noqa: S308 - escaped


@register.simple_tag
def item_diff(old, new) -> SafeString:
    return word_diff(_text(old), _text(new))


@register.inclusion_tag("usecases/includes/document_panel.html", takes_context=True)
def document_panel(context, document):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "programme": document.programme,
        "document": document,
        "signoffs": selectors.signoffs_for(document),
        "parent_change": selectors.parent_change(document),
        "can_sign_off": permissions.can(user, Action.SIGN_OFF, document.programme),
    }


@register.simple_tag
def glossary_marked(html: str, programme) -> SafeString:
    """`html` must already be sanitised (wiki.rendering output).

    The marked HTML is cached under a digest of everything it is made of (the HTML and every
    term, local word, definition and address), so a changed text or glossary is marked anew."""
    html = str(html)
    entries = entries_for(programme)
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


@register.filter
def verdict_symbol(verdict: str) -> str:
    return {"agree": "✓", "remarks": "✓*", "object": "✗"}.get(verdict, "–")


@register.inclusion_tag("usecases/includes/usecase_tree.html")
def usecase_tree(document):
    overview = selectors.subtree(document.programme, document)
    rows = selectors.usecases_below(overview.roots[0]) if overview else []
    return {
        "programme": document.programme,
        "rows": rows,
        "organisations": overview.organisations if rows else [],
    }
