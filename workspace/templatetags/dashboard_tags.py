"""The dashboard's summary for other pages: how many things wait for the person."""

from django import template

from workspace import dashboard

register = template.Library()


@register.inclusion_tag("dashboard/attention_banner.html", takes_context=True)
def attention_banner(context) -> dict:
    """A banner pointing a logged-in person to their dashboard, with what waits for them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    asks = dashboard.asks_for(user)
    return {"show": True, "count": sum(section.count for section in asks), "asks": asks}
