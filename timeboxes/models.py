"""Timeboxes: a phase of a programme with a deadline and a scope of documents.

The state that makes deadlines dependable lives here, in the database: the deadline and the
reminder offsets of each timebox, one `Milestone` row per moment the sweeper handled (a
reminder round, the freeze, an automatic close) and one `Notice` row per message and recipient.
Their unique constraints are what make every reminder, freeze and close happen exactly once.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from reversion.models import Revision

from participation.models import Programme
from wiki.models import Document

DAY = 86_400
HOUR = 3_600


def default_reminder_offsets() -> list[int]:
    """Seconds before the deadline: 7 days, 1 day and 1 hour."""
    return [7 * DAY, DAY, HOUR]


class Timebox(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="timeboxes", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=200)
    goal = models.TextField(_("goal"), blank=True)
    starts_at = models.DateTimeField(_("start"))
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    reminder_offsets = models.JSONField(
        _("reminders"),
        default=default_reminder_offsets,
        help_text="Seconds before the deadline at which reminders go out.",
    )
    auto_close = models.BooleanField(_("close automatically at the deadline"), default=False)
    freeze_discussion = models.BooleanField(
        _("also freeze comments and sign-offs at the deadline"), default=False
    )
    cycle = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised when the deadline is extended or the timebox reopened, so reminders, "
        "the freeze and the close happen again, once, for the new deadline.",
    )
    reminders_from = models.DateTimeField(
        default=timezone.now,
        editable=False,
        help_text="Reminders whose moment lies before this (the start of the current cycle) are "
        "not sent: a timebox created two days before its deadline sends no 7-day reminder.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["starts_at", "deadline", "pk"]
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gt=models.F("starts_at")),
                name="timebox_deadline_after_start",
            )
        ]
        verbose_name = _("timebox")
        verbose_name_plural = _("timeboxes")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("timeboxes:detail", kwargs={"programme": self.programme.slug, "pk": self.pk})

    @property
    def tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.programme.timezone)
        except (KeyError, ValueError):
            return ZoneInfo(settings.TIME_ZONE)

    def local(self, moment: datetime | None) -> datetime | None:
        """A moment in the programme's time zone, for display."""
        return timezone.localtime(moment, self.tz) if moment else None

    def is_frozen(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status != self.Status.CLOSED and self.starts_at <= now and self.deadline <= now

    @property
    def frozen(self) -> bool:
        return self.is_frozen()

    @property
    def time_left(self) -> timedelta:
        return max(self.deadline - timezone.now(), timedelta(0))

    def reminder_moments(self) -> list[tuple[int, datetime]]:
        """(offset, moment) of the reminders of the current cycle, earliest first."""
        moments = [
            (int(offset), self.deadline - timedelta(seconds=int(offset)))
            for offset in sorted(set(self.reminder_offsets or []), reverse=True)
        ]
        return [(o, m) for o, m in moments if m >= self.reminders_from and m >= self.starts_at]


class ScopeItem(models.Model):
    """A document in a timebox's scope; with `subtree`, everything below it too."""

    timebox = models.ForeignKey(Timebox, on_delete=models.CASCADE, related_name="scope_items")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    subtree = models.BooleanField(_("with everything below it"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["timebox", "document"], name="unique_scope_item")
        ]
        verbose_name = _("scope item")
        verbose_name_plural = _("scope items")

    def __str__(self) -> str:
        return f"{self.document}{' +' if self.subtree else ''}"


class TimeboxEvent(models.Model):
    """What happened to a timebox, by whom and why: its own history."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        OPENED = "opened", _("opened")
        FROZEN = "frozen", _("frozen at the deadline")
        EXTENDED = "extended", _("extended")
        CLOSED = "closed", _("closed")
        REOPENED = "reopened", _("reopened")

    timebox = models.ForeignKey(Timebox, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    deadline_before = models.DateTimeField(null=True, blank=True)
    deadline_after = models.DateTimeField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("timebox event")
        verbose_name_plural = _("timebox events")

    def __str__(self) -> str:
        return f"{self.timebox}: {self.get_kind_display()}"


class Milestone(models.Model):
    """A moment of a timebox that the sweeper has handled: a reminder round
    (`reminder:<cycle>:<offset>`), the freeze (`freeze:<cycle>`). One row per moment, ever."""

    class Outcome(models.TextChoices):
        DONE = "done", _("done")
        SKIPPED = "skipped", _("skipped: too late")

    timebox = models.ForeignKey(Timebox, on_delete=models.CASCADE, related_name="milestones")
    occasion = models.CharField(max_length=60)
    due_at = models.DateTimeField()
    handled_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.DONE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["timebox", "occasion"], name="unique_milestone")
        ]

    def __str__(self) -> str:
        return f"{self.timebox_id} {self.occasion} ({self.outcome})"


class Notice(models.Model):
    """One message about a timebox to one person (an outbox row). Written in the transaction
    that decided it is due, delivered after commit; unique per (timebox, occasion, recipient),
    so a reminder round `reminder:<cycle>:<offset>` reaches each person once."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("reminder")
        NOT_TAKEN_PART = "not_taken_part", _("reminder: your organisation has not taken part")
        FROZEN = "frozen", _("deadline passed: close the timebox")
        EXTENDED = "extended", _("deadline extended")
        REOPENED = "reopened", _("reopened")
        CLOSED = "closed", _("closed")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")

    timebox = models.ForeignKey(Timebox, on_delete=models.CASCADE, related_name="notices")
    occasion = models.CharField(max_length=60)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timebox_notices"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["timebox", "occasion", "recipient"], name="unique_timebox_notice"
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient} ({self.status})"


class Baseline(models.Model):
    """The programme as it was when a timebox closed: one reversion Revision holding a version of
    every document in scope. One per close (a reopened and closed again timebox has two)."""

    timebox = models.ForeignKey(Timebox, on_delete=models.PROTECT, related_name="baselines")
    cycle = models.PositiveIntegerField()
    revision = models.OneToOneField(Revision, on_delete=models.PROTECT, related_name="baseline")
    name = models.CharField(
        _("name"),
        max_length=250,
        help_text="The timebox's name at the close, in no one's language: `title` is what readers "
        "see, in theirs.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    heads = models.JSONField(
        default=dict,
        help_text="Document id → id of the document's own latest version at the close.",
    )
    records = models.JSONField(
        default=dict,
        blank=True,
        help_text="What was recorded with the baseline at the close besides the documents (the "
        "participating organisations; other apps' records, see timeboxes.annex), by key.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["timebox", "cycle"], name="one_baseline_per_close")
        ]
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "timeboxes:baseline",
            kwargs={"programme": self.timebox.programme.slug, "pk": self.pk},
        )

    @property
    def title(self) -> str:
        """The baseline as a reader names it, in the active language and the programme's time:
        "Baseline “Visiefase” (2 december 2026 14:00)". Made when read, so that a Dutch
        programme's baseline closed by a lead who reads English is Dutch to Dutch readers."""
        return gettext("Baseline “%(timebox)s” (%(date)s)") % {
            "timebox": self.name,
            "date": date_format(self.timebox.local(self.created_at), "j F Y H:i"),
        }


def export_upload_to(export: "BaselineExport", filename: str) -> str:
    return f"baselines/{export.baseline_id}/{filename}"


class BaselineExport(models.Model):
    """A baseline as a file to hand on (a tender annex): one per baseline, format and language.

    A baseline never changes, so once built its file is kept (in the default storage) and served
    again. Building runs in a Celery task: `status` and the progress fields are what the page
    shows meanwhile. `attempt` names the build that may finish it: a build that finds a newer
    attempt was started (a sweeper's retry after a worker died) leaves the result to that one."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (.docx)"

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be built")
        BUILDING = "building", _("being built")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=10, choices=Format.choices)
    language = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempt = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0, help_text="Documents laid out so far.")
    total = models.PositiveIntegerField(default=0, help_text="Documents in the baseline.")
    stage = models.CharField(max_length=20, blank=True)
    file = models.FileField(upload_to=export_upload_to, blank=True, max_length=300)
    size = models.PositiveBigIntegerField(default=0)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the build in progress."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["baseline", "format", "language"], name="one_export_per_baseline_format"
            )
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]
        verbose_name = _("baseline export")
        verbose_name_plural = _("baseline exports")

    def __str__(self) -> str:
        return f"{self.baseline} ({self.format}, {self.language}): {self.status}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
