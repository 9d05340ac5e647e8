"""A use case shown in its structured form: fields, main scenario, extensions and the
organisations' variants, with the labels in the reader's language.

The use case's page, the wiki's page of the same document (through `wiki.display`, registered in
`UsecasesConfig.ready`) and the baseline annexes all show it from the same data and the same
template (`usecases/includes/structured.html`). The document's stored markdown keeps the fixed
template that import and export read; it is not what a reader sees.
"""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from wiki.rendering import markdown_to_html, programme_resolver

from . import selectors, structure
from .glossary import entries_for, mark_terms
from .models import TEXT_FIELDS


class Renderer:
    """Markdown of one programme to safe HTML with its glossary terms marked (`glossary`
    False: without, for pages that mark the terms themselves; `own`, the reader's
    organisation, whose own words are named beside the definitions)."""

    def __init__(self, programme, *, glossary: bool = True, own=None) -> None:
        self.resolve = programme_resolver(programme)
        self.entries = entries_for(programme, own) if glossary else []
        self.marked: set[str] = set()

    def __call__(self, text: str) -> SafeString:
        html = markdown_to_html(text, self.resolve)
        html = mark_terms(html, self.entries, self.marked) if self.entries else html
        return mark_safe(html)  # noqa: S308 - sanitised by wiki.rendering


def structured_context(data: dict, render, *, own=None, render_line=None) -> dict:
    """What `usecases/includes/structured.html` (and the annex's `usecases/annex/usecase.html`)
    show of normalised use case `data`: the text fields rendered with `render`, each step and
    extension with its label ("3a"), its text rendered with `render_line` (by default `render`),
    its variants and the variant of `own` (the reader's organisation) for the variant form."""
    labels = structure.item_labels(data)
    variants = structure.variants_by_target(data)
    render_line = render_line or render

    def item(step: dict) -> dict:
        return {
            **step,
            "label": labels[step["id"]],
            "html": render_line(step["text"]),
            "variants": variants.get(step["id"], []),
            "own_variant": next(
                (
                    v["text"]
                    for v in variants.get(step["id"], [])
                    if own and v["organisation"] == own.pk
                ),
                "",
            ),
        }

    return {
        "data": data,
        "goal_level": structure.GoalLevel(data["goal_level"]).label,
        "fields": [
            (structure.FIELD_LABELS[name], render(data[name])) for name in TEXT_FIELDS if data[name]
        ],
        "steps": [item(s) for s in data["steps"]],
        "extensions": [
            {
                **item({"id": e["id"], "text": e["condition"], "actor": ""}),
                "steps": [item(s) for s in e["steps"]],
            }
            for e in data["extensions"]
        ],
    }


def usecase_diff_page(document) -> str | None:
    """Where the wiki sends a reader who compares versions of a use case document (see
    `wiki.display`): its field by field comparison; None for one written as plain text."""
    if selectors.usecase_of(document) is None:
        return None
    return reverse("usecases:diff", args=[document.programme.slug, document.slug])


def usecase_body(document, version=None) -> str | None:
    """The wiki's body of a use case document (`wiki.display`): the structured form of the
    version shown, in the reader's language; None for a use case without fields (its text is
    shown instead). The wiki page marks the glossary terms itself."""
    data = selectors.usecase_data_at(document, version)
    if data is None:
        return None
    context = structured_context(data, Renderer(document.programme, glossary=False))
    return render_to_string(
        "usecases/includes/structured.html", {**context, "show_goal_level": True}
    )


def usecase_anchors(document, html: str) -> list:
    """The places of a use case a discussion thread can be about (`wiki.anchors`): its steps and
    extensions, in the order the page shows them, by the id each has in the page."""
    from wiki.anchors import Anchor

    data = selectors.usecase_data_at(document, None)
    if data is None:
        return []
    labels = structure.item_labels(data)
    places = []
    for step in data["steps"]:
        places.append(_step_anchor(Anchor, step["id"], labels[step["id"]], step["text"]))
    for extension in data["extensions"]:
        places.append(
            _step_anchor(Anchor, extension["id"], labels[extension["id"]], extension["condition"])
        )
        for step in extension["steps"]:
            places.append(_step_anchor(Anchor, step["id"], labels[step["id"]], step["text"]))
    return [place for place in places if f'id="{place.element_id}"' in html]


def _step_anchor(anchor, step_id: str, label: str, text: str):
    words = " ".join(text.split())
    short = words if len(words) <= 60 else words[:59] + "…"
    return anchor(
        f"step:{step_id}", _("Step %(label)s: %(text)s") % {"label": label, "text": short}, step_id
    )
