"""The template side of `participation.panels`: what the apps above registered for a place."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from participation.panels import data_attributes_at, html_filters_at, nav_entries_at, panels_at

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, place: str) -> SafeString:
    """The templates registered for `place`, each rendered with the page's context (as
    `{% include %}` would)."""
    engine = context.template.engine
    return mark_safe(  # noqa: S308 - rendered templates, escaped by the template engine
        "".join(engine.get_template(name).render(context) for name in panels_at(place))
    )


def _url(url_name: str, programme) -> str:
    args = [programme.slug] if programme is not None else []
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return ""


@register.simple_tag
def nav_entries(place: str, programme=None) -> list[dict]:
    """[{"url", "label"}] of the links registered for `place` whose route exists."""
    entries = []
    for entry in nav_entries_at(place):
        url = _url(entry.url_name, programme)
        if url:
            entries.append({"url": url, "label": entry.label})
    return entries


@register.simple_tag
def data_attributes(place: str, programme=None) -> SafeString:
    """` data-<name>="<address>"` for each attribute registered for `place` whose route exists."""
    found = [(a.name, _url(a.url_name, programme)) for a in data_attributes_at(place)]
    return format_html_join("", ' data-{}="{}"', [(name, url) for name, url in found if url])


@register.simple_tag
def html_filtered(place: str, html, programme=None, reader=None) -> SafeString:
    """Sanitised `html` through the functions registered for `place`. Each takes and returns
    HTML that is safe to show; with a `reader` (the person reading), each gets it too, as
    `reader=`, to show what is theirs (their organisation's word for a term)."""
    html = str(html)
    extra = {"reader": reader} if reader is not None else {}
    for function in html_filters_at(place):
        html = str(function(html, programme, **extra))
    return mark_safe(html)  # noqa: S308 - sanitised by the caller, and by each function
