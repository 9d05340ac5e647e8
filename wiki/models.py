import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from reversion.models import Revision, Version
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin

from participation.models import Organisation, Programme

VERSIONED_FIELDS = ("kind", "parent", "title", "slug", "body")


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


from .pages import NewsPage, ProgrammePortalPage  # noqa: E402, F401
