"""The shapes the API reads and writes for the wiki: documents, versions, diffs, comments."""

from datetime import datetime
from typing import Annotated, Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from participation.text import OneLine

from .models import Document, EditMeta, text_too_long

DocumentKind = Literal[tuple(Document.Kind.values)]  # type: ignore[valid-type]
EditAction = Literal[tuple(EditMeta.Action.values)]  # type: ignore[valid-type]

TITLE_LENGTH = Document._meta.get_field("title").max_length
SUMMARY_LENGTH = 500


def _within_the_limit(value: str) -> str:
    """The site's own message for a text over the limit (`wiki.models.text_too_long`)."""
    if len(value) > settings.STIP_MAX_TEXT_LENGTH:
        raise PydanticCustomError(
            "text_too_long", "{message}", {"message": text_too_long(len(value))}
        )
    return value


# A document's markdown text: at most STIP_MAX_TEXT_LENGTH characters, as in the site's editor.
BodyText = Annotated[
    str,
    AfterValidator(_within_the_limit),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": settings.STIP_MAX_TEXT_LENGTH,
            "description": "The markdown text, at most "
            f"{settings.STIP_MAX_TEXT_LENGTH:,} characters.",
        }
    ),
]


class AuthorOut(Schema):
    name: str = Field(description="The person's full name (or user name).")
    organisation: str | None = Field(description="The organisation they acted for.")


class DocumentSummaryOut(Schema):
    id: int
    programme: str = Field(description="The programme's slug.")
    slug: str
    title: str
    kind: DocumentKind
    parent: str | None = Field(description="The slug of the document above this one.")
    head_version_id: int | None = Field(
        description="The current version: send it as `base_version_id` when you update."
    )
    head_version_number: int | None = Field(
        description="The document's own number of its current version (1, 2, 3, …), as the "
        "site, the history and the exports show it. `head_version_id` identifies it."
    )
    updated_at: datetime
    url: str = Field(description="The document on the site.")


class DocumentPage(Schema):
    count: int
    items: list[DocumentSummaryOut]


class AttachmentOut(Schema):
    id: int
    name: str = Field(description="The file's name; the text refers to it as `attachment:NAME`.")
    content_type: str = Field(description="The type, judged from the content when uploaded.")
    size: int = Field(description="In bytes.")
    is_image: bool = Field(
        description="A picture (re-encoded, without metadata) shown in the page; anything else "
        "is only offered as a download."
    )
    width: int | None = None
    height: int | None = None
    url: str = Field(description="The download, for people who may read the programme.")
    thumbnail_url: str | None = Field(description="A small picture, for images.")
    uploaded_at: datetime


class DocumentOut(DocumentSummaryOut):
    body: str = Field(description="The markdown text.")
    html: str = Field(description="The text rendered to sanitised HTML.")
    attachments: list[AttachmentOut] = Field(description="The files of the current version.")
    created_at: datetime


class AttachmentChangesOut(Schema):
    added: list[str]
    removed: list[str]
    replaced: list[str]


class AttachmentSavedOut(Schema):
    attachment: AttachmentOut
    version_id: int = Field(description="The new version that has the file.")
    replaced: bool = Field(description="True when a file of the same name was replaced.")


class StagedAttachmentOut(Schema):
    id: int = Field(description="Give it in `attachments` when creating the document.")
    name: str = Field(description="The file's name; the text refers to it as `attachment:NAME`.")
    content_type: str = Field(description="The type, judged from the content when uploaded.")
    size: int = Field(description="In bytes.")
    markdown: str = Field(description="How the text refers to it.")


class DocumentCreateIn(Schema):
    title: OneLine = Field(min_length=1, max_length=TITLE_LENGTH)
    kind: DocumentKind = Document.Kind.PAGE
    body: BodyText = ""
    parent: str | None = Field(
        None,
        description="Slug of the parent: a main process for a work process, a work process "
        "for a use case.",
    )
    summary: OneLine = Field("", max_length=SUMMARY_LENGTH, description="The edit summary.")
    attachments: list[int] = Field(
        [],
        max_length=100,
        description="Ids of files you staged for it (POST /programmes/{programme}/attachments/): "
        "they join its first version.",
    )


class DocumentUpdateIn(Schema):
    base_version_id: int = Field(
        description="The version your edit started from (`head_version_id` when you read it)."
    )
    body: BodyText
    title: OneLine | None = Field(
        None, min_length=1, max_length=TITLE_LENGTH, description="Leave out to keep the title."
    )
    summary: OneLine = Field("", max_length=SUMMARY_LENGTH)


class SaveOut(Schema):
    document: DocumentOut
    version_id: int | None = Field(description="The version this save produced (or the head).")
    merged: bool = Field(
        description="True when others changed the document since your base version and your "
        "edit was merged with theirs: check `document.body`."
    )
    unchanged: bool = Field(description="True when the save changed nothing.")


class ConflictVersionOut(Schema):
    version_id: int | None
    title: str
    body: str


class SubmittedOut(Schema):
    base_version_id: int | None
    title: str
    body: str
    summary: str


class ConflictOut(Schema):
    """An update that was not saved, with the reason (`detail`), the current version and what
    you sent. For a stale update that overlaps with what others saved meanwhile: merge
    `submitted` into `current` and send it again with `current.version_id` as base. For a frozen
    document: keep `submitted` until the timebox is extended or closed."""

    detail: str
    current: ConflictVersionOut
    submitted: SubmittedOut


class VersionSummaryOut(Schema):
    id: int = Field(description="Identifies the version (in `from`, `to`, `base_version_id`).")
    number: int | None = Field(
        description="The document's own number of this version: 1 for the first, then 2, 3, … "
        "as the site shows it. Null for the copy a baseline made (no new version)."
    )
    created_at: datetime
    author: AuthorOut | None
    summary: str
    action: str = Field(
        description="What the version did: create, edit, merge, revert, rename, move…"
    )


class HistoryOut(Schema):
    items: list[VersionSummaryOut] = Field(description="Newest first.")
    next_before: int | None = Field(
        description="Pass as `before` to get the next (older) page; null on the last page."
    )


class VersionOut(VersionSummaryOut):
    title: str
    body: str
    html: str
    attachments: list[AttachmentOut] = Field(description="The files as this version had them.")
    is_current: bool


class DiffRowOut(Schema):
    kind: Literal["equal", "insert", "delete", "replace", "skip"]
    left_number: int | None = Field(description="Line number in the old version.")
    left: str = Field(description="The old line as plain text.")
    left_html: str = Field(description="The old line, escaped, removed words in <del>.")
    right_number: int | None = Field(description="Line number in the new version.")
    right: str
    right_html: str = Field(description="The new line, escaped, added words in <ins>.")
    skipped: int = Field(description="For `skip` rows: how many unchanged lines are left out.")


class DiffOut(Schema):
    from_version: VersionSummaryOut | None = Field(description="Null when `to` is the first.")
    to_version: VersionSummaryOut
    from_title: str
    to_title: str
    added: int
    removed: int
    truncated: bool = Field(description="True when word-level highlighting ran out of time.")
    rows: list[DiffRowOut]
    attachments: AttachmentChangesOut = Field(
        description="Files added, removed and replaced between the two versions, by name."
    )


class RevertIn(Schema):
    summary: OneLine = Field("", max_length=SUMMARY_LENGTH)


class CommentOut(Schema):
    id: int
    author: AuthorOut | None
    body: str
    created_at: datetime


class CommentIn(Schema):
    body: str = Field(min_length=1, max_length=10000)


class SearchResultOut(DocumentSummaryOut):
    programme_name: str


class WatchIn(Schema):
    document: str | None = Field(None, description="A document's slug; none: the programme.")
    scope: Literal["document", "subtree", "programme"] = "document"


class WatchOut(Schema):
    programme: str = Field(..., alias="programme.slug")
    document: str | None = None
    scope: str
    automatic: bool

    @staticmethod
    def resolve_document(obj) -> str | None:
        return obj.document.slug if obj.document_id else None


class DocumentTemplateOut(Schema):
    kind: DocumentKind
    body: str = Field(description="The markdown a new document of this kind starts with.")


class DocumentTemplateIn(Schema):
    body: BodyText = ""
