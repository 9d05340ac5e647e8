"""What an event can be and what it can be about: two small registries the apps fill.

Participation records events and turns them into notifications without knowing what they are
about. An app that writes events registers, in its `AppConfig.ready`:

- its kinds of event (`event_kind_register`): the verb a notification shows ("edited"), the
  person's e-mail setting (a `Profile` field) that turns their e-mail on or off, whether the
  notification is e-mailed here at all, and which earlier notifications a new one folds into;
- the kinds of object its events are about (`event_target_register`): who follows such an
  object (the people its events reach when they name no recipients) and where a notification
  about it leads.

An event names its object through a generic relation (`Event.target`), or carries a `subject`
and a `link` of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import reverse

from .models import Event, Notification

# The e-mail settings of a person (fields of `Profile`) that event kinds are grouped under; also
# the "kinds" an unsubscribe link turns off.
PREFERENCES = (
    "email_edits",
    "email_comments",
    "email_structure",
    "email_membership",
    "email_timeboxes",
)


@dataclass(frozen=True)
class EventKind:
    value: str
    verb: Any  # a (lazy) translated string
    preference: str
    emailed: bool = True  # False: shown in the site only (its app sends its own e-mail)
    coalesce_into: tuple[str, ...] = ()  # unread notifications of these kinds it folds into


@dataclass(frozen=True)
class EventTarget:
    audience: Callable[[Any], QuerySet]  # the people who follow the object
    url: Callable[[Notification], str] | None = None  # None: the object's get_absolute_url()


_kinds: dict[str, EventKind] = {}
_targets: dict[type[Model], EventTarget] = {}


def event_kind_register(
    value: str,
    verb,
    *,
    preference: str,
    emailed: bool = True,
    coalesce_into: tuple[str, ...] = (),
) -> EventKind:
    """Make a kind of event known. Registering the same kind again replaces it."""
    if preference not in PREFERENCES:
        raise ValueError(f"{preference!r} is not one of the e-mail settings {PREFERENCES}")
    kind = EventKind(value, verb, preference, emailed, tuple(coalesce_into))
    _kinds[value] = kind
    return kind


def event_kind(value: str) -> EventKind:
    """The registered kind; an unknown one (its app removed) is shown as its value and never
    e-mailed."""
    found = _kinds.get(value)
    if found is None:
        return EventKind(value, value, PREFERENCES[0], emailed=False)
    return found


def event_kinds(*, preference: str | None = None) -> set[str]:
    """The values of the registered kinds, all or those under one e-mail setting."""
    return {k.value for k in _kinds.values() if preference is None or k.preference == preference}


def event_target_register(
    model: type[Model], *, audience: Callable[[Any], QuerySet], url=None
) -> EventTarget:
    """Make a kind of object events can be about known (see the module's docstring)."""
    target = EventTarget(audience=audience, url=url)
    _targets[model] = target
    return target


def event_target(obj) -> EventTarget | None:
    """What is registered for this object's model, or None."""
    return _targets.get(type(obj)._meta.concrete_model) if obj is not None else None


def notification_url(notification: Notification) -> str:
    """Where a notification leads: the event's own link, else what its object's app says (the
    diff of a change, say), else the object itself, else the programme's members or requests
    page."""
    if notification.event.link:
        return notification.event.link
    target = notification.target
    if target is not None:
        registered = event_target(target)
        if registered is not None and registered.url is not None:
            return registered.url(notification)
        return target.get_absolute_url()
    programme = notification.programme
    if notification.kind == Event.Kind.JOIN_REQUESTED:
        return reverse("participation:requests", kwargs={"programme": programme.slug})
    return reverse("participation:members", kwargs={"programme": programme.slug})


def register_membership_kinds() -> None:
    """Participation's own kinds: joining, decisions, levels and invitations."""
    for kind in Event.Kind:
        event_kind_register(kind.value, kind.label, preference="email_membership")
