"""What use cases add to an export of documents (a baseline's tender annex), through the
extension points of `wiki.exports` (registered in `UsecasesConfig.ready`):

- a use case in its structured form (fields, main scenario, extensions, the organisations'
  variants as marked paragraphs) instead of its markdown text, as it was in the set;
- a sign-off table per document: organisation, verdict, on which version, still current;
- the glossary as an appendix, with each organisation's own words.

The sign-offs and the glossary are recorded when the set is taken (a timebox closes), so a later
export shows what held then. For sets taken before that was recorded, the sign-offs given
before the moment and the present glossary stand in.
"""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from reversion.models import Version

from wiki.exports import Appendix, ExportContext, ExportDocument, Section
from wiki.rendering import markdown_to_html, programme_resolver

from . import structure
from .display import structured_context
from .models import SignOff, Term, UseCase

# --- recorded when the set is taken -------------------------------------------------------------


def signoffs_record(programme, documents) -> dict[str, list[dict]]:
    """{document id: [sign-off]} of the documents, as they stand now."""
    rows: dict[str, list[dict]] = {}
    for signoff in (
        SignOff.objects.filter(document__in=documents)
        .select_related("organisation")
        .order_by("organisation__name")
    ):
        rows.setdefault(str(signoff.document_id), []).append(_signoff_row(signoff))
    return rows


def _signoff_row(signoff: SignOff) -> dict:
    return {
        "organisation": signoff.organisation.name,
        "verdict": signoff.verdict,
        "remarks": signoff.remarks,
        "version_id": signoff.version_id,
        "signed_at": signoff.signed_at.isoformat(),
    }


def glossary_record(programme, documents) -> list[dict]:
    """The programme's glossary as it stands now, with the organisations' own words."""
    return [
        {
            "term": term.term,
            "definition": term.definition,
            "local_words": [
                [local.organisation.name, local.word]
                for local in sorted(term.local_words.all(), key=lambda w: w.organisation.name)
            ],
        }
        for term in Term.objects.filter(programme=programme)
        .prefetch_related("local_words__organisation")
        .order_by("term")
    ]


# --- the use cases' structured form -------------------------------------------------------------


def usecase_bodies(context: ExportContext, documents: list[ExportDocument]) -> dict[int, str]:
    """{document id: HTML} of the use cases in their structured form as they were in the set;
    a use case without fields keeps its text."""
    usecases = dict(
        UseCase.objects.filter(document_id__in=[d.document_id for d in documents]).values_list(
            "pk", "document_id"
        )
    )
    data: dict[int, dict] = {}
    if context.revision_id is not None:
        for version in Version.objects.get_for_model(UseCase).filter(
            revision_id=context.revision_id, object_id__in=[str(pk) for pk in usecases]
        ):
            data[usecases[int(version.object_id)]] = version.field_dict
    else:
        for usecase in UseCase.objects.filter(pk__in=usecases):
            data[usecase.document_id] = usecase.data()
    resolve = programme_resolver(context.programme)

    def render(text: str) -> str:
        return markdown_to_html(text, resolve) if text else ""

    return {pk: usecase_html(structure.normalise(fields), render) for pk, fields in data.items()}


def _inline(html: str) -> SafeString:
    """Rendered markdown of one line without its paragraph, to stand inside a list item."""
    html = html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return mark_safe(html)  # noqa: S308 - sanitised by wiki.rendering


def usecase_html(data: dict, render) -> str:
    def block(text: str) -> SafeString:
        return mark_safe(render(text))  # noqa: S308 - sanitised by wiki.rendering

    context = structured_context(data, block, render_line=lambda text: _inline(render(text)))
    fields = [(_("Goal level"), context["goal_level"])]
    if data["primary_actor"]:
        fields.append((_("Primary actor"), data["primary_actor"]))
    if data["supporting_actors"]:
        fields.append((_("Supporting actors"), ", ".join(data["supporting_actors"])))
    return render_to_string("usecases/annex/usecase.html", {**context, "facts": fields})


# --- sign-offs -----------------------------------------------------------------------------------


def signoff_sections(context: ExportContext) -> dict[int, list[Section]]:
    recorded = context.records.get("signoffs")
    ids = [d.document_id for d in context.documents]
    if recorded is None:  # a set taken before sign-offs were recorded with it
        signoffs = SignOff.objects.filter(document_id__in=ids).select_related("organisation")
        if context.taken_at is not None:
            signoffs = signoffs.filter(signed_at__lte=context.taken_at)
        recorded = {}
        for signoff in signoffs.order_by("organisation__name"):
            recorded.setdefault(str(signoff.document_id), []).append(_signoff_row(signoff))
    context.load_numbers(row["version_id"] for rows in recorded.values() for row in rows)
    verdicts = dict(SignOff.Verdict.choices)
    sections = {}
    for document in context.documents:
        rows = [
            {
                **row,
                "verdict_label": verdicts.get(row["verdict"], row["verdict"]),
                "number": context.number_of(row["version_id"]),
                "current": row["version_id"] == document.head_id,
            }
            for row in recorded.get(str(document.document_id), [])
        ]
        html = render_to_string(
            "usecases/annex/signoffs.html",
            {"rows": rows, "remarks": any(row["remarks"] for row in rows)},
        )
        sections[document.document_id] = [Section(_("Sign-offs"), html, "signoffs")]
    return sections


# --- the glossary --------------------------------------------------------------------------------


def glossary_appendix(context: ExportContext) -> list[Appendix]:
    terms = context.records.get("glossary")
    if terms is None:
        terms = glossary_record(context.programme, [])
    html = render_to_string("usecases/annex/glossary.html", {"terms": terms})
    return [Appendix(_("Glossary"), html, "glossary")]
