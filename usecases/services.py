"""Every write of the use cases app. Each checks permission first and runs in one transaction.

Locking: `usecase_save` (and what builds on it: `variant_save`, `usecase_import_into`) and
`signoff_give` lock the document's row with `wiki.services.document_lock` before they compare
versions, so they serialise with the wiki's own saves. The use case row is saved before the
document inside that lock; the document's reversion registration follows its `usecase`, so both
land in the one revision `wiki.services.document_revision_save` creates.
"""

from dataclasses import dataclass

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from reversion.models import Version

from participation import permissions
from participation.models import Membership, Organisation, Programme
from participation.permissions import Action
from wiki.events import DocumentEvent, document_event
from wiki.guards import guards_check
from wiki.models import Document, EditMeta
from wiki.services import (
    EditConflict,
    SaveResult,
    WikiError,
    document_lock,
    document_revision_save,
    document_slug_free,
    document_validate,
    link_epoch_bump,
    organisation_of,
    version_of,
)

from . import structure
from .models import DATA_FIELDS, Actor, DetailSettings, LocalWord, SignOff, Term, UseCase

TITLE_NEEDED = _lazy("Give the use case a title: the goal, as a verb phrase.")
ACTOR_NAME_RULE = _lazy("An actor's name has at most 100 characters and no colon.")


class UseCaseConflict(WikiError):
    """Someone saved the use case since the edit's base version and changed the same fields.
    Carries everything that was submitted, so nothing typed is lost."""

    def __init__(
        self,
        *,
        document: Document,
        title: str,
        data: dict,
        summary: str,
        base_version: Version | None,
        fields: list[str],
    ) -> None:
        super().__init__(_("Someone else changed this use case while you were editing it."))
        self.document = document
        self.title = title
        self.data = data
        self.summary = summary
        self.base_version = base_version
        self.fields = fields


@dataclass(frozen=True)
class Snapshot:
    title: str
    data: dict


def snapshot_at(document: Document, version: Version) -> Snapshot:
    """The title and use case data of one version of a document.

    The use case row is found in the same revision; a revision that predates the use case (a
    page that became one) reads as an empty use case."""
    title = version.field_dict.get("title", "")
    usecase_version = (
        Version.objects.get_for_model(UseCase)
        .filter(revision_id__lte=version.revision_id, object_id=_usecase_pk(document))
        .order_by("-revision_id")
        .first()
    )
    if usecase_version is None:
        return Snapshot(title, structure.empty_data())
    return Snapshot(title, structure.normalise(usecase_version.field_dict))


def _usecase_pk(document: Document) -> str:
    pk = UseCase.objects.filter(document=document).values_list("pk", flat=True).first()
    return str(pk or "")


def _ensure_actors(programme: Programme, data: dict) -> None:
    """Add the actors a use case names to the programme's catalogue, if they are new."""
    names = {data["primary_actor"], *data["supporting_actors"]}
    names |= {s["actor"] for s in data["steps"]}
    names |= {s["actor"] for e in data["extensions"] for s in e["steps"]}
    names.discard("")
    known = {a.casefold() for a in programme.actors.values_list("name", flat=True)}
    for name in sorted(names):
        if name.casefold() in known:
            continue
        slug = _unique_actor_slug(programme, name)
        Actor.objects.create(programme=programme, name=name[:100], slug=slug)
        known.add(name.casefold())


def _unique_actor_slug(programme: Programme, name: str) -> str:
    base = slugify(name)[:90] or "actor"
    taken = set(programme.actors.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _validate_data(data: dict) -> None:
    def bad(name: str) -> bool:
        return ":" in name or len(name) > 100

    message = ACTOR_NAME_RULE
    errors = {}
    if bad(data["primary_actor"]):
        errors["primary_actor"] = message
    if any(bad(a) for a in data["supporting_actors"]):
        errors["supporting_actors"] = message
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def usecase_create(
    *,
    programme: Programme,
    parent: Document,
    title: str,
    data: dict,
    author,
    summary: str = "",
) -> Document:
    """Create a use case document below a work process, as one first revision."""
    permissions.check(author, Action.EDIT, programme)
    guards_check(parent, "create")
    if parent.is_deleted:
        raise WikiError(_("The work process was deleted."))
    title = structure.one_line(title)
    if not title:
        raise ValidationError({"title": TITLE_NEEDED})
    data = structure.normalise(data)
    _validate_data(data)
    document = Document(
        programme=programme,
        kind=Document.Kind.USE_CASE,
        parent=parent,
        title=title,
        slug=document_slug_free(programme, title),
        body=structure.to_markdown(title, data),
        created_by=author if author.is_authenticated else None,
        position=parent.children.count(),
    )
    document_validate(document)
    document.save()
    UseCase.objects.create(document=document, **data)
    _ensure_actors(programme, data)
    version = document_revision_save(
        document=document,
        author=author,
        summary=summary or _("Created"),
        action=EditMeta.Action.CREATE,
    )
    link_epoch_bump(programme)
    document_event(
        document=document, event=DocumentEvent.CREATED, actor=author, version_id=version.pk
    )
    return document


def _merge(base: Snapshot | None, current: Snapshot, title: str, data: dict):
    """Three-way merge by field: (title, data, conflicting field names)."""
    if base is None:
        return title, data, ["title", *DATA_FIELDS]
    merged, conflicts = {}, []
    pairs = [("title", base.title, current.title, title)]
    pairs += [(name, base.data[name], current.data[name], data[name]) for name in DATA_FIELDS]
    for name, old, theirs, mine in pairs:
        if mine in (old, theirs):
            merged[name] = theirs
        elif theirs == old:
            merged[name] = mine
        else:
            merged[name] = mine
            conflicts.append(name)
    merged_title = merged.pop("title")
    return merged_title, merged, conflicts


@transaction.atomic
def usecase_save(
    *,
    document: Document,
    data: dict,
    base_version_id: int | None,
    author,
    summary: str = "",
    title: str | None = None,
    action: str = EditMeta.Action.EDIT,
) -> SaveResult:
    """Save an edit of a use case's fields that was based on `base_version_id`.

    The document's body becomes the markdown rendering of the fields, in the same revision. If
    the use case changed since the base version, edits to different fields are merged; edits to
    the same field raise `UseCaseConflict` and nothing is saved.
    """
    permissions.check(author, Action.EDIT, document.programme)
    current = document_lock(document)
    if current.is_deleted:
        raise WikiError(_("This document was deleted."))
    if current.kind != Document.Kind.USE_CASE:
        raise WikiError(_("Only use case documents have use case fields."))
    guards_check(current, "edit")
    usecase, _created = UseCase.objects.select_for_update().get_or_create(document=current)
    title = structure.one_line(title if title is not None else current.title)
    if not title:
        raise ValidationError({"title": TITLE_NEEDED})
    data = structure.normalise(data)
    _validate_data(data)
    if current.head_id is not None and base_version_id != current.head_id:
        try:
            base = snapshot_at(current, version_of(current, base_version_id))
        except (Version.DoesNotExist, ValueError, TypeError):
            base = None
        now = Snapshot(current.title, structure.normalise(usecase.data()))
        title, data, conflicts = _merge(base, now, title, data)
        if conflicts:
            raise UseCaseConflict(
                document=current,
                title=title,
                data=data,
                summary=summary,
                base_version=None if base is None else version_of(current, base_version_id),
                fields=conflicts,
            )
        action = EditMeta.Action.MERGE
    body = structure.to_markdown(title, data)
    if title == current.title and data == structure.normalise(usecase.data()) and not _created:
        return SaveResult(document=current, version=current.head, unchanged=True)
    for name, value in data.items():
        setattr(usecase, name, value)
    usecase.save()
    _ensure_actors(current.programme, data)
    title_changed = title != current.title
    current.title, current.body = title, body
    document_validate(current)
    version = document_revision_save(
        document=current, author=author, summary=summary, action=action
    )
    if title_changed:
        link_epoch_bump(current.programme)
    event = DocumentEvent.REVERTED if action == EditMeta.Action.REVERT else DocumentEvent.EDITED
    document_event(document=current, event=event, actor=author, version_id=version.pk)
    return SaveResult(document=current, version=version, merged=action == EditMeta.Action.MERGE)


@transaction.atomic
def usecase_revert_if_structured(
    *, document: Document, version_id: int, author, summary: str = ""
) -> SaveResult | None:
    """Revert a structured use case to an old version: its fields, steps, extensions and
    variants, and so its body. None when the document has no structured fields (then the
    wiki's plain revert applies). Called by `wiki.services.document_revert`, through the use
    case's kind handler (`usecases.handlers`)."""
    if not UseCase.objects.filter(document=document).exists():
        return None
    permissions.check(author, Action.EDIT, document.programme)
    current = document_lock(document)
    old = version_of(current, version_id)
    has_fields = (
        Version.objects.get_for_model(UseCase)
        .filter(revision_id__lte=old.revision_id, object_id=_usecase_pk(current))
        .exists()
    )
    if has_fields:
        snapshot = snapshot_at(current, old)
        title, data = snapshot.title, snapshot.data
    else:
        try:
            title, data = structure.from_markdown(
                old.field_dict.get("body", ""), organisation_names(current.programme)
            )
        except structure.MarkdownError:
            raise WikiError(
                _(
                    "This version was written before the use case had its fields, and its text "
                    "does not fit the use case template. Copy what you need from it instead."
                )
            ) from None
        title = old.field_dict.get("title") or title
    date = timezone.localtime(old.revision.date_created).strftime("%Y-%m-%d %H:%M")
    return usecase_save(
        document=current,
        data=data,
        base_version_id=current.head_id,
        author=author,
        summary=summary or _("Reverted to the version of %(date)s") % {"date": date},
        title=title,
        action=EditMeta.Action.REVERT,
    )


def organisation_names(programme: Programme) -> dict[str, int]:
    """{casefolded name: id} of the programme's member organisations, for variant lines."""
    return {
        name.casefold(): pk
        for pk, name in Organisation.objects.filter(memberships__programme=programme).values_list(
            "pk", "name"
        )
    }


@transaction.atomic
def usecase_import(*, programme: Programme, parent: Document, text: str, author) -> Document:
    """Create a use case from the markdown template. `structure.MarkdownError` (naming the
    line) when the file does not fit; then nothing is created."""
    permissions.check(author, Action.EDIT, programme)
    title, data = structure.from_markdown(text, organisation_names(programme))
    return usecase_create(
        programme=programme,
        parent=parent,
        title=title,
        data=data,
        author=author,
        summary=_("Imported from Markdown"),
    )


@transaction.atomic
def usecase_save_markdown_if_structured(
    *,
    document: Document,
    body: str,
    base_version_id: int | None,
    author,
    summary: str = "",
    title: str | None = None,
) -> SaveResult | None:
    """A structured use case edited as Markdown (the wiki's editor, the documents API): the
    text is read back into fields, so fields and body stay one. None when the document has no
    fields (then the wiki saves it as plain text). Called by `wiki.services.document_save`,
    through the use case's kind handler (`usecases.handlers`).

    Text that does not fit the template is refused with the line it fails on; a conflicting
    edit raises the wiki's `EditConflict` with the submitted text, as a plain edit would."""
    usecase = UseCase.objects.filter(document=document).first()
    if usecase is None:
        return None
    try:
        parsed_title, data = structure.from_markdown(body, organisation_names(document.programme))
    except structure.MarkdownError as error:
        raise ValidationError({"body": str(error)}) from None
    data = structure.adopt_ids(data, structure.normalise(usecase.data()))
    try:
        return usecase_save(
            document=document,
            data=data,
            base_version_id=base_version_id,
            author=author,
            summary=summary,
            title=title if title is not None else parsed_title,
        )
    except UseCaseConflict as conflict:
        raise EditConflict(
            document=conflict.document,
            title=conflict.title,
            body=body,
            summary=summary,
            base_version=conflict.base_version,
        ) from None


@transaction.atomic
def usecase_import_into(
    *, document: Document, text: str, base_version_id: int | None, author
) -> SaveResult:
    """Replace a use case's fields with those of a markdown file, as a new version."""
    permissions.check(author, Action.EDIT, document.programme)
    title, data = structure.from_markdown(text, organisation_names(document.programme))
    current = UseCase.objects.filter(document=document).first()
    if current is not None:
        data = structure.adopt_ids(data, structure.normalise(current.data()))
    return usecase_save(
        document=document,
        data=data,
        base_version_id=base_version_id,
        author=author,
        title=title,
        summary=_("Imported from Markdown"),
    )


def contributing_organisation(user, programme: Programme) -> Organisation:
    """The organisation a person acts for when it must be a contributor of the programme."""
    organisation = organisation_of(user, programme)
    if (
        organisation is None
        or not Membership.objects.filter(
            programme=programme,
            organisation=organisation,
            level=Membership.MemberLevel.CONTRIBUTOR,
        ).exists()
    ):
        raise PermissionDenied(
            _("You act here for an organisation, and yours does not contribute to this programme.")
        )
    return organisation


@transaction.atomic
def variant_save(
    *, document: Document, target: str, text: str, base_version_id: int | None, author
) -> SaveResult:
    """Record (or, with empty text, remove) the author's organisation's variant of one step or
    extension. A new version of the use case, like any edit. Without a base version the
    variant is recorded on the current version."""
    permissions.check(author, Action.EDIT, document.programme)
    organisation = contributing_organisation(author, document.programme)
    document = document_lock(document)
    if base_version_id is None:
        base_version_id = document.head_id
    usecase = UseCase.objects.filter(document=document).first()
    if usecase is None:
        raise WikiError(_("Only use case documents have variants."))
    data = structure.normalise(usecase.data())
    if target not in structure.item_labels(data):
        raise ValidationError({"target": _("That step or extension no longer exists.")})
    variants = [
        v
        for v in data["variants"]
        if not (v["target"] == target and v["organisation"] == organisation.pk)
    ]
    if structure.clean_text(text):
        variants.append(
            {
                "organisation": organisation.pk,
                "organisation_name": organisation.name,
                "target": target,
                "text": text,
            }
        )
    data["variants"] = variants
    label = structure.item_labels(data)[target]
    return usecase_save(
        document=document,
        data=data,
        base_version_id=base_version_id,
        author=author,
        summary=_("Variant of %(organisation)s for %(label)s")
        % {"organisation": organisation.name, "label": label},
    )


@transaction.atomic
def signoff_give(*, document: Document, verdict: str, remarks: str, author) -> SignOff:
    """The author's organisation signs off the document's current version (any document).
    Giving it again replaces the organisation's earlier sign-off."""
    permissions.check(author, Action.SIGN_OFF, document.programme)
    organisation = contributing_organisation(author, document.programme)
    current = document_lock(document)
    if current.is_deleted:
        raise WikiError(_("This document was deleted."))
    guards_check(current, "sign_off")
    if current.head_id is None:
        raise WikiError(_("This document has no version to sign off yet."))
    if verdict not in SignOff.Verdict.values:
        raise ValidationError({"verdict": _("Choose agree, agree with remarks or object.")})
    remarks = structure.clean_text(remarks)
    if verdict == SignOff.Verdict.OBJECT and not remarks:
        raise ValidationError({"remarks": _("Say why your organisation objects.")})
    signoff, _created = SignOff.objects.update_or_create(
        document=current,
        organisation=organisation,
        defaults={
            "verdict": verdict,
            "remarks": remarks,
            "version_id": current.head_id,
            "signed_by": author,
        },
    )
    return signoff


@transaction.atomic
def signoff_withdraw(*, document: Document, author) -> None:
    permissions.check(author, Action.SIGN_OFF, document.programme)
    organisation = contributing_organisation(author, document.programme)
    guards_check(document_lock(document), "sign_off")
    SignOff.objects.filter(document=document, organisation=organisation).delete()


@transaction.atomic
def actor_save(
    *, programme: Programme, name: str, description: str, author, actor: Actor | None = None
) -> Actor:
    permissions.check(author, Action.EDIT, programme)
    name = structure.one_line(name)
    if not name or ":" in name or len(name) > 100:
        raise ValidationError({"name": ACTOR_NAME_RULE})
    clash = programme.actors.filter(name__iexact=name)
    if actor is not None:
        clash = clash.exclude(pk=actor.pk)
    if clash.exists():
        raise ValidationError({"name": _("This programme already has an actor with this name.")})
    if actor is None:
        actor = Actor(programme=programme, slug=_unique_actor_slug(programme, name))
    actor.name, actor.description = name, structure.clean_text(description)
    actor.save()
    return actor


def _unique_term_slug(programme: Programme, term: str, exclude_pk: int | None) -> str:
    base = slugify(term)[:90] or "term"
    taken = set(
        programme.terms.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def term_save(
    *,
    programme: Programme,
    term: str,
    definition: str,
    author,
    instance: Term | None = None,
    summary: str = "",
) -> Term:
    """Create or change a glossary term, as one reversion revision."""
    permissions.check(author, Action.EDIT, programme)
    term = structure.one_line(term)
    definition = structure.clean_text(definition)
    if not term or len(term) > 100:
        raise ValidationError({"term": _("A term has between 1 and 100 characters.")})
    if not definition:
        raise ValidationError({"definition": _("Give the term a definition.")})
    clash = programme.terms.filter(term__iexact=term)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise ValidationError({"term": _("The glossary already has this term.")})
    if instance is None:
        instance = Term(programme=programme)
    else:
        instance = Term.objects.select_for_update().get(pk=instance.pk)
    instance.term, instance.definition = term, definition
    instance.slug = _unique_term_slug(programme, term, instance.pk)
    with reversion.create_revision(atomic=False):
        instance.save()
        reversion.set_user(author)
        reversion.set_comment(summary or (_("Changed") if instance.pk else _("Created")))
    link_epoch_bump(programme)
    return instance


@transaction.atomic
def local_word_save(*, term: Term, word: str, author) -> LocalWord | None:
    """What the author's organisation calls the term; empty removes it. Versioned with it."""
    permissions.check(author, Action.EDIT, term.programme)
    organisation = contributing_organisation(author, term.programme)
    word = structure.one_line(word)
    if len(word) > 100:
        raise ValidationError({"word": _("A word has at most 100 characters.")})
    term = Term.objects.select_for_update().get(pk=term.pk)
    with reversion.create_revision(atomic=False):
        if word:
            local, _created = LocalWord.objects.update_or_create(
                term=term, organisation=organisation, defaults={"word": word}
            )
        else:
            LocalWord.objects.filter(term=term, organisation=organisation).delete()
            local = None
        term.save()  # the term's revision follows its local words
        reversion.set_user(author)
        reversion.set_comment(
            _("Local word of %(organisation)s") % {"organisation": organisation.name}
        )
    return local


@transaction.atomic
def technical_words_save(*, programme: Programme, words: str, author) -> DetailSettings:
    """The programme's list of too-technical words (leads only), one per line."""
    permissions.check(author, Action.MANAGE_PROGRAMME, programme)
    settings, _created = DetailSettings.objects.get_or_create(programme=programme)
    lines = [structure.one_line(w) for w in words.replace(",", "\n").splitlines()]
    settings.technical_words = "\n".join(dict.fromkeys(w for w in lines if w))
    settings.save()
    return settings
