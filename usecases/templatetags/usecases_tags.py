"""Template helpers of the use cases app, also for the panels it adds to the wiki's pages:

- `{% document_panel document %}` shows any document's sign-offs and whether its parent changed
  since it was last edited;
- `{% usecase_tree document %}` shows, below a vision or process, the documents and use cases
  under it with goal level, figures, warnings and sign-offs per organisation.
"""

from django import template
from django.utils.safestring import SafeString, mark_safe

from participation import permissions
from participation.permissions import Action
from wiki.diff import words_marked

from .. import selectors

register = template.Library()


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
    left, right = words_marked(old or "", new or "")
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
