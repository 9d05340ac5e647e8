"""Every write to the wiki. Each checks permission first, then works inside one transaction.

Locking: `document_save`, `document_revert`, `document_rename`, `document_move`,
`document_delete` and `document_restore` lock the document's row (`document_lock`) before they
compare versions or ask the save guards (`wiki.guards`), so two concurrent changes are
serialised and the second one sees the first. Every change that produces content is one
reversion revision with the author, the author's organisation (`EditMeta`) and the summary as
the revision's comment.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import merge3
import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max, Q, Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from reversion.models import Version

from participation import permissions
from participation.models import Organisation, Programme
from participation.permissions import Action
from participation.text import one_line

from .attachments import AttachmentRefused, attachment_check
from .events import DocumentEvent, document_event
from .guards import guards_check
from .kinds import kind_handler
from .models import (
    Attachment,
    Comment,
    Document,
    DocumentTemplate,
    EditMeta,
    SlugRedirect,
    VersionNumber,
    Watch,
    attachments_storage,
    text_too_long,
)
from .rendering import rendering_store

logger = logging.getLogger("stip.wiki")


class WikiError(Exception):
    """A change the rules refuse; `message` is for the person who tried it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EditConflict(WikiError):
    """Someone saved the document since the version the edit was based on, and the two edits
    overlap. Carries the submitted text so nothing typed is lost."""

    def __init__(
        self,
        *,
        document: Document,
        title: str,
        body: str,
        summary: str,
        base_version: Version | None,
    ) -> None:
        super().__init__(_("Someone else changed this document while you were editing it."))
        self.document = document
        self.title = title
        self.body = body
        self.summary = summary
        self.base_version = base_version


class DocumentFrozen(WikiError):
    """A save guard refuses changes to the document for now (a timebox whose deadline has
    passed froze it); the caller keeps the submitted text."""

    def __init__(self, message: str, *, until=None) -> None:
        super().__init__(message)
        self.until = until


def change_refusal(document: Document, action: str = "edit") -> str | None:
    """Why the save guards would refuse this change to the document now (a timebox's freeze),
    or None: said when a person opens the editor, before they type. The service asks the
    guards again when they save, inside its transaction."""
    try:
        guards_check(document, action)
    except WikiError as error:
        return error.message
    return None


@dataclass(frozen=True)
class SaveResult:
    document: Document
    version: Version | None
    merged: bool = False
    unchanged: bool = False


def organisation_of(user, programme: Programme) -> Organisation | None:
    """The organisation a person acts for in a programme: the member organisation with the
    highest level, else their first organisation."""
    if user is None or not user.is_authenticated:
        return None
    organisations = Organisation.objects.filter(affiliations__user=user)
    member = (
        organisations.filter(memberships__programme=programme)
        .order_by("memberships__level", "name")  # "contributor" sorts before "observer"
        .first()
    )
    if member is not None:
        return member
    return organisations.order_by("name").first()


def document_slug_free(programme: Programme, title: str, *, exclude_pk: int | None = None) -> str:
    """An address for a document with this title that no document (nor an old address of one)
    in the programme has."""
    base = slugify(title)[:180] or "document"
    taken = set(
        Document.objects.filter(programme=programme, slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    ) | set(
        SlugRedirect.objects.filter(programme=programme, old_slug__startswith=base)
        .exclude(document_id=exclude_pk)
        .values_list("old_slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def document_validate(document: Document, *, unchanged: tuple[str, ...] = ()) -> None:
    """Validate the document; `unchanged` names fields the change kept as they were in the
    locked row, whose checks (each a query: the programme and parent exist, the address is
    free) would only repeat what the database holds."""
    document.full_clean(
        exclude=["head", "created_by", "deleted_by", "position", *unchanged],
        validate_unique=False,
    )


def document_revision_save(
    *, document: Document, author, summary: str, action: str, update_fields: list[str] | None = None
) -> Version:
    """Save the document as one new reversion revision and point its head at the new version,
    numbered, its text rendered and stored with it (`wiki.rendering`). Call inside the change's
    transaction, with the document's row locked (`document_lock`)."""
    with reversion.create_revision(atomic=False):
        document.save(update_fields=update_fields)
        if author is not None and author.is_authenticated:
            reversion.set_user(author)
        reversion.set_comment(one_line(summary))
        reversion.add_meta(
            EditMeta, organisation=organisation_of(author, document.programme), action=action
        )
    # The new version without its stored copy of the document, which the caller has in hand.
    version = (
        Version.objects.get_for_object(document)
        .defer("serialized_data", "object_repr")
        .order_by("-pk")
        .first()
    )
    Document.objects.filter(pk=document.pk).update(head=version)
    _number(document, version)
    rendering_store(version, document.body)
    document.head = version
    return version


def _number(document: Document, version: Version) -> None:
    """Give the new version the document's next own number. The callers hold the document's
    row locked (or just created it), so no other save numbers the same document meanwhile; the
    unique constraint guards besides."""
    last = VersionNumber.objects.filter(document=document).aggregate(last=Max("number"))["last"]
    version.numbering = VersionNumber.objects.create(
        version=version, document=document, number=(last or 0) + 1
    )


def link_epoch_bump(programme: Programme) -> None:
    """Documents appeared, disappeared or were renamed: rendered wiki links of the programme
    are made anew."""
    Programme.objects.filter(pk=programme.pk).update(link_epoch=F("link_epoch") + 1)
    programme.refresh_from_db(fields=["link_epoch"])


def document_lock(document: Document) -> Document:
    """The document, its row locked (`select_for_update`) until the transaction ends: changes
    that compare versions, or ask the save guards, take this first."""
    return (
        Document.objects.select_for_update(of=("self",))
        .select_related("programme", "head")
        .get(pk=document.pk)
    )


def version_of(document: Document, version_id) -> Version:
    """A version of this document, or Version.DoesNotExist (also for another document's). With
    its revision and author, whom the version and diff pages name."""
    versions = Version.objects.get_for_object(document).select_related(
        "revision__user", "numbering"
    )
    return versions.get(pk=version_id)


@transaction.atomic
def document_create(
    *,
    programme: Programme,
    kind: str,
    title: str,
    body: str | None,
    author,
    parent: Document | None = None,
    summary: str = "",
    slug: str | None = None,
    attachment_ids: list[int] | tuple[int, ...] = (),
) -> Document:
    """A new document. Without a `body` (None) it starts from the programme's template for its
    kind (`document_template_set`), if there is one. `attachment_ids` are files the author
    staged for it while writing (`attachment_stage`): they join its first version (one that is
    not the author's staged file in this programme is passed over)."""
    permissions.check(author, Action.EDIT, programme)
    if body is None:
        template = DocumentTemplate.objects.filter(programme=programme, kind=kind).first()
        body = template.body if template is not None else ""
    if parent is not None:
        guards_check(parent, "create")
    title = one_line(title)
    document = Document(
        programme=programme,
        kind=kind,
        parent=parent,
        title=title,
        slug=slug or document_slug_free(programme, title),
        body=body,
        created_by=author if author.is_authenticated else None,
    )
    if slug and Document.objects.filter(programme=programme, slug=slug).exists():
        raise ValidationError({"slug": _("Another document in this programme has this address.")})
    if parent is not None:
        document.position = parent.children.count()
    staged = list(
        staged_attachments(author, programme)
        .filter(pk__in=[pk for pk in attachment_ids if isinstance(pk, int)])
        .select_for_update()
        .order_by("pk")
    )
    document.files = {a.name: a.pk for a in staged}  # of one name, the latest
    document_validate(document)
    version = document_revision_save(
        document=document,
        author=author,
        summary=summary or _("Created"),
        action=EditMeta.Action.CREATE,
    )
    if staged:
        Attachment.objects.filter(pk__in=[a.pk for a in staged]).update(
            document=document, staged_in=None
        )
    link_epoch_bump(programme)
    document_event(
        document=document, event=DocumentEvent.CREATED, actor=author, version_id=version.pk
    )
    return document


@transaction.atomic
def document_save(
    *,
    document: Document,
    body: str,
    base_version_id: int | None,
    author,
    summary: str = "",
    title: str | None = None,
) -> SaveResult:
    """Save an edit that was based on `base_version_id`.

    If the document changed since, the two edits are merged line by line when they do not
    overlap; otherwise `EditConflict` is raised and nothing is saved. The handler of the
    document's kind (`wiki.kinds`) may save it its own way: a structured use case's text is read
    back into its fields (a ValidationError on `body` names the line that does not fit).
    """
    permissions.check(author, Action.EDIT, document.programme)
    current = document_lock(document)
    if current.is_deleted:
        raise WikiError(_("This document was deleted."))
    guards_check(current, "edit")
    result = kind_handler(current.kind).save_markdown(
        document=current,
        body=body,
        base_version_id=base_version_id,
        author=author,
        summary=summary,
        title=title,
    )
    if result is not None:
        return result
    title = one_line(title if title is not None else current.title)
    body = body.replace("\r\n", "\n")
    action = EditMeta.Action.EDIT
    if current.head_id is not None and base_version_id != current.head_id:
        try:
            base = version_of(current, base_version_id)
        except (Version.DoesNotExist, ValueError, TypeError):
            base = None
        merged = _merge(base, current, title, body)
        if merged is None:
            raise EditConflict(
                document=current, title=title, body=body, summary=summary, base_version=base
            )
        title, body = merged
        action = EditMeta.Action.MERGE
    if title == current.title and body == current.body:
        return SaveResult(document=current, version=current.head, unchanged=True)
    current.title, current.body = title, body
    document_validate(current, unchanged=("programme", "kind", "parent", "slug"))
    version = document_revision_save(
        document=current, author=author, summary=summary, action=action
    )
    document_event(
        document=current, event=DocumentEvent.EDITED, actor=author, version_id=version.pk
    )
    return SaveResult(document=current, version=version, merged=action == EditMeta.Action.MERGE)


@dataclass(frozen=True)
class MergeOffer:
    """An edit in progress merged with what was saved since it began, not saved. `overlap`
    when the two overlap: then `title` and `body` are the edit's own, untouched."""

    document: Document
    title: str
    body: str
    overlap: bool
    base_version_id: int | None  # the version the merged text is based on now


def edit_merge(
    *, document: Document, title: str, body: str, base_version_id: int | None, user
) -> MergeOffer:
    """Merge an edit in progress (based on `base_version_id`) with the document's current
    version three ways, as `document_save` would, without saving: for the editor's offer when
    someone else saved meanwhile. Nothing typed is lost: on overlap the edit comes back as it
    was, to be shown beside the current text."""
    permissions.check(user, Action.EDIT, document.programme)
    current = Document.objects.select_related("programme").get(pk=document.pk)
    title = one_line(title)
    body = body.replace("\r\n", "\n")
    if current.head_id is None or base_version_id == current.head_id:
        return MergeOffer(
            document=current,
            title=title,
            body=body,
            overlap=False,
            base_version_id=current.head_id,
        )
    try:
        base = version_of(current, base_version_id)
    except (Version.DoesNotExist, ValueError, TypeError):
        base = None
    merged = _merge(base, current, title, body)
    if merged is None:
        return MergeOffer(
            document=current,
            title=title,
            body=body,
            overlap=True,
            base_version_id=base_version_id,
        )
    return MergeOffer(
        document=current,
        title=merged[0],
        body=merged[1],
        overlap=False,
        base_version_id=current.head_id,
    )


def _merge(base: Version | None, current: Document, title: str, body: str):
    """Three-way merge of (title, body); None when the edits overlap."""
    if base is None:
        return None
    base_fields = base.field_dict
    base_title = base_fields.get("title", "")
    if title != base_title and current.title != base_title and title != current.title:
        return None
    merged_title = title if title != base_title else current.title
    base_lines = base_fields.get("body", "").splitlines(keepends=True)
    merge = merge3.Merge3(
        base_lines, current.body.splitlines(keepends=True), body.splitlines(keepends=True)
    )
    if any(group[0] == "conflict" for group in merge.merge_groups()):
        return None
    return merged_title, "".join(merge.merge_lines())


@transaction.atomic
def document_revert(
    *, document: Document, version_id: int, author, summary: str = ""
) -> SaveResult:
    """Make an old version's title and text current again, as a new version. The handler of the
    document's kind (`wiki.kinds`) may revert it its own way: a structured use case reverts its
    fields too (the body is their rendering)."""
    permissions.check(author, Action.EDIT, document.programme)
    current = document_lock(document)
    if current.is_deleted:
        raise WikiError(_("This document was deleted."))
    guards_check(current, "revert")
    result = kind_handler(current.kind).revert(
        document=current, version_id=version_id, author=author, summary=summary
    )
    if result is not None:
        return result
    old = version_of(current, version_id)
    fields = old.field_dict
    current.title, current.body = fields["title"], fields["body"]
    current.files = fields.get("files") or {}
    date = timezone.localtime(old.revision.date_created).strftime("%Y-%m-%d %H:%M")
    version = document_revision_save(
        document=current,
        author=author,
        summary=summary or _("Reverted to the version of %(date)s") % {"date": date},
        action=EditMeta.Action.REVERT,
    )
    document_event(
        document=current, event=DocumentEvent.REVERTED, actor=author, version_id=version.pk
    )
    return SaveResult(document=current, version=version)


@transaction.atomic
def document_rename(
    *, document: Document, title: str, slug: str | None, author, summary: str = ""
) -> Document:
    """Give a document a new title and address; the old address keeps working."""
    permissions.check(author, Action.EDIT, document.programme)
    current = document_lock(document)
    guards_check(current, "rename")
    title = one_line(title)
    new_slug = slugify(slug or "") or document_slug_free(
        current.programme, title, exclude_pk=current.pk
    )
    if (
        Document.objects.filter(programme=current.programme, slug=new_slug)
        .exclude(pk=current.pk)
        .exists()
        or SlugRedirect.objects.filter(programme=current.programme, old_slug=new_slug)
        .exclude(document=current)
        .exists()
    ):
        raise ValidationError({"slug": _("Another document in this programme has this address.")})
    old_slug = current.slug
    current.title, current.slug = title, new_slug
    document_validate(current)
    if old_slug != new_slug:
        SlugRedirect.objects.filter(programme=current.programme, old_slug=new_slug).delete()
        SlugRedirect.objects.get_or_create(
            programme=current.programme, old_slug=old_slug, defaults={"document": current}
        )
    version = document_revision_save(
        document=current,
        author=author,
        summary=summary or _("Renamed"),
        action=EditMeta.Action.RENAME,
    )
    link_epoch_bump(current.programme)
    document_event(
        document=current, event=DocumentEvent.RENAMED, actor=author, version_id=version.pk
    )
    return current


@transaction.atomic
def document_move(
    *, document: Document, parent: Document | None, author, summary: str = ""
) -> Document:
    """Hang a document below another parent (or at the top)."""
    permissions.check(author, Action.EDIT, document.programme)
    current = document_lock(document)
    guards_check(current, "move")
    if parent is not None:
        guards_check(parent, "move")
        if parent.is_deleted:
            raise ValidationError({"parent": _("The new parent was deleted.")})
    current.parent = parent
    document_validate(current)
    version = document_revision_save(
        document=current, author=author, summary=summary or _("Moved"), action=EditMeta.Action.MOVE
    )
    document_event(document=current, event=DocumentEvent.MOVED, actor=author, version_id=version.pk)
    return current


@transaction.atomic
def document_delete(*, document: Document, by) -> Document:
    """Soft delete: the document and its history stay, hidden, until a lead restores it."""
    permissions.check(by, Action.DELETE, document.programme)
    current = document_lock(document)
    guards_check(current, "delete")
    if current.children.alive().exists():
        raise WikiError(_("Move or delete the documents below this one first."))
    current.deleted_at, current.deleted_by = timezone.now(), by
    current.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    link_epoch_bump(current.programme)
    document_event(document=current, event=DocumentEvent.DELETED, actor=by)
    return current


@transaction.atomic
def document_restore(*, document: Document, by) -> Document:
    permissions.check(by, Action.RESTORE, document.programme)
    current = document_lock(document)
    if current.parent is not None and current.parent.is_deleted:
        raise WikiError(_("Restore the document above this one first."))
    current.deleted_at, current.deleted_by = None, None
    current.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    link_epoch_bump(current.programme)
    document_event(document=current, event=DocumentEvent.RESTORED, actor=by)
    return current


@transaction.atomic
def comment_add(*, document: Document, author, body: str) -> Comment:
    permissions.check(author, Action.DISCUSS, document.programme)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a comment first.")})
    if document.is_deleted:
        raise WikiError(_("This document was deleted."))
    guards_check(document, "comment")
    comment = Comment.objects.create(
        document=document,
        author=author,
        body=body,
        organisation=organisation_of(author, document.programme),
    )
    document_event(document=document, event=DocumentEvent.COMMENTED, actor=author)
    return comment


# --- Document templates ---


@transaction.atomic
def document_template_set(*, programme: Programme, kind: str, body: str, by) -> DocumentTemplate:
    """Keep the text new documents of `kind` start from; an empty text removes the template.
    The programme's leads only."""
    permissions.check(by, Action.MANAGE_PROGRAMME, programme)
    if kind not in DocumentTemplate.KINDS:
        raise ValidationError({"kind": _("Templates are kept for visions and processes only.")})
    body = (body or "").replace("\r\n", "\n")
    if len(body) > settings.STIP_MAX_TEXT_LENGTH:
        raise ValidationError({"body": text_too_long(len(body))})
    template, _created = DocumentTemplate.objects.update_or_create(
        programme=programme, kind=kind, defaults={"body": body, "updated_by": by}
    )
    return template


# --- Attachments ---


@dataclass(frozen=True)
class AttachmentResult:
    attachment: Attachment | None
    version: Version
    replaced: bool = False


def programme_attachments_size(programme: Programme) -> int:
    """Bytes the programme's attachments take, every version's files counted, and the files
    staged for documents being created."""
    used = Attachment.objects.filter(
        Q(document__programme=programme) | Q(staged_in=programme)
    ).aggregate(used=Sum("size"))
    return used["used"] or 0


def staged_attachments(user, programme: Programme):
    """The files `user` staged in the programme for a document not yet created."""
    if user is None or not user.is_authenticated:
        return Attachment.objects.none()
    return Attachment.objects.filter(document=None, staged_in=programme, uploaded_by=user)


def attachment_stage(*, programme: Programme, name: str, data: bytes, author) -> Attachment:
    """Take a file for a document the author is creating (the create page's editor, the API):
    checked and stored as `attachment_add` does, without a document yet; `document_create`
    gives it to the new document's first version. Refusals are a ValidationError on `file`."""
    with stored_files_removed_on_failure() as stored:
        return _attachment_stage(
            programme=programme, name=name, data=data, author=author, stored=stored
        )


@transaction.atomic
def _attachment_stage(
    *, programme: Programme, name: str, data: bytes, author, stored: list[str]
) -> Attachment:
    permissions.check(author, Action.EDIT, programme)
    if not author.is_authenticated:
        raise WikiError(_("Log in to attach files."))
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    try:
        checked = attachment_check(
            name=name, data=data, programme_used=programme_attachments_size(programme)
        )
    except AttachmentRefused as refused:
        raise ValidationError({"file": refused.message}) from None
    attachment = _attachment_stored(
        checked, stored, document=None, staged_in=programme, author=author
    )
    attachment.save()
    return attachment


def _attachment_stored(checked, stored: list[str], *, document, staged_in, author) -> Attachment:
    """An Attachment of the checked file, its file and thumbnail stored (names in `stored`)."""
    attachment = Attachment(
        document=document,
        staged_in=staged_in,
        name=checked.name,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=checked.sha256,
        width=checked.width,
        height=checked.height,
        uploaded_by=author if author.is_authenticated else None,
    )
    attachment.file.save(checked.name, ContentFile(checked.content), save=False)
    stored.append(attachment.file.name)
    if checked.thumbnail is not None:
        attachment.thumbnail.save(
            f"thumbnail-{checked.name}", ContentFile(checked.thumbnail), save=False
        )
        stored.append(attachment.thumbnail.name)
    return attachment


@contextmanager
def stored_files_removed_on_failure() -> Iterator[list[str]]:
    """Names stored (in the attachments storage) inside the block are deleted again when the
    block fails, so a save that is rolled back leaves no file behind. Storage is no part of the
    database's transaction: a file stored by a block that succeeded, in a transaction rolled back
    later by its caller, is left to `attachments_orphans_remove`."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            try:
                attachments_storage().delete(name)
            except OSError:
                logger.warning("A stored attachment could not be removed: %s", name)
        raise


def attachments_orphans_remove(*, older_than: timedelta | None = None) -> list[str]:
    """Delete the files of the attachments storage that no attachment refers to (as its file or
    thumbnail) and that are older than `older_than` (`STIP_ATTACHMENTS_ORPHAN_HOURS`): what an
    upload left whose transaction was rolled back after it was stored, and the files staged for
    a document that was never created. A file younger than that
    may belong to an upload still under way, and is kept. Returns the names deleted."""
    if older_than is None:
        older_than = timedelta(hours=settings.STIP_ATTACHMENTS_ORPHAN_HOURS)
    cutoff = timezone.now() - older_than
    Attachment.objects.filter(document=None, uploaded_at__lt=cutoff).delete()  # never claimed
    referenced = set()
    for file_name, thumbnail_name in Attachment.objects.values_list("file", "thumbnail"):
        referenced.update(n for n in (file_name, thumbnail_name) if n)
    removed = []
    for name in _stored_names(""):
        if name in referenced:
            continue
        try:
            if attachments_storage().get_modified_time(name) > cutoff:
                continue
            attachments_storage().delete(name)
        except (OSError, NotImplementedError):
            logger.warning("An orphaned attachment could not be removed: %s", name)
            continue
        removed.append(name)
    return removed


def _stored_names(directory: str) -> Iterator[str]:
    try:
        directories, files = attachments_storage().listdir(directory)
    except (OSError, NotImplementedError):
        return
    for name in files:
        yield f"{directory}/{name}" if directory else name
    for sub in directories:
        yield from _stored_names(f"{directory}/{sub}" if directory else sub)


def attachment_add(
    *, document: Document, name: str, data: bytes, author, summary: str = ""
) -> AttachmentResult:
    """Attach a file to the document, as a new version of it: checked (type from its content,
    the file's and the programme's size limits), a picture re-encoded without its metadata and
    given a thumbnail (`wiki.attachments`). A file of the same name is replaced; the old one
    stays with the versions that had it. Refusals are a ValidationError on `file`; the
    document's text is untouched either way.

    Locks the document's row (`document_lock`), then the programme's attachments are summed:
    two uploads to one document cannot both pass the programme's limit on the same room. The
    stored files are deleted again when the transaction fails, its commit included
    (`stored_files_removed_on_failure`)."""
    with stored_files_removed_on_failure() as stored:
        return _attachment_add(
            document=document, name=name, data=data, author=author, summary=summary, stored=stored
        )


@transaction.atomic
def _attachment_add(
    *, document: Document, name: str, data: bytes, author, summary: str, stored: list[str]
) -> AttachmentResult:
    permissions.check(author, Action.EDIT, document.programme)
    current = document_lock(document)
    if current.is_deleted:
        raise WikiError(_("This document was deleted."))
    guards_check(current, "edit")
    try:
        checked = attachment_check(
            name=name, data=data, programme_used=programme_attachments_size(current.programme)
        )
    except AttachmentRefused as refused:
        raise ValidationError({"file": refused.message}) from None
    attachment = _attachment_stored(
        checked, stored, document=current, staged_in=None, author=author
    )
    attachment.save()
    replaced = checked.name in (current.files or {})
    current.files = {**(current.files or {}), checked.name: attachment.pk}
    if replaced:
        default_summary = _("Replaced the attachment %(name)s") % {"name": checked.name}
    else:
        default_summary = _("Attached %(name)s") % {"name": checked.name}
    version = document_revision_save(
        document=current,
        author=author,
        summary=summary or default_summary,
        action=EditMeta.Action.EDIT,
    )
    document_event(
        document=current, event=DocumentEvent.EDITED, actor=author, version_id=version.pk
    )
    return AttachmentResult(attachment=attachment, version=version, replaced=replaced)


@transaction.atomic
def attachment_remove(
    *, document: Document, name: str, author, summary: str = ""
) -> AttachmentResult:
    """Take a file off the document, as a new version; the versions that had it keep it."""
    permissions.check(author, Action.EDIT, document.programme)
    current = document_lock(document)
    if current.is_deleted:
        raise WikiError(_("This document was deleted."))
    guards_check(current, "edit")
    files = dict(current.files or {})
    if name not in files:
        raise ValidationError({"file": _("This document has no attachment of that name.")})
    del files[name]
    current.files = files
    version = document_revision_save(
        document=current,
        author=author,
        summary=summary or _("Removed the attachment %(name)s") % {"name": name},
        action=EditMeta.Action.EDIT,
    )
    document_event(
        document=current, event=DocumentEvent.EDITED, actor=author, version_id=version.pk
    )
    return AttachmentResult(attachment=None, version=version)


# --- Watching ---


@transaction.atomic
def watch_set(*, user, programme: Programme, document=None, scope: str = "") -> Watch:
    """Watch a document, a document with everything below it, or (without a document) the
    whole programme. Anyone logged in who may read the programme."""
    permissions.check(user, Action.WATCH, programme)
    if document is None:
        watch, _created = Watch.objects.update_or_create(
            user=user,
            programme=programme,
            document=None,
            defaults={"scope": Watch.Scope.PROGRAMME, "automatic": False},
        )
        return watch
    if document.programme_id != programme.pk:
        raise ValidationError({"document": _("The document is not in this programme.")})
    scope = scope or Watch.Scope.DOCUMENT
    if scope not in (Watch.Scope.DOCUMENT, Watch.Scope.SUBTREE):
        raise ValidationError({"scope": _("Choose what to watch.")})
    watch, _created = Watch.objects.update_or_create(
        user=user,
        document=document,
        defaults={"programme": programme, "scope": scope, "automatic": False},
    )
    return watch


@transaction.atomic
def watch_remove(*, user, programme: Programme, document=None) -> None:
    Watch.objects.filter(user=user, programme=programme, document=document).delete()
