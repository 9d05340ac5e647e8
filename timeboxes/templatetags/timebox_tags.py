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


@register.inclusion_tag("timeboxes/includes/notices.html", takes_context=True)
def timebox_notices(context, limit: int = 20):
    """The person's timebox messages (reminders, deadline passed, extended, reopened, closed),
    newest first: the site's side of what also goes out by e-mail."""
    request = context.get("request")
    user = getattr(request, "user", None)
    notices = selectors.notices_for(user, limit=limit) if user is not None else []
    return {"notices": notices}
