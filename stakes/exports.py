"""The decisions behind a baseline, in its annex (`wiki.exports`): recorded when the set is
taken (a timebox closes), so the annex shows the decisions that held then, however late it is
built; listed as an appendix after the glossary."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from wiki.exports import Appendix, ExportContext

from . import selectors


def decisions_record(programme, documents: list) -> list[dict]:
    """The decided proposals linked to any document of the set."""
    ids = {document.pk for document in documents}
    return [
        {
            "reference": proposal.reference,
            "title": proposal.title,
            "decided_at": proposal.decided_at.isoformat(),
            "outcome": proposal.outcome,
            "documents": sorted(d.title for d in proposal.documents.all() if d.pk in ids),
        }
        for proposal in selectors.decisions_behind(programme, ids)
    ]


def decisions_appendix(context: ExportContext) -> list[Appendix]:
    decisions = context.records.get("decisions") or []
    if not decisions:
        return []
    from django.utils.dateparse import parse_datetime

    for decision in decisions:
        decision["decided"] = parse_datetime(decision["decided_at"])
    html = render_to_string("stakes/annex_decisions.html", {"decisions": decisions})
    return [Appendix(title=_("Decisions"), html=html, anchor="decisions")]
