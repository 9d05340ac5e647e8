from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Kind(models.TextChoices):
        SCHOOL = "school", _("School")
        MUNICIPALITY = "municipality", _("Municipality")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Affiliation",
        related_name="organisations",
        verbose_name=_("people"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Affiliation(models.Model):
    """A person working for an organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="affiliations"
    )
    is_contact = models.BooleanField(_("contact person"), default=False)
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_affiliation")
        ]
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class Programme(models.Model):
    class Visibility(models.TextChoices):
        OPEN = "open", _("Open: anyone may read")
        MEMBERS = "members", _("Members only")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.OPEN
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Amsterdam")
    link_epoch = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Raised whenever a document appears, disappears or is renamed, so rendered "
        "wiki links are cached per version and per epoch.",
    )
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("wiki:programme", kwargs={"programme": self.slug})

    @property
    def is_open(self) -> bool:
        return self.visibility == self.Visibility.OPEN


class Level(models.IntegerChoices):
    """A person's standing in a programme; higher includes lower."""

    NONE = 0, _("none")
    READER = 10, _("reader")
    OBSERVER = 20, _("observer")
    CONTRIBUTOR = 30, _("contributor")
    LEAD = 40, _("lead")


class Membership(models.Model):
    """An organisation taking part in a programme, at a level."""

    class MemberLevel(models.TextChoices):
        OBSERVER = "observer", _("Observer (meekijken)")
        CONTRIBUTOR = "contributor", _("Contributor (meedoen)")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    level = models.CharField(
        _("level"), max_length=20, choices=MemberLevel.choices, default=MemberLevel.OBSERVER
    )
    joined_at = models.DateTimeField(_("joined at"), default=django_timezone.now)

    class Meta:
        ordering = ["programme", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "organisation"], name="unique_membership")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.organisation} in {self.programme} ({self.get_level_display()})"

    @property
    def as_level(self) -> Level:
        return Level.CONTRIBUTOR if self.level == self.MemberLevel.CONTRIBUTOR else Level.OBSERVER


class ProgrammeRole(models.Model):
    """A person with a role of their own in a programme. Today the only role is lead."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programme_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.LEAD)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "user", "role"], name="unique_programme_role"
            )
        ]
        verbose_name = _("programme role")
        verbose_name_plural = _("programme roles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.programme}"
