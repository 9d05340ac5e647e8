from django import template
from django.utils.html import format_html

from participation import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def login_requirement_notice(context, programme):
    """Why the person reads along as an observer in the programme although they could
    contribute: its log-in requirement (nothing when nothing holds them back)."""
    request = context.get("request")
    reason = permissions.login_requirement_unmet(getattr(request, "user", None), programme)
    if not reason:
        return ""
    return format_html('<p class="notice login-requirement" role="status">{}</p>', reason)
