import reversion
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from reversion.models import Revision, Version
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin

from participation.models import Organisation, Programme

VERSIONED_FIELDS = ("kind", "parent", "title", "slug", "body", "files")


def text_too_long(length: int) -> str:
    """The one message for a text over `STIP_MAX_TEXT_LENGTH`, wherever it was sent from."""
    return _(
        "The text has %(length)s characters; at most %(limit)s fit in one document. Shorten it, "
        "or split it over several documents."
    ) % {
        "length": number_format(length, force_grouping=True),
        "limit": number_format(settings.STIP_MAX_TEXT_LENGTH, force_grouping=True),
    }


class DocumentQuerySet(SearchableQuerySetMixin, models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


@reversion.register(fields=VERSIONED_FIELDS)
class Document(index.Indexed, models.Model):
    class Kind(models.TextChoices):
        VISION = "vision", _("Vision")
        MAIN_PROCESS = "main_process", _("Main process")
        WORK_PROCESS = "work_process", _("Work process")
        USE_CASE = "use_case", _("Use case")
        PAGE = "page", _("Page")

    # The kind a parent must have, for the kinds that hang below another document.
    PARENT_KIND = {
        Kind.WORK_PROCESS: Kind.MAIN_PROCESS,
        Kind.USE_CASE: Kind.WORK_PROCESS,
    }

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="documents", verbose_name=_("programme")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PAGE)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=False)
    body = models.TextField(_("text"), blank=True)
    # The document's attachments as this version has them: {file name: Attachment id}. Versioned
    # with the text, so an old version shows its files as they were (wiki.attachments).
    files = models.JSONField(default=dict, blank=True, editable=False)
    position = models.PositiveIntegerField(default=0)
    head = models.ForeignKey(
        Version,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text="The latest version; an edit names it as its base.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    # The participation events and notifications about the document go with it.
    events = GenericRelation(
        "participation.Event", content_type_field="target_type", object_id_field="target_id"
    )
    notifications = GenericRelation(
        "participation.Notification", content_type_field="target_type", object_id_field="target_id"
    )

    objects = DocumentQuerySet.as_manager()

    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("body"),
        index.FilterField("programme_id"),
        index.FilterField("deleted_at"),
        index.FilterField("kind"),
    ]

    class Meta:
        ordering = ["position", "title"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "slug"], name="unique_document_slug")
        ]
        indexes = [models.Index(fields=["programme", "parent", "position"])]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "wiki:document", kwargs={"programme": self.programme.slug, "slug": self.slug}
        )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def clean(self) -> None:
        if len(self.body) > settings.STIP_MAX_TEXT_LENGTH:
            raise ValidationError({"body": text_too_long(len(self.body))})
        required = self.PARENT_KIND.get(self.kind)
        if required and (self.parent is None or self.parent.kind != required):
            raise ValidationError(
                {
                    "parent": _("A %(kind)s belongs below a %(parent)s.")
                    % {
                        "kind": self.get_kind_display().lower(),
                        "parent": self.Kind(required).label.lower(),
                    }
                }
            )
        if self.parent is not None:
            if self.parent.programme_id != self.programme_id:
                raise ValidationError({"parent": _("The parent must be in the same programme.")})
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk and self.pk is not None:
                    raise ValidationError({"parent": _("A document cannot be below itself.")})
                ancestor = ancestor.parent

    def ancestors(self) -> list["Document"]:
        """From the top down. Ancestors share the document's programme object (they are in its
        programme, see clean), so their addresses need no query each."""
        chain = []
        share = Document.programme.is_cached(self)  # never a query only for this
        node = self.parent
        while node is not None:
            if share and node.programme_id == self.programme_id:
                node.programme = self.programme
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class EditMeta(models.Model):
    """What reversion does not record of a revision: the author's organisation and the kind of
    change. The edit summary is the revision's comment, the author its user."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        EDIT = "edit", _("edited")
        MERGE = "merge", _("edited (merged)")
        REVERT = "revert", _("reverted")
        RENAME = "rename", _("renamed")
        MOVE = "move", _("moved")
        BASELINE = "baseline", _("baseline")

    revision = models.OneToOneField(Revision, on_delete=models.CASCADE, related_name="edit_meta")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices, default=Action.EDIT)

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.revision_id})"


class VersionNumber(models.Model):
    """A document's own number for one of its versions: 1 for the first, then 2, 3, … in the
    order they were saved. What people see and cite ("version 3"); reversion's version ids run
    over every versioned object of the site and say nothing to a reader. A baseline's copy of a
    document is no new version of it and gets no number."""

    version = models.OneToOneField(
        Version, on_delete=models.CASCADE, primary_key=True, related_name="numbering"
    )
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="unique_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


def version_number(version) -> int | None:
    """The document's own number of `version` (None for a baseline's copy, or no version).
    Load versions with `select_related("numbering")` to ask this of many without a query each."""
    if version is None:
        return None
    try:
        return version.numbering.number
    except VersionNumber.DoesNotExist:
        return None


class Rendering(models.Model):
    """A version's text rendered to sanitised HTML when the version was saved, so a page shows it
    without rendering (`wiki.rendering.version_html`). Wiki links are placeholders, resolved when
    shown. `unformatted` names why the text is shown as typed (`wiki.markdown_guard.Reason`),
    empty when it is formatted. A text opening with a `# ` heading keeps the heading's text and
    where its HTML ends: the page leaves it out when it repeats the title."""

    version = models.OneToOneField(
        Version, on_delete=models.CASCADE, primary_key=True, related_name="rendering"
    )
    renderer_version = models.PositiveSmallIntegerField()
    html = models.TextField()
    unformatted = models.CharField(max_length=20, blank=True)
    lead_heading = models.CharField(max_length=200, blank=True)
    lead_end = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.version_id} (renderer {self.renderer_version})"


class SlugRedirect(models.Model):
    """An old address of a renamed document, kept so links keep working."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    old_slug = models.SlugField(max_length=200)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="old_slugs")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "old_slug"], name="unique_old_slug")
        ]

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.document.slug}"


class Comment(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class DocumentTemplate(models.Model):
    """The text a new document of one kind starts from, kept by the programme's leads."""

    KINDS = (Document.Kind.VISION, Document.Kind.MAIN_PROCESS, Document.Kind.WORK_PROCESS)

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="document_templates"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Document.Kind.choices)
    body = models.TextField(_("template"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="one_template_per_kind")
        ]
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")

    def __str__(self) -> str:
        return f"{self.programme} · {self.get_kind_display()}"


def attachments_storage():
    from django.core.files.storage import storages

    return storages["attachments"]


def attachment_path(instance, filename: str) -> str:
    if instance.document_id is None:  # staged for a document being created
        return f"{instance.staged_in_id}/new/{instance.sha256}/{filename}"
    return f"{instance.document.programme_id}/{instance.document_id}/{instance.sha256}/{filename}"


class Attachment(models.Model):
    """One uploaded file of a document, as it was checked and stored. Never changed: replacing
    a file is a new attachment under the same name, in a new version of the document
    (`Document.files`), so old versions keep theirs. Stored in the "attachments" storage, which
    has no public address: `wiki.views.attachment` hands it out to readers of the programme.

    A file attached while a document is being created has no document yet: it is staged in the
    programme (`staged_in`) for the person who uploaded it, and joins the new document's first
    version when it is created (`services.document_create`); one never claimed is removed by the
    sweep (`services.attachments_orphans_remove`)."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="attachments", null=True, blank=True
    )
    staged_in = models.ForeignKey(
        "participation.Programme",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(storage=attachments_storage, upload_to=attachment_path, max_length=500)
    thumbnail = models.FileField(
        storage=attachments_storage, upload_to=attachment_path, max_length=500, blank=True
    )
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["document", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(document__isnull=False) | models.Q(staged_in__isnull=False),
                name="attachment_of_a_document_or_staged",
            )
        ]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        """Shown in the page: only the pictures Stip re-encoded itself."""
        return self.content_type in INLINE_IMAGE_TYPES


INLINE_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


class Watch(models.Model):
    """A person following a document, a document with everything below it, or all documents of
    a programme: their changes reach the person as notifications."""

    class Scope(models.TextChoices):
        DOCUMENT = "document", _("This document")
        SUBTREE = "subtree", _("This document and everything below it")
        PROGRAMME = "programme", _("The whole programme")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="watches")
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, null=True, blank=True, related_name="watches"
    )
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.DOCUMENT)
    automatic = models.BooleanField(
        default=False, help_text="Started by creating or editing the document."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "document"],
                condition=models.Q(document__isnull=False),
                name="one_watch_per_document",
            ),
            models.UniqueConstraint(
                fields=["user", "programme"],
                condition=models.Q(document__isnull=True),
                name="one_watch_per_programme",
            ),
            models.CheckConstraint(
                condition=models.Q(document__isnull=True, scope="programme")
                | models.Q(document__isnull=False, scope__in=["document", "subtree"]),
                name="watch_scope_matches_target",
            ),
        ]
        indexes = [models.Index(fields=["document", "scope"], name="watch_document_scope")]
        verbose_name = _("watch")
        verbose_name_plural = _("watches")

    def __str__(self) -> str:
        return f"{self.user} watches {self.document or self.programme} ({self.scope})"


from .pages import NewsPage, ProgrammePortalPage  # noqa: E402, F401
