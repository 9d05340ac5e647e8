from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
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
    is_confirmed = models.BooleanField(
        _("confirmed"),
        default=True,
        help_text=_("A new organisation named at sign-up waits for a lead to confirm it."),
    )
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


class IdentityDomain(models.Model):
    """How an identity provider names an organisation: a `schacHomeOrganization` domain
    (SURFconext, e.g. `albeda.nl`) or a tenant id (Entra ID). A person who logs in with single
    sign-on and whose provider names this value belongs to the organisation at once when it is
    confirmed; otherwise their affiliation waits for confirmation (docs/sso.md)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="identity_domains",
        verbose_name=_("organisation"),
    )
    value = models.CharField(
        _("domain or tenant id"),
        max_length=200,
        unique=True,
        help_text=_(
            "As the identity provider sends it: the schacHomeOrganization of SURFconext "
            "(e.g. albeda.nl) or the tenant id of Entra ID."
        ),
    )
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["organisation__name", "value"]
        verbose_name = _("identity-provider domain")
        verbose_name_plural = _("identity-provider domains")

    def __str__(self) -> str:
        return f"{self.value} → {self.organisation}"


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


# --- Joining: sign-up, affiliation requests, join requests, invitations, membership history ---


class Profile(models.Model):
    """A person's own settings: language and how they want to hear about changes."""

    class EmailFrequency(models.TextChoices):
        INSTANT = "instant", _("At once")
        DAILY = "daily", _("Daily digest")
        WEEKLY = "weekly", _("Weekly digest")
        NEVER = "never", _("No e-mail")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stip_profile"
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    email_frequency = models.CharField(
        _("e-mail about changes"),
        max_length=10,
        choices=EmailFrequency.choices,
        default=EmailFrequency.INSTANT,
    )
    email_edits = models.BooleanField(_("edits and new documents"), default=True)
    email_comments = models.BooleanField(_("comments"), default=True)
    email_structure = models.BooleanField(
        _("documents moved, renamed, deleted or restored"), default=True
    )
    email_membership = models.BooleanField(
        _("join requests, decisions and invitations"), default=True
    )
    email_timeboxes = models.BooleanField(
        _("timebox reminders, deadlines and closing"), default=True
    )
    auto_watch = models.BooleanField(
        _("watch the documents I create or edit"),
        default=True,
    )
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


class AffiliationRequest(models.Model):
    """A person saying they work for an organisation; its contact or a lead confirms it. For a
    new organisation (created unconfirmed) a lead confirms both."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliation_requests"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="affiliation_requests"
    )
    new_organisation = models.BooleanField(
        default=False, help_text="The person created the organisation when signing up."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=django_timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    announced_at = models.DateTimeField(
        null=True, blank=True, help_text="When the people who may confirm it were e-mailed."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(status="pending"),
                name="one_pending_affiliation_request",
            )
        ]
        verbose_name = _("affiliation request")
        verbose_name_plural = _("affiliation requests")

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation} ({self.status})"


class ProgrammeSettings(models.Model):
    """Joining settings of a programme, kept beside it so the Programme model stays as it is."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="joining")
    admit_observers = models.BooleanField(
        _("admit observers at once"),
        default=False,
        help_text=_("Organisations that ask to look along become observers without a decision."),
    )

    class LoginRequirement(models.TextChoices):
        NONE = "", _("Any log-in")
        TWO_FACTOR = "two_factor", _("Two-factor log-in (password with a code, or single sign-on)")
        SSO = "sso", _("Single sign-on through the organisation's identity provider")

    login_requirement = models.CharField(
        _("contributors log in with"),
        max_length=20,
        choices=LoginRequirement.choices,
        blank=True,
        default=LoginRequirement.NONE,
        help_text=_(
            "Whoever does not log in this way reads along as an observer, and is told why."
        ),
    )

    class Meta:
        verbose_name = _("joining settings")
        verbose_name_plural = _("joining settings")

    def __str__(self) -> str:
        return str(self.programme)


class JoinRequest(models.Model):
    """An organisation asking to join a programme as observer, or to become contributor."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="join_requests")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="join_requests"
    )
    level = models.CharField(
        _("asked level"), max_length=20, choices=Membership.MemberLevel.choices
    )
    motivation = models.TextField(_("motivation"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="join_requests",
    )
    created_at = models.DateTimeField(default=django_timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organisation"],
                condition=models.Q(status="pending"),
                name="one_pending_join_request",
            )
        ]
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")

    def __str__(self) -> str:
        return f"{self.organisation} → {self.programme} ({self.get_level_display()})"


class MembershipChange(models.Model):
    """One change of an organisation's level in a programme: who, when, from, to and why."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="membership_changes"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="membership_changes"
    )
    from_level = models.CharField(
        _("from"), max_length=20, choices=Membership.MemberLevel.choices, blank=True
    )
    to_level = models.CharField(
        _("to"), max_length=20, choices=Membership.MemberLevel.choices, blank=True
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("when"), default=django_timezone.now)
    reason = models.TextField(_("why"), blank=True)
    join_request = models.ForeignKey(
        JoinRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["programme", "changed_at"])]
        verbose_name = _("membership change")
        verbose_name_plural = _("membership changes")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.from_level or '-'} → {self.to_level or '-'}"


class Invitation(models.Model):
    """An invitation by e-mail to take part in a programme; the link expires and works once."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=Membership.MemberLevel.choices,
        default=Membership.MemberLevel.OBSERVER,
    )
    message = models.TextField(_("message"), blank=True)
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=django_timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.programme}"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > django_timezone.now()


class InvitationLink(models.Model):
    """A link a lead shares to let people of one organisation take part in a programme at a
    level, in one step: whoever opens it signs up (or logs in), and is then one of the
    organisation's people, with the organisation a member at that level. It works for anyone
    who has it until it expires or a lead revokes it."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="invitation_links",
        verbose_name=_("programme"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitation_links",
        verbose_name=_("organisation"),
    )
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=Membership.MemberLevel.choices,
        default=Membership.MemberLevel.OBSERVER,
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=django_timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uses = models.PositiveIntegerField(_("used"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation link")
        verbose_name_plural = _("invitation links")

    def __str__(self) -> str:
        return f"{self.organisation} → {self.programme} ({self.level})"

    def get_absolute_url(self) -> str:
        return reverse("participation:invitation_link", kwargs={"token": self.token})

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > django_timezone.now()


# --- Events and notifications (the outbox) ---


class Event(models.Model):
    """Something that happened, written in the transaction that made it happen (the outbox).
    `fanned_out_at` is set once its notifications exist."""

    class Kind(models.TextChoices):
        """Participation's own kinds. The apps above add theirs (see `participation.events`),
        so `kind` has no fixed choices."""

        JOIN_REQUESTED = "join_requested", _("asked to join")
        JOIN_APPROVED = "join_approved", _("approved the request")
        JOIN_DECLINED = "join_declined", _("declined the request")
        LEVEL_CHANGED = "level_changed", _("changed the membership")
        INVITED = "invited", _("invited you")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="events")
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    kind = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    version_id = models.PositiveBigIntegerField(null=True, blank=True)
    previous_version_id = models.PositiveBigIntegerField(null=True, blank=True)
    summary = models.TextField(blank=True)
    join_request = models.ForeignKey(
        JoinRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    recipients = models.JSONField(
        default=list, blank=True, help_text="For events meant for given people, their user ids."
    )
    subject = models.CharField(
        max_length=250, blank=True, help_text="What the event is about when it has no target."
    )
    link = models.CharField(
        max_length=500, blank=True, help_text="Where its notifications lead, when set."
    )
    created_at = models.DateTimeField(default=django_timezone.now)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(fanned_out_at__isnull=True),
                name="event_pending",
            ),
            models.Index(fields=["target_type", "target_id"], name="event_target"),
        ]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.actor} {self.kind} {self.target or self.subject or self.programme}"


class Notification(models.Model):
    """One event (or several coalesced edits) told to one person. Unique per recipient and
    event, so fanning out twice cannot notify anyone twice."""

    class Email(models.TextChoices):
        NONE = "none", _("no e-mail")
        INSTANT = "instant", _("waiting to be sent")
        DAILY = "daily", _("in the daily digest")
        WEEKLY = "weekly", _("in the weekly digest")
        SENT = "sent", _("sent")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notifications")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    kind = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_version_id = models.PositiveBigIntegerField(null=True, blank=True)
    to_version_id = models.PositiveBigIntegerField(null=True, blank=True)
    count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=django_timezone.now)
    updated_at = models.DateTimeField(default=django_timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(max_length=10, choices=Email.choices, default=Email.NONE)
    email_after = models.DateTimeField(
        default=django_timezone.now,
        help_text="An instant e-mail waits until the coalescing window has passed.",
    )
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event"], name="one_notification_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["email", "email_after"]),
            models.Index(fields=["target_type", "target_id"], name="notification_target"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient}: {self.kind} {self.target or self.programme}"


class OutgoingMail(models.Model):
    """One e-mail message on its way out (the mail outbox). Written, composed, in the transaction
    that decided it is due; sent by `participation.mail.mail_deliver`, each message in a
    transaction of its own, so one that fails never holds back the others. A message that
    fails for a reason that may pass (a 4xx answer, no connection) waits `next_attempt_at` and
    is tried again, a few times; one the server refuses for good (5xx) or that cannot be sent
    at all is marked failed at once, with its reason."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=40)
    to = models.JSONField(_("to"), default=list)
    from_email = models.CharField(_("from"), max_length=320)
    subject = models.TextField(_("subject"))
    body = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=django_timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=django_timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outgoing_mail_due",
            ),
            models.Index(fields=["status", "created_at"], name="outgoing_mail_status"),
        ]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mail")

    def __str__(self) -> str:
        return f"{', '.join(self.to)}: {self.subject}"
