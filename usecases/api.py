"""API: structured use cases with their steps, extensions, variants and sign-offs; actors and
the glossary. Thin: parse, call one selector or service, shape the answer. The services check
permissions themselves; `config.api` turns their exceptions into 400/403/404/409 answers."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from reversion.models import Version

from participation.schemas import ErrorOut
from participation.selectors import programme_for
from wiki.models import Document
from wiki.services import version_of

from . import selectors, services, structure
from .models import Actor, Term
from .schemas import (
    ActorOut,
    SignOffIn,
    SignOffOut,
    TermIn,
    TermOut,
    UseCaseConflictOut,
    UseCaseCreateIn,
    UseCaseDiffOut,
    UseCaseFieldsIn,
    UseCaseOut,
    UseCaseSaveOut,
    UseCaseSummaryOut,
    UseCaseUpdateIn,
    VariantIn,
)

router = Router(tags=["use cases"])

PROGRAMME = "/programmes/{programme}/"
USECASE = PROGRAMME + "usecases/{document}/"
READ_ERRORS = {404: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _usecase(programme, slug: str) -> Document:
    document = (
        Document.objects.alive()
        .select_related("programme", "parent")
        .filter(programme=programme, slug=slug, kind=Document.Kind.USE_CASE)
        .first()
    )
    if document is None:
        raise Http404(_("This programme has no use case with this address."))
    return document


def _any_document(programme, slug: str) -> Document:
    document = (
        Document.objects.alive().select_related("programme").filter(programme=programme, slug=slug)
    ).first()
    if document is None:
        raise Http404(_("This programme has no document with this address."))
    return document


def _data_in(payload: UseCaseFieldsIn) -> dict:
    data = payload.dict()
    data.pop("title", None)
    for extension in data["extensions"]:
        extension["steps"] = [dict(s) for s in extension["steps"]]
    return data


def _signoffs(document: Document) -> list[dict]:
    return [
        {
            "organisation": s.signoff.organisation.name,
            "verdict": s.signoff.verdict,
            "remarks": s.signoff.remarks,
            "version_id": s.signoff.version_id,
            "signed_at": s.signoff.signed_at,
            "stale": s.stale,
            "diff_url": s.diff_url,
        }
        for s in selectors.signoffs_for(document)
    ]


def _out(document: Document) -> dict:
    data = selectors.usecase_data(document)
    labels = structure.item_labels(data)

    def step(s):
        return {**s, "label": labels[s["id"]]}

    return {
        "slug": document.slug,
        "title": document.title,
        "parent": document.parent.slug if document.parent_id else None,
        "head_version_id": document.head_id,
        **{k: v for k, v in data.items() if k not in structure.LISTS},
        "steps": [step(s) for s in data["steps"]],
        "extensions": [
            {**e, "label": labels[e["id"]], "steps": [step(s) for s in e["steps"]]}
            for e in data["extensions"]
        ],
        "variants": [
            {
                "id": v["id"],
                "organisation": v["organisation_name"],
                "target": v["target"],
                "target_label": labels.get(v["target"], "?"),
                "text": v["text"],
            }
            for v in data["variants"]
        ],
        "warnings": [
            {"code": w.code, "message": w.message}
            for w in structure.detail_warnings(
                data, selectors.technical_words(document.programme), title=document.title
            )
        ],
        "signoffs": _signoffs(document),
        "markdown": structure.to_markdown(document.title, data),
    }


@router.get(PROGRAMME + "usecases/", response={200: list[UseCaseSummaryOut], **READ_ERRORS})
def usecase_list(request, programme: str):
    """The programme's use cases with their figures and the number of detail warnings."""
    found = programme_for(request.user, programme)
    result = []
    for _depth, node in selectors.overview(found).rows:
        if node.usecase is None or node.document.kind != Document.Kind.USE_CASE:
            continue
        result.append(
            {
                "slug": node.document.slug,
                "title": node.document.title,
                "parent": None,
                "goal_level": node.usecase.goal_level,
                "head_version_id": node.document.head_id,
                "steps": node.step_count,
                "extensions": node.extension_count,
                "variants": node.variant_count,
                "warnings": len(node.warnings),
            }
        )
    parents = dict(
        Document.objects.filter(slug__in=[r["slug"] for r in result], programme=found).values_list(
            "slug", "parent__slug"
        )
    )
    for row in result:
        row["parent"] = parents.get(row["slug"])
    return result


@router.post(PROGRAMME + "usecases/", response={201: UseCaseOut, **WRITE_ERRORS})
def usecase_create(request, programme: str, payload: UseCaseCreateIn):
    """Create a use case below a work process (contributors and leads)."""
    found = programme_for(request.user, programme)
    parent = (
        Document.objects.alive()
        .filter(programme=found, slug=payload.parent, kind=Document.Kind.WORK_PROCESS)
        .first()
    )
    if parent is None:
        raise ValidationError(
            {"parent": _("This programme has no work process with this address.")}
        )
    document = services.usecase_create(
        programme=found,
        parent=parent,
        title=payload.title,
        data=_data_in(payload),
        author=request.user,
        summary=payload.summary,
    )
    return Status(201, _out(document))


@router.get(USECASE, response={200: UseCaseOut, **READ_ERRORS})
def usecase_detail(request, programme: str, document: str):
    """A use case's fields, steps, extensions (labelled 3a, 3b, …), variants per organisation,
    detail warnings and sign-offs, and its Markdown export."""
    found = programme_for(request.user, programme)
    return _out(_usecase(found, document))


@router.put(
    USECASE,
    response={
        200: UseCaseSaveOut,
        409: UseCaseConflictOut,
        **{k: v for k, v in WRITE_ERRORS.items() if k != 409},
    },
)
def usecase_update(request, programme: str, document: str, payload: UseCaseUpdateIn):
    """Save an edit based on `base_version_id`. Variants are kept as they are (see
    `variants/`). Edits of different fields since the base are merged; edits of the same field
    answer 409 with your submission and nothing is saved."""
    found = programme_for(request.user, programme)
    current = _usecase(found, document)
    data = _data_in(payload)
    data.pop("base_version_id", None)
    data.pop("summary", None)
    data["variants"] = selectors.usecase_data(current)["variants"]
    try:
        result = services.usecase_save(
            document=current,
            data=data,
            base_version_id=payload.base_version_id,
            author=request.user,
            summary=payload.summary,
            title=payload.title,
        )
    except services.UseCaseConflict as conflict:
        return Status(
            409,
            {
                "detail": conflict.message,
                "fields": conflict.fields,
                "current_version_id": conflict.document.head_id,
                "submitted": UseCaseFieldsIn(**payload.dict()).dict(),
            },
        )
    return {
        "use_case": _out(result.document),
        "version_id": result.version.pk if result.version else None,
        "merged": result.merged,
        "unchanged": result.unchanged,
    }


@router.put(USECASE + "variants/", response={200: UseCaseSaveOut, **WRITE_ERRORS})
def variant_save(request, programme: str, document: str, payload: VariantIn):
    """Record your organisation's variant of a step or extension (empty text removes it)."""
    found = programme_for(request.user, programme)
    result = services.variant_save(
        document=_usecase(found, document),
        target=payload.target,
        text=payload.text,
        base_version_id=payload.base_version_id,
        author=request.user,
    )
    return {
        "use_case": _out(result.document),
        "version_id": result.version.pk if result.version else None,
        "merged": result.merged,
        "unchanged": result.unchanged,
    }


@router.get(USECASE + "diff/", response={200: UseCaseDiffOut, **READ_ERRORS})
def usecase_diff(
    request, programme: str, document: str, to: int, from_: int | None = Query(None, alias="from")
):
    """Field by field: which fields changed, which steps and extensions were added, removed,
    changed or moved, between two versions (`from` defaults to the version before `to`)."""
    found = programme_for(request.user, programme)
    current = _usecase(found, document)
    from_id = from_
    try:
        new = version_of(current, to)
        old = version_of(current, int(from_id)) if from_id else None
    except (Version.DoesNotExist, ValueError, TypeError):
        raise Http404(_("This document has no such version.")) from None
    if old is None:
        old = Version.objects.get_for_object(current).filter(pk__lt=new.pk).order_by("-pk").first()
    after = services.snapshot_at(current, new)
    before = (
        services.snapshot_at(current, old) if old else services.Snapshot("", structure.empty_data())
    )
    changes = structure.diff(before.data, after.data, old_title=before.title, new_title=after.title)

    def items(found_changes):
        return [
            {
                "kind": c.kind,
                "old_label": c.old_label,
                "new_label": c.new_label,
                "old": c.old,
                "new": c.new,
                "steps": items(c.steps),
            }
            for c in found_changes
        ]

    return {
        "from_version_id": old.pk if old else None,
        "to_version_id": new.pk,
        "fields": [{"field": c.name, "old": c.old, "new": c.new} for c in changes.fields],
        "steps": items(changes.steps),
        "extensions": items(changes.extensions),
        "variants": items(changes.variants),
    }


@router.get(
    PROGRAMME + "documents/{document}/signoffs/", response={200: list[SignOffOut], **READ_ERRORS}
)
def signoff_list(request, programme: str, document: str):
    """The sign-offs of any document, per organisation; `stale` when given on an older
    version."""
    found = programme_for(request.user, programme)
    return _signoffs(_any_document(found, document))


@router.post(
    PROGRAMME + "documents/{document}/signoffs/", response={200: list[SignOffOut], **WRITE_ERRORS}
)
def signoff_give(request, programme: str, document: str, payload: SignOffIn):
    """Sign off the document's current version for your organisation (contributors). An
    objection needs `remarks` saying why."""
    found = programme_for(request.user, programme)
    current = _any_document(found, document)
    services.signoff_give(
        document=current, verdict=payload.verdict, remarks=payload.remarks, author=request.user
    )
    current.refresh_from_db()
    return _signoffs(current)


@router.get(PROGRAMME + "actors/", response={200: list[ActorOut], **READ_ERRORS})
def actor_list(request, programme: str):
    found = programme_for(request.user, programme)
    return [
        {
            "slug": a.slug,
            "name": a.name,
            "description": a.description,
            "use_cases": [d.slug for d in selectors.actor_usecases(a)],
        }
        for a in Actor.objects.filter(programme=found)
    ]


def _term(term: Term) -> dict:
    return {
        "slug": term.slug,
        "term": term.term,
        "definition": term.definition,
        "local_words": [
            {"organisation": w.organisation.name, "word": w.word} for w in term.local_words.all()
        ],
    }


@router.get(PROGRAMME + "glossary/", response={200: list[TermOut], **READ_ERRORS})
def glossary(request, programme: str):
    """The programme's glossary: terms, definitions and each organisation's local word."""
    found = programme_for(request.user, programme)
    return [_term(t) for t in selectors.glossary(found)]


@router.post(PROGRAMME + "glossary/", response={201: TermOut, **WRITE_ERRORS})
def term_create(request, programme: str, payload: TermIn):
    found = programme_for(request.user, programme)
    term = services.term_save(
        programme=found, term=payload.term, definition=payload.definition, author=request.user
    )
    return Status(201, _term(term))


@router.put(PROGRAMME + "glossary/{term}/", response={200: TermOut, **WRITE_ERRORS})
def term_update(request, programme: str, term: str, payload: TermIn):
    found = programme_for(request.user, programme)
    instance = get_object_or_404(Term, programme=found, slug=term)
    instance = services.term_save(
        programme=found,
        term=payload.term,
        definition=payload.definition,
        author=request.user,
        instance=instance,
    )
    return _term(instance)
