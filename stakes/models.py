"""Who pays, who gains, who decided.

- `Stake`: what one main process, work process or use case costs or brings one member
  organisation, of one kind (money, effort, …), as a rough size or an amount in euros. Versioned
  with django-reversion like the documents, and pinned, like a sign-off, to the version of the
  document it was recorded on.
- `Proposal`: a decision put to the member organisations, linked to documents, with a deadline
  and reminders; `Answer`: one per organisation (consent, consent with remarks, objection,
  abstention); `ProposalComment`: the discussion; `ProposalMilestone`: a reminder round or the
  deadline the sweeper handled, once.
"""

from decimal import Decimal

import reversion
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from participation.models import Organisation, Programme
from timeboxes.models import default_reminder_offsets
from wiki.models import Document

# The kinds of document costs and benefits are recorded on.
STAKE_DOCUMENT_KINDS = (
    Document.Kind.MAIN_PROCESS,
    Document.Kind.WORK_PROCESS,
    Document.Kind.USE_CASE,
)


@reversion.register(fields=("kind", "direction", "size", "amount", "explanation", "version"))
class Stake(models.Model):
    class Kind(models.TextChoices):
        MONEY = "money", _("Money")
        EFFORT = "effort", _("Effort")
        ADOPTION = "adoption", _("Time to adopt")
        RISK = "risk", _("Risk")
        QUALITY = "quality", _("Quality gained")
        TIME_SAVED = "time_saved", _("Time saved")

    class Direction(models.TextChoices):
        COST = "cost", _("Cost")
        BENEFIT = "benefit", _("Benefit")

    class Size(models.IntegerChoices):
        NONE = 0, _("None")
        SMALL = 1, _("Small")
        MEDIUM = 2, _("Medium")
        LARGE = 3, _("Large")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="stakes")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="stakes")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="stakes")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    direction = models.CharField(_("cost or benefit"), max_length=10, choices=Direction.choices)
    size = models.PositiveSmallIntegerField(_("size"), choices=Size.choices, null=True, blank=True)
    amount = models.DecimalField(
        _("amount in euros"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    explanation = models.TextField(_("explanation"), blank=True)
    version = models.ForeignKey(
        Version,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The document's version the entry was recorded on (pinned like a sign-off).",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name", "kind", "direction"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "organisation", "kind", "direction"],
                name="one_stake_per_organisation_kind_direction",
            ),
            models.CheckConstraint(
                condition=models.Q(size__isnull=False) | models.Q(amount__isnull=False),
                name="stake_has_size_or_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="stake_amount_not_negative",
            ),
        ]
        verbose_name = _("cost or benefit")
        verbose_name_plural = _("costs and benefits")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_kind_display()} ({self.get_direction_display()})"

    @property
    def is_stale(self) -> bool:
        """Recorded on a version older than the document's current one."""
        return self.version_id != self.document.head_id

    @property
    def weight(self) -> int:
        """The entry's size in points (0 to 3); an amount in euros counts by its order of size."""
        if self.size is not None:
            return int(self.size)
        return size_of_amount(self.amount or Decimal(0))

    @property
    def signed_weight(self) -> int:
        return self.weight if self.direction == self.Direction.BENEFIT else -self.weight


# An amount in euros counts as a size: below the first bound small, below the second medium,
# from there large (nothing is none).
AMOUNT_BOUNDS = (Decimal(10_000), Decimal(100_000))


def size_of_amount(amount: Decimal) -> int:
    if amount <= 0:
        return Stake.Size.NONE
    if amount < AMOUNT_BOUNDS[0]:
        return Stake.Size.SMALL
    if amount < AMOUNT_BOUNDS[1]:
        return Stake.Size.MEDIUM
    return Stake.Size.LARGE


class Proposal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DECIDED = "decided", _("Decided")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="proposals")
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("proposal"))
    options = models.JSONField(_("options"), default=list, blank=True)
    documents = models.ManyToManyField(Document, related_name="proposals", blank=True)
    deadline = models.DateTimeField(_("deadline"))
    reminder_offsets = models.JSONField(_("reminders"), default=default_reminder_offsets)
    reminders_from = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField(_("outcome"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="one_proposal_number_per_programme"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="decided") | models.Q(decided_at__isnull=False),
                name="decided_proposal_has_moment",
            ),
        ]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(
            "stakes:proposal", kwargs={"programme": self.programme.slug, "number": self.number}
        )

    @property
    def reference(self) -> str:
        return f"B-{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Answer(models.Model):
    class Choice(models.TextChoices):
        CONSENT = "consent", _("Consent")
        REMARKS = "remarks", _("Consent with remarks")
        OBJECT = "object", _("Object")
        ABSTAIN = "abstain", _("Abstain")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="answers")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(_("answer"), max_length=10, choices=Choice.choices)
    remarks = models.TextField(_("remarks or reason"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "organisation"], name="one_answer_per_organisation"
            ),
            models.CheckConstraint(
                condition=~models.Q(choice="object") | ~models.Q(remarks=""),
                name="objection_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(escalated_at__isnull=True) | models.Q(choice="object"),
                name="only_objections_escalated",
            ),
        ]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_choice_display()}"


class ProposalComment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment on a proposal")
        verbose_name_plural = _("comments on proposals")

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class ProposalMilestone(models.Model):
    """A moment of a proposal the sweeper handled: a reminder round (`reminder:<offset>`) or
    the deadline (`deadline`). One row per moment, ever."""

    class Outcome(models.TextChoices):
        DONE = "done", _("done")
        SKIPPED = "skipped", _("skipped: too late")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="milestones")
    occasion = models.CharField(max_length=60)
    due_at = models.DateTimeField()
    handled_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.DONE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "occasion"], name="unique_proposal_milestone"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.occasion} ({self.outcome})"
