"""Structured use cases, actors, sign-offs and the glossary.

A use case is a `wiki.Document` of kind "use_case" plus one `UseCase` row holding its fields.
The steps, extensions and organisation variants are ordered JSON lists on that row (each item
with a stable `id`, so a diff can tell a moved step from a changed one). The row is versioned
in the same reversion revision as its document (see `UsecasesConfig.ready`), and the document's
markdown body is always the rendering of these fields, so search and the plain wiki views keep
working.
"""

import reversion
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from participation.models import Organisation, Programme
from wiki.models import Document

# The fields of a use case, in the order of a fully dressed use case. Text fields allow
# markdown; the three list fields hold dictionaries (see `usecases.structure`).
TEXT_FIELDS = (
    "scope",
    "stakeholders",
    "trigger",
    "preconditions",
    "success_guarantees",
    "minimal_guarantees",
    "frequency",
    "open_issues",
)
DATA_FIELDS = (
    "goal_level",
    "primary_actor",
    "supporting_actors",
    *TEXT_FIELDS,
    "steps",
    "extensions",
    "variants",
)


class GoalLevel(models.TextChoices):
    SUMMARY = "summary", _("Summary")
    USER_GOAL = "user_goal", _("User goal")
    SUBFUNCTION = "subfunction", _("Subfunction")


class UseCase(models.Model):
    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, related_name="usecase", verbose_name=_("document")
    )
    goal_level = models.CharField(
        _("goal level"), max_length=20, choices=GoalLevel.choices, default=GoalLevel.USER_GOAL
    )
    primary_actor = models.CharField(_("primary actor"), max_length=100, blank=True)
    supporting_actors = models.JSONField(_("supporting actors"), default=list, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    stakeholders = models.TextField(_("stakeholders and interests"), blank=True)
    trigger = models.TextField(_("trigger"), blank=True)
    preconditions = models.TextField(_("preconditions"), blank=True)
    success_guarantees = models.TextField(_("success guarantees"), blank=True)
    minimal_guarantees = models.TextField(_("minimal guarantees"), blank=True)
    frequency = models.TextField(_("frequency"), blank=True)
    open_issues = models.TextField(_("open issues"), blank=True)
    steps = models.JSONField(_("main success scenario"), default=list, blank=True)
    extensions = models.JSONField(_("extensions"), default=list, blank=True)
    variants = models.JSONField(_("variants"), default=list, blank=True)

    class Meta:
        verbose_name = _("use case")
        verbose_name_plural = _("use cases")

    def __str__(self) -> str:
        return self.document.title

    def data(self) -> dict:
        return {name: getattr(self, name) for name in DATA_FIELDS}


reversion.register(UseCase, fields=DATA_FIELDS)


class Actor(models.Model):
    """Someone (a role, not a person) who takes part in the programme's use cases."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="actors", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "slug"], name="unique_actor_slug"),
            models.UniqueConstraint(fields=["programme", "name"], name="unique_actor_name"),
        ]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("usecases:actor", args=[self.programme.slug, self.slug])


class SignOff(models.Model):
    """An organisation's verdict on one exact version of a document (any kind).

    One row per organisation and document: renewing replaces the verdict and the version."""

    class Verdict(models.TextChoices):
        AGREE = "agree", _("Agree")
        REMARKS = "remarks", _("Agree with remarks")
        OBJECT = "object", _("Object")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="signoffs")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    remarks = models.TextField(_("remarks or reason"), blank=True)
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    signed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "organisation"], name="unique_signoff_per_organisation"
            ),
            models.CheckConstraint(
                condition=~models.Q(verdict="object") | ~models.Q(remarks=""),
                name="objection_needs_reason",
            ),
        ]
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_verdict_display()} ({self.document})"

    @property
    def is_stale(self) -> bool:
        """Given on a version older than the document's current one."""
        return self.version_id != self.document.head_id


@reversion.register(follow=("local_words",))
class Term(models.Model):
    """A glossary term of a programme. Versioned: each change is a reversion revision."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="terms", verbose_name=_("programme")
    )
    term = models.CharField(_("term"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)
    definition = models.TextField(_("definition"))

    class Meta:
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "slug"], name="unique_term_slug"),
        ]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")

    def __str__(self) -> str:
        return self.term

    def get_absolute_url(self) -> str:
        return reverse("usecases:term", args=[self.programme.slug, self.slug])


@reversion.register()
class LocalWord(models.Model):
    """What one organisation calls a glossary term ("wij noemen dit …")."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="local_words")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    word = models.CharField(_("local word"), max_length=100)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "organisation"], name="unique_local_word_per_organisation"
            )
        ]
        verbose_name = _("local word")
        verbose_name_plural = _("local words")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.word}"


class DetailSettings(models.Model):
    """Per programme: the words too technical for a use case, one per line (leads edit it)."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="detail_settings"
    )
    technical_words = models.TextField(_("too-technical words"), blank=True)

    class Meta:
        verbose_name = _("detail check settings")
        verbose_name_plural = _("detail check settings")

    def __str__(self) -> str:
        return str(self.programme)

    def word_list(self) -> list[str]:
        words = {w.strip().casefold() for w in self.technical_words.splitlines()}
        return sorted(w for w in words if w)
