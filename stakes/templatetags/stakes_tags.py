"""What stakes shows in other apps' pages (through `participation.panels`): a document's costs
and benefits, the timebox closing checklist's missing entries, the link to a timebox's balance."""

from django import template

from participation import permissions

from .. import selectors
from ..actions import DECIDE
from ..models import STAKE_DOCUMENT_KINDS

register = template.Library()


@register.simple_tag
def document_stakes(document):
    """The document's entries, or None when its kind takes none."""
    if document is None or document.kind not in STAKE_DOCUMENT_KINDS:
        return None
    return list(selectors.stakes_of(document))


@register.simple_tag
def missing_stake_entries(timebox):
    documents, missing = selectors.missing_entries(timebox)
    return {"documents": documents, "missing": missing}


@register.simple_tag
def open_proposals(document):
    if document is None:
        return []
    return list(document.proposals.filter(status="open").order_by("deadline"))


@register.simple_tag(takes_context=True)
def may_decide(context, programme) -> bool:
    request = context.get("request")
    return request is not None and permissions.can(request.user, DECIDE, programme)


@register.filter
def size_label(value) -> str:
    from ..models import Stake

    try:
        return str(Stake.Size(int(value)).label)
    except (TypeError, ValueError):
        return ""
