"""`{% fragment "name" key… %}…{% endfragment %}`: a part of a page kept in the cache.

See participation.fragments for what the key holds besides the given values and what makes a
part stale. Only what everyone with the same level in the page's programme sees alike belongs
inside: no form with its CSRF token, no count of one person's notifications.
"""

from django import template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from participation import fragments, permissions

register = template.Library()

_UNAVAILABLE = object()


def _generations(request, programme_id):
    """The generations once per request (and not again when the cache did not answer)."""
    memo = getattr(request, "_stip_fragment_generations", None) if request else None
    if memo is None:
        memo = {}
        if request is not None:
            request._stip_fragment_generations = memo
    if programme_id not in memo:
        try:
            memo[programme_id] = fragments.generations(programme_id)
        except Exception:  # noqa: BLE001 - a cache outage: render without it
            fragments.logger.warning("Fragment cache unavailable (generations)", exc_info=True)
            memo[programme_id] = _UNAVAILABLE
    return memo[programme_id]


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, keys) -> None:
        self.nodelist, self.name, self.keys = nodelist, name, keys

    def render(self, context) -> str:
        request = context.get("request")
        programme = context.get("programme")
        programme_id = getattr(programme, "pk", None)
        found = _generations(request, programme_id)
        if found is _UNAVAILABLE:
            return self.nodelist.render(context)
        user = getattr(request, "user", None)
        authenticated = bool(user is not None and user.is_authenticated)
        parts = [
            found,
            [key.resolve(context) for key in self.keys],
            translation.get_language(),
            timezone.get_current_timezone_name(),
            authenticated,
            int(permissions.level_of(user, programme)) if programme is not None else None,
        ]
        key = fragments.fragment_key(str(self.name.resolve(context)), parts)
        html = fragments.fragment_get(key)
        if html is None:
            html = self.nodelist.render(context)
            fragments.fragment_set(key, str(html))
        return mark_safe(html)  # noqa: S308 - rendered (and escaped) by the template engine


@register.tag
def fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} needs a name")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]]
    )
