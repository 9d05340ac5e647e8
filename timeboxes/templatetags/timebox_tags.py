from django import template

from timeboxes import selectors

register = template.Library()


@register.simple_tag
def running_timeboxes(programme=None, document=None):
    """Planned and open timeboxes of a programme, or those whose scope holds a document."""
    if document is not None and getattr(document, "pk", None):
        return selectors.running_timeboxes(document=document)
    if programme is not None:
        return selectors.running_timeboxes(programme=programme)
    return []


@register.filter
def local_time(moment, timebox):
    """A moment in the timebox's programme's time zone."""
    return timebox.local(moment)
