"""API: the documents of a programme, their versions, diffs and discussion, and search.

Thin: parse, call one selector or service, shape the answer. The wiki services check
permissions themselves (through `participation.permissions`); `config.api` turns their
exceptions into 400/403/404/409 answers. A document is addressed by its slug within its
programme; an old slug (after a rename) answers 308 with the new address.
"""

import html
import re

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from reversion.models import Version

from participation.api import paged
from participation.api_joins import person_required
from participation.permissions import Action
from participation.schemas import ErrorOut, PageIn
from participation.selectors import programme_for

from . import attachments, rendering, selectors, services
from .diff import diff_texts
from .downloads import attachment_response
from .models import Attachment, Comment, Document, DocumentTemplate, Watch, version_number
from .schemas import (
    AttachmentOut,
    AttachmentSavedOut,
    CommentIn,
    CommentOut,
    ConflictOut,
    DiffOut,
    DocumentCreateIn,
    DocumentOut,
    DocumentPage,
    DocumentTemplateIn,
    DocumentTemplateOut,
    DocumentUpdateIn,
    HistoryOut,
    RevertIn,
    SaveOut,
    SearchResultOut,
    StagedAttachmentOut,
    VersionOut,
    WatchIn,
    WatchOut,
)

router = Router(tags=["documents"])

DOCUMENTS = "/programmes/{programme}/documents/"
DOCUMENT = DOCUMENTS + "{document}/"
READ_ERRORS = {404: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MARKS = re.compile(r"</?(?:del|ins)>")


class DocumentMoved(Exception):
    """The document was renamed: `location` is the same request at its new address."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


# --- shaping -----------------------------------------------------------------------------------


def _person(user, organisation) -> dict | None:
    if user is None:
        return None
    return {
        "name": user.get_full_name() or user.get_username(),
        "organisation": organisation.name if organisation is not None else None,
    }


def _head_number(document: Document) -> int | None:
    """The current version's own number, from the head loaded with the document (lists load it
    with `head__numbering`)."""
    if document.head_id is None:
        return None
    return version_number(document.head)


def _summary(request, document: Document) -> dict:
    return {
        "id": document.pk,
        "programme": document.programme.slug,
        "slug": document.slug,
        "title": document.title,
        "kind": document.kind,
        "parent": document.parent.slug if document.parent_id else None,
        "head_version_id": document.head_id,
        "head_version_number": _head_number(document),
        "updated_at": document.updated_at,
        "url": request.build_absolute_uri(document.get_absolute_url()),
    }


def _attachment(request, document: Document, attachment: Attachment) -> dict:
    url = attachments.download_url(document, attachment)
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "is_image": attachment.is_image,
        "width": attachment.width,
        "height": attachment.height,
        "url": request.build_absolute_uri(url),
        "thumbnail_url": (
            request.build_absolute_uri(f"{url}?thumbnail=1") if attachment.thumbnail else None
        ),
        "uploaded_at": attachment.uploaded_at,
    }


def _attachments(request, document: Document, files: dict | None) -> list[dict]:
    return [_attachment(request, document, a) for a in selectors.attachments_of(document, files)]


def _detail(request, document: Document) -> dict:
    return {
        **_summary(request, document),
        "body": document.body,
        "html": rendering.version_html(
            document.programme,
            document.head_id,
            document.body,
            title=document.title,
            attachments=attachments.reference_resolver(document, document.files),
        ),
        "attachments": _attachments(request, document, document.files),
        "created_at": document.created_at,
    }


def _version_summary(version: Version) -> dict:
    revision = version.revision
    meta = getattr(revision, "edit_meta", None)
    return {
        "id": version.pk,
        "number": version_number(version),
        "created_at": revision.date_created,
        "author": _person(revision.user, meta.organisation if meta else None),
        "summary": revision.comment,
        "action": meta.action if meta else "",
    }


def _save(request, result: services.SaveResult) -> dict:
    return {
        "document": _detail(request, result.document),
        "version_id": result.version.pk if result.version else None,
        "merged": result.merged,
        "unchanged": result.unchanged,
    }


def _plain(marked: str) -> str:
    return html.unescape(MARKS.sub("", marked))


# --- lookups -----------------------------------------------------------------------------------


def _document(request, programme, slug: str) -> Document:
    """The living document with this slug in the programme; 404 for any other programme's."""
    document, new_slug = selectors.document_for(programme, slug)
    if document is None:
        location = request.path.replace(f"/documents/{slug}/", f"/documents/{new_slug}/", 1)
        if request.META.get("QUERY_STRING"):
            location = f"{location}?{request.META['QUERY_STRING']}"
        raise DocumentMoved(location)
    return document


def _version(document: Document, version_id: int) -> Version:
    try:
        return services.version_of(document, version_id)
    except (Version.DoesNotExist, ValueError, TypeError):
        raise Http404(_("This document has no such version.")) from None


# --- documents ---------------------------------------------------------------------------------


@router.get(DOCUMENTS, response={200: DocumentPage, **READ_ERRORS})
def document_list(
    request, programme: str, paging: Query[PageIn], kind: Document.Kind | None = None
):
    """The living documents of a programme, in the order of its tree (parents before
    children is not guaranteed: use `parent`)."""
    found = programme_for(request.user, programme)
    documents = (
        selectors.documents_visible_to(request.user, found)
        .select_related("parent", "head__numbering")
        .defer("head__serialized_data", "head__object_repr")
    )
    if kind:
        documents = documents.filter(kind=kind)
    documents = documents.order_by("kind", "position", "title")
    return paged(documents, paging, lambda d: _summary(request, d))


@router.post(DOCUMENTS, response={201: DocumentOut, **WRITE_ERRORS})
def document_create(request, programme: str, payload: DocumentCreateIn):
    """Create a document (contributors and leads). Its first version is its `head_version_id`.
    Without a `body`, it starts from the programme's template for its kind, if any."""
    found = programme_for(request.user, programme)
    parent = None
    if payload.parent:
        parent = Document.objects.alive().filter(programme=found, slug=payload.parent).first()
        if parent is None:
            raise ValidationError(
                {"parent": _("This programme has no document with this address.")}
            )
    document = services.document_create(
        programme=found,
        kind=payload.kind,
        title=payload.title,
        body=payload.body or None,
        author=request.user,
        parent=parent,
        summary=payload.summary,
        attachment_ids=payload.attachments,
    )
    return Status(201, _detail(request, document))


@router.get(DOCUMENT, response={200: DocumentOut, **READ_ERRORS})
def document_detail(request, programme: str, document: str):
    """The current text, as markdown and as rendered HTML, with its `head_version_id`."""
    found = programme_for(request.user, programme)
    return _detail(request, _document(request, found, document))


@router.put(
    DOCUMENT,
    response={
        200: SaveOut,
        409: ConflictOut,
        **{k: v for k, v in WRITE_ERRORS.items() if k != 409},
    },
)
def document_update(request, programme: str, document: str, payload: DocumentUpdateIn):
    """Save an edit based on `base_version_id`.

    When others saved the document since that version, non-overlapping changes are merged
    (`merged` is true: the result is in `document.body`). Overlapping changes, and a change the
    rules refuse now (a timebox froze the document, it was deleted), answer 409 with the reason,
    the current version and your submitted text; nothing is saved.
    """
    found = programme_for(request.user, programme)
    current = _document(request, found, document)
    try:
        result = services.document_save(
            document=current,
            body=payload.body,
            base_version_id=payload.base_version_id,
            author=request.user,
            summary=payload.summary,
            title=payload.title,
        )
    except services.WikiError as refusal:
        if isinstance(refusal, services.EditConflict):
            shown = refusal.document
        else:
            shown = current
            shown.refresh_from_db(fields=["head", "title", "body"])
        return Status(
            409,
            {
                "detail": refusal.message,
                "current": {"version_id": shown.head_id, "title": shown.title, "body": shown.body},
                "submitted": {
                    "base_version_id": payload.base_version_id,
                    "title": payload.title if payload.title is not None else shown.title,
                    "body": payload.body,
                    "summary": payload.summary,
                },
            },
        )
    return _save(request, result)


# --- document templates ------------------------------------------------------------------------

TEMPLATE = "/programmes/{programme}/document-templates/{kind}/"


@router.get(TEMPLATE, response={200: DocumentTemplateOut, **READ_ERRORS}, tags=["templates"])
def document_template_detail(request, programme: str, kind: str):
    """The text a new document of this kind (vision, main_process, work_process) starts from."""
    found = programme_for(request.user, programme)
    if kind not in DocumentTemplate.KINDS:
        raise Http404(_("There are templates for visions and processes only."))
    return {"kind": kind, "body": selectors.document_template_text(found, kind)}


@router.put(TEMPLATE, response={200: DocumentTemplateOut, **WRITE_ERRORS}, tags=["templates"])
def document_template_update(request, programme: str, kind: str, payload: DocumentTemplateIn):
    """Keep the template of a kind (the programme's leads); an empty body removes it."""
    found = programme_for(request.user, programme)
    template = services.document_template_set(
        programme=found, kind=kind, body=payload.body, by=request.user
    )
    return {"kind": template.kind, "body": template.body}


# --- attachments -------------------------------------------------------------------------------


@router.get(DOCUMENT + "attachments/", response={200: list[AttachmentOut], **READ_ERRORS})
def attachment_list(request, programme: str, document: str):
    """The files of the current version."""
    found = programme_for(request.user, programme)
    current = _document(request, found, document)
    return _attachments(request, current, current.files)


@router.post(
    "/programmes/{programme}/attachments/",
    response={201: StagedAttachmentOut, **WRITE_ERRORS},
)
def attachment_stage(request, programme: str, file: File[UploadedFile]):
    """Stage a file (multipart, field `file`) for a document you are about to create: checked
    like any attachment (type from the content, size limits, pictures re-encoded). Give its `id`
    in `attachments` when creating the document, whose first version then has it; a staged file
    not used within a day is removed."""
    found = programme_for(request.user, programme)
    staged = services.attachment_stage(
        programme=found, name=file.name or "", data=file.read(), author=request.user
    )
    return Status(
        201,
        {
            "id": staged.pk,
            "name": staged.name,
            "content_type": staged.content_type,
            "size": staged.size,
            "markdown": attachments.markdown_reference(staged),
        },
    )


@router.post(DOCUMENT + "attachments/", response={201: AttachmentSavedOut, **WRITE_ERRORS})
def attachment_create(request, programme: str, document: str, file: File[UploadedFile]):
    """Attach a file (multipart, field `file`), as a new version of the document. Its type is
    judged from the content against the allow list; the size limits per file and per programme
    hold; a picture is re-encoded without its metadata. A file of the same name is replaced
    (the old one stays with the versions that had it). Refer to it in the text as
    `![label](attachment:NAME)` or `[label](attachment:NAME)`."""
    found = programme_for(request.user, programme)
    current = _document(request, found, document)
    result = services.attachment_add(
        document=current, name=file.name or "", data=file.read(), author=request.user
    )
    return Status(
        201,
        {
            "attachment": _attachment(request, current, result.attachment),
            "version_id": result.version.pk,
            "replaced": result.replaced,
        },
    )


@router.delete(DOCUMENT + "attachments/{name}/", response={200: SaveOut, **WRITE_ERRORS})
def attachment_delete(request, programme: str, document: str, name: str):
    """Take a file off the document, as a new version; older versions keep it."""
    found = programme_for(request.user, programme)
    current = _document(request, found, document)
    result = services.attachment_remove(document=current, name=name, author=request.user)
    current.refresh_from_db()
    return _save(request, services.SaveResult(document=current, version=result.version))


@router.get(DOCUMENT + "attachments/{attachment_id}/content/", response={404: ErrorOut})
def attachment_content(
    request, programme: str, document: str, attachment_id: int, thumbnail: bool = False
):
    """The file itself (any version's), with the same headers as the site's download."""
    found = programme_for(request.user, programme)
    current = _document(request, found, document)
    attachment = get_object_or_404(Attachment, pk=attachment_id, document=current)
    return attachment_response(attachment, thumbnail=thumbnail)


# --- history, versions, diff, revert -----------------------------------------------------------


@router.get(DOCUMENT + "history/", response={200: HistoryOut, **READ_ERRORS})
def document_history(
    request,
    programme: str,
    document: str,
    before: int | None = Query(None, description="Only versions older than this version id."),
    limit: int = Query(50, ge=1, le=100),
):
    """The versions of a document, newest first, a page at a time."""
    found = programme_for(request.user, programme, Action.VIEW)
    versions, more = selectors.history(
        _document(request, found, document), before=before, limit=limit
    )
    return {
        "items": [_version_summary(v) for v in versions],
        "next_before": versions[-1].pk if more and versions else None,
    }


@router.get(DOCUMENT + "versions/{version_id}/", response={200: VersionOut, **READ_ERRORS})
def version_detail(request, programme: str, document: str, version_id: int):
    """One version: its title and text as they were, rendered too."""
    found = programme_for(request.user, programme)
    current = _document(request, found, document)
    version = _version(current, version_id)
    fields = version.field_dict
    return {
        **_version_summary(version),
        "title": fields.get("title", ""),
        "body": fields.get("body", ""),
        "html": rendering.version_html(
            found,
            version.pk,
            fields.get("body", ""),
            title=fields.get("title", ""),
            attachments=attachments.reference_resolver(current, fields.get("files")),
        ),
        "attachments": _attachments(request, current, fields.get("files")),
        "is_current": version.pk == current.head_id,
    }


@router.get(DOCUMENT + "diff/", response={200: DiffOut, **READ_ERRORS})
def document_diff(
    request,
    programme: str,
    document: str,
    from_version: int | None = Query(
        None, alias="from", description="The older version; by default the one before `to`."
    ),
    to_version: int | None = Query(
        None, alias="to", description="The newer version; by default the current one."
    ),
    context: int | None = Query(
        3, ge=0, le=1000, description="Unchanged lines kept around a change; empty for all."
    ),
):
    """Line by line, with changed words marked, between two versions of one document."""
    found = programme_for(request.user, programme)
    current = _document(request, found, document)
    new = _version(current, to_version or current.head_id)
    if from_version is not None:
        old = _version(current, from_version)
    else:
        old = (
            Version.objects.get_for_object(current)
            .filter(pk__lt=new.pk)
            .select_related("revision", "numbering")
            .order_by("-pk")
            .first()
        )
    if old is not None and old.pk > new.pk:
        old, new = new, old
    old_fields = old.field_dict if old is not None else {}
    new_fields = new.field_dict
    result = diff_texts(old_fields.get("body", ""), new_fields.get("body", ""), context=context)
    return {
        "from_version": _version_summary(old) if old is not None else None,
        "to_version": _version_summary(new),
        "from_title": old_fields.get("title", ""),
        "to_title": new_fields.get("title", ""),
        "added": result.added,
        "removed": result.removed,
        "truncated": result.truncated,
        "attachments": attachments.changes_between(
            old_fields.get("files"), new_fields.get("files")
        ),
        "rows": [
            {
                "kind": row.kind,
                "left_number": row.left_number,
                "left": _plain(row.left),
                "left_html": str(row.left),
                "right_number": row.right_number,
                "right": _plain(row.right),
                "right_html": str(row.right),
                "skipped": row.skipped,
            }
            for row in result.rows
        ],
    }


@router.post(DOCUMENT + "versions/{version_id}/revert/", response={200: SaveOut, **WRITE_ERRORS})
def document_revert(
    request, programme: str, document: str, version_id: int, payload: RevertIn | None = None
):
    """Make an old version current again, as a new version (nothing is lost)."""
    found = programme_for(request.user, programme)
    current = _document(request, found, document)
    version = _version(current, version_id)
    result = services.document_revert(
        document=current,
        version_id=version.pk,
        author=request.user,
        summary=payload.summary if payload else "",
    )
    return _save(request, result)


# --- discussion --------------------------------------------------------------------------------


def _comment(comment: Comment) -> dict:
    return {
        "id": comment.pk,
        "author": _person(comment.author, comment.organisation),
        "body": comment.body,
        "created_at": comment.created_at,
    }


@router.get(DOCUMENT + "comments/", response={200: list[CommentOut], **READ_ERRORS})
def comment_list(request, programme: str, document: str):
    """The discussion of a document, oldest first."""
    found = programme_for(request.user, programme)
    current = _document(request, found, document)
    comments = current.comments.select_related("author", "organisation").order_by("created_at")
    return [_comment(c) for c in comments]


@router.post(DOCUMENT + "comments/", response={201: CommentOut, **WRITE_ERRORS})
def comment_create(request, programme: str, document: str, payload: CommentIn):
    """Join the discussion (observers, contributors and leads)."""
    found = programme_for(request.user, programme)
    current = _document(request, found, document)
    comment = services.comment_add(document=current, author=request.user, body=payload.body)
    return Status(201, _comment(comment))


# --- search ------------------------------------------------------------------------------------


@router.get("/search/", response={200: list[SearchResultOut], **READ_ERRORS}, tags=["search"])
def search(
    request,
    q: str = Query(..., min_length=1, max_length=200, description="The words to look for."),
    programme: str | None = Query(None, description="Only this programme (its slug)."),
    limit: int = Query(20, ge=1, le=100),
):
    """Full-text search over the documents you may read, best match first."""
    found = programme_for(request.user, programme) if programme else None
    results = selectors.search_documents(request.user, q, found)
    found_documents = list(results[:limit])
    heads = {
        v.pk: v
        for v in Version.objects.filter(pk__in=[d.head_id for d in found_documents if d.head_id])
        .select_related("numbering")
        .defer("serialized_data", "object_repr")
    }
    for document in found_documents:
        document.head = heads.get(document.head_id)
    return [{**_summary(request, d), "programme_name": d.programme.name} for d in found_documents]


# --- Watching (listed with joining in the API's documentation) ---


@router.get(
    "/watches/",
    response={200: list[WatchOut], 401: ErrorOut},
    summary="What you watch",
    tags=["joining"],
)
def watch_list(request):
    person = person_required(request)
    return list(Watch.objects.filter(user=person).select_related("programme", "document"))


@router.post(
    "/programmes/{programme}/watches/",
    response={200: WatchOut, **WRITE_ERRORS},
    summary="Watch a document, a document with everything below it, or the programme",
    tags=["joining"],
)
def watch_set(request, programme: str, payload: WatchIn):
    person = person_required(request)
    found = programme_for(person, programme, Action.WATCH)
    document = None
    if payload.document:
        document = get_object_or_404(
            Document.objects.alive(), programme=found, slug=payload.document
        )
    return services.watch_set(
        user=person,
        programme=found,
        document=document,
        scope="" if document is None else payload.scope,
    )


@router.delete(
    "/programmes/{programme}/watches/",
    response={204: None, **WRITE_ERRORS},
    summary="Stop watching a document (?document=<slug>) or the programme",
    tags=["joining"],
)
def watch_remove(request, programme: str, document: str | None = None):
    person = person_required(request)
    found = programme_for(person, programme)
    target = None
    if document:
        target = get_object_or_404(Document.objects.all(), programme=found, slug=document)
    services.watch_remove(user=person, programme=found, document=target)
    return Status(204, None)
