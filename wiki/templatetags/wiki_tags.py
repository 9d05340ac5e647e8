"""Display helpers for the wiki's templates. Display only: no queries, no decisions."""

from django import template
from django.utils.translation import gettext as _

from participation.models import Level

register = template.Library()


@register.filter
def person(user) -> str:
    """A person's name as shown beside their work."""
    if user is None:
        return _("someone")
    return user.get_full_name() or user.username


@register.filter
def level_label(level) -> str:
    try:
        return Level(level).label
    except ValueError:
        return ""


@register.filter
def edit_action(revision) -> str:
    """What a revision did ("edited", "reverted", …), from its EditMeta when it has one."""
    meta = getattr(revision, "edit_meta", None)
    return meta.get_action_display() if meta is not None else _("edited")


@register.filter
def edit_organisation(revision):
    meta = getattr(revision, "edit_meta", None)
    return meta.organisation if meta is not None else None


@register.filter
def is_member(level) -> bool:
    """Whether a level is more than a reader's (an observer, contributor or lead)."""
    return level >= Level.OBSERVER
