"""Mentions in comments: `@username` names a person, `@organisation-slug` an organisation.

A name with spaces cannot be typed after an `@`, so a mention uses the handle a person or an
organisation already has: the user name people log in with, the slug of the organisation's
address. The editor suggests them as you type (`wiki.views.mention_suggestions`).

Who may be named is decided by `participation.permissions` (`mentionable_people`,
`mentionable_organisations`): the programme's participants, never someone who may not read it.
A name outside that set is no mention at all: it is shown as the text it is, notifies nobody,
and nothing in the page tells whether such a person or organisation exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.html import escape

from participation import permissions

# After a space, an opening bracket or the start; a handle of letters, digits and . _ + -, not
# ending in a full stop (the end of a sentence): "@lead." names "lead".
MENTION = re.compile(r"(?<![\w@/.+-])@([A-Za-z0-9][\w.+-]{0,149})")
_SKIP_INSIDE = ("a", "code", "pre")
_TAG = re.compile(r"(<[^>]*>)")


def handles_in(text: str) -> set[str]:
    """The handles a text names (lower case), whether or not anyone has them."""
    return {match.rstrip(".").lower() for match in MENTION.findall(text or "")}


@dataclass
class Named:
    """What the handles of a text stand for in one programme."""

    people: dict[str, object] = field(default_factory=dict)  # handle: user
    organisations: dict[str, object] = field(default_factory=dict)  # handle: organisation

    def recipient_ids(self, programme) -> set[int]:
        """The people reached: those named, and the participants of the organisations named."""
        ids = {user.pk for user in self.people.values()}
        if self.organisations:
            ids |= set(
                permissions.mentionable_people(programme)
                .filter(affiliations__organisation__in=list(self.organisations.values()))
                .values_list("pk", flat=True)
            )
        return ids


def resolve(programme, handles: set[str]) -> Named:
    """The people and organisations of `programme` the handles name; the rest name nobody."""
    named = Named()
    if not handles:
        return named
    any_of = Q()
    for handle in sorted(handles):
        any_of |= Q(username__iexact=handle)
    people = permissions.mentionable_people(programme).filter(any_of)
    for user in people:
        named.people[user.username.lower()] = user
    left = handles - set(named.people)
    if left:
        organisations = permissions.mentionable_organisations(programme).filter(
            slug__in=sorted(left)
        )
        for organisation in organisations:
            named.organisations[organisation.slug.lower()] = organisation
    return named


def mark(html: str, named: Named) -> str:
    """Sanitised `html` with the mentions of people and organisations `named` marked; any other
    `@name` is left as the text it was. Only text between tags is touched, never inside a link
    or code."""
    if "@" not in html:
        return html
    parts = _TAG.split(html)
    skipping: list[str] = []
    for index, part in enumerate(parts):
        if index % 2 == 1:  # a tag
            tag = re.match(r"<(/?)([a-zA-Z0-9]+)", part)
            if tag and tag.group(2).lower() in _SKIP_INSIDE:
                if tag.group(1):
                    if skipping:
                        skipping.pop()
                elif not part.endswith("/>"):
                    skipping.append(tag.group(2).lower())
            continue
        if not skipping and "@" in part:
            parts[index] = MENTION.sub(lambda m: _marked(m, named), part)
    return "".join(parts)


def _marked(match: re.Match, named: Named) -> str:
    raw = match.group(1)
    handle = raw.rstrip(".")
    trailing = raw[len(handle) :]
    key = handle.lower()
    user = named.people.get(key)
    if user is not None:
        title = user.get_full_name() or user.username
        return f'<span class="mention" title="{escape(title)}">@{handle}</span>{trailing}'
    organisation = named.organisations.get(key)
    if organisation is not None:
        return (
            f'<span class="mention mention-organisation" title="{escape(organisation.name)}">'
            f"@{handle}</span>{trailing}"
        )
    return match.group(0)


def suggestions(programme, query: str, *, limit: int = 8) -> list[dict]:
    """People and organisations of the programme whose handle or name starts with `query` (or
    has a word that does), for the editor: `{"handle", "name", "kind"}`."""
    query = query.strip().lstrip("@")[:50]
    if not query:
        return []
    words = Q(username__istartswith=query) | Q(first_name__istartswith=query)
    words |= Q(last_name__istartswith=query)
    people = (
        permissions.mentionable_people(programme)
        .filter(words)
        .order_by("username")
        .values_list("username", "first_name", "last_name")[:limit]
    )
    found = [
        {"handle": username, "name": f"{first} {last}".strip() or username, "kind": "person"}
        for username, first, last in people
    ]
    organisations = (
        permissions.mentionable_organisations(programme)
        .filter(Q(slug__istartswith=query) | Q(name__icontains=query))
        .order_by("name")
        .values_list("slug", "name")[: max(limit - len(found), 0)]
    )
    found += [
        {"handle": slug, "name": name, "kind": "organisation"} for slug, name in organisations
    ]
    return found
