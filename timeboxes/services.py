"""Every write to timeboxes. Each checks permission first, then works inside one transaction.

Locking: the services that change a timebox (`timebox_extend`, `timebox_close`,
`timebox_reopen`) and the sweeper's handlers lock the timebox row (`select_for_update`; the
sweeper with `skip_locked`, so a second beat or a redelivered task passes it by) before they
look at its status. `timebox_close` then locks the rows of every document in scope, so the
baseline holds exactly what was committed before it and no edit can slip in between.

The freeze is decided by `document_freeze_check`, a save guard (`wiki.guards`, registered in
`TimeboxesConfig.ready`) that the wiki's services ask after they have locked the document's
row: an edit that reaches that point before the deadline is saved, one that reaches it after
is refused, with the submitted text still in the refusal.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import reversion
from celery import current_app
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participation import permissions
from participation.models import Programme
from participation.notifications import event_record
from participation.permissions import Action
from participation.text import one_line
from wiki.models import Document, EditMeta
from wiki.services import DocumentFrozen, organisation_of

from . import annex, selectors
from .models import (
    Baseline,
    BaselineExport,
    Milestone,
    Notice,
    ScopeItem,
    Timebox,
    TimeboxEvent,
)

logger = logging.getLogger("stip.timeboxes")

# The kinds of participation event a timebox writes (one per kind of notice), with their verbs.
NOTIFICATION_KINDS = {
    "tb_reminder": gettext_lazy("timebox reminder"),
    "tb_not_taken_part": gettext_lazy("timebox reminder, your organisation has not taken part yet"),
    "tb_frozen": gettext_lazy("deadline passed, the timebox waits to be closed"),
    "tb_extended": gettext_lazy("timebox deadline extended"),
    "tb_reopened": gettext_lazy("timebox reopened"),
    "tb_closed": gettext_lazy("timebox closed"),
}

# The wiki's actions that change a document's content or place. Comments and sign-offs
# ("comment", "sign_off") are frozen only when the lead chose so.
DISCUSSION_ACTIONS = {"comment", "sign_off"}


class TimeboxError(Exception):
    """A change the rules refuse; `message` is for the person who tried it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _local_text(timebox: Timebox, moment: datetime) -> str:
    return date_format(timebox.local(moment), "j F Y H:i")


# --- the freeze --------------------------------------------------------------------------------


def document_freeze_check(*, document, action: str = "edit") -> None:
    """Raise `wiki.services.DocumentFrozen` when `document` lies in the scope of an open timebox
    whose deadline has passed.

    A save guard (`wiki.guards`): called by the wiki's services inside the change's transaction,
    after the document's row is locked, so "now" is taken at the moment the change would be
    written. For `create`, the
    document is the new document's parent: creating below it is refused only when the parent's
    subtree is in scope. Comments and sign-offs are refused only when the timebox freezes them.
    """
    timebox = frozen_timebox_for(document, action=action)
    if timebox is None:
        return
    raise DocumentFrozen(
        _(
            "Frozen since %(since)s (timebox “%(name)s”): its deadline has passed. It stays "
            "frozen until the lead extends the deadline or closes the timebox."
        )
        % {"since": _local_text(timebox, timebox.deadline), "name": timebox.name},
        until=None,
    )


def frozen_timebox_for(document, *, action: str = "edit", now: datetime | None = None):
    """The open timebox past its deadline whose scope holds `document`, or None."""
    now = now or timezone.now()
    ancestor_ids = [a.pk for a in document.ancestors()]
    if action == "create":
        in_scope = Q(scope_items__document_id__in=[document.pk, *ancestor_ids]) & Q(
            scope_items__subtree=True
        )
    else:
        in_scope = Q(scope_items__document_id=document.pk) | (
            Q(scope_items__document_id__in=ancestor_ids) & Q(scope_items__subtree=True)
        )
    timeboxes = Timebox.objects.filter(
        in_scope,
        programme_id=document.programme_id,
        # A planned timebox whose start has come is open, even before the sweeper says so.
        status__in=[Timebox.Status.PLANNED, Timebox.Status.OPEN],
        starts_at__lte=now,
        deadline__lte=now,
    )
    if action in DISCUSSION_ACTIONS:
        timeboxes = timeboxes.filter(freeze_discussion=True)
    return timeboxes.select_related("programme").order_by("deadline").first()


# --- creating and changing timeboxes -----------------------------------------------------------


def _validate_dates(*, starts_at: datetime, deadline: datetime, now: datetime) -> None:
    errors = {}
    if timezone.is_naive(starts_at) or timezone.is_naive(deadline):
        raise ValidationError(_("Give the start and the deadline with their time zone."))
    if deadline <= starts_at:
        errors["deadline"] = _("The deadline must come after the start.")
    elif deadline <= now:
        errors["deadline"] = _("The deadline must lie in the future.")
    if errors:
        raise ValidationError(errors)


def _validate_offsets(offsets: list[int]) -> list[int]:
    cleaned = sorted({int(o) for o in offsets}, reverse=True)
    if any(o <= 0 for o in cleaned):
        raise ValidationError({"reminder_offsets": _("Reminders go out before the deadline.")})
    if len(cleaned) > 10:
        raise ValidationError({"reminder_offsets": _("Choose at most ten reminders.")})
    return cleaned


@transaction.atomic
def timebox_create(
    *,
    programme: Programme,
    by,
    name: str,
    goal: str = "",
    starts_at: datetime,
    deadline: datetime,
    documents: list[Document] = (),  # type: ignore[assignment]
    subtrees: list[Document] = (),  # type: ignore[assignment]
    reminder_offsets: list[int] | None = None,
    auto_close: bool = False,
    freeze_discussion: bool = False,
) -> Timebox:
    """Plan a timebox; it opens at once when its start has come."""
    permissions.check(by, Action.MANAGE_TIMEBOXES, programme)
    now = timezone.now()
    name = one_line(name)
    if not name:
        raise ValidationError({"name": _("Give the timebox a name.")})
    _validate_dates(starts_at=starts_at, deadline=deadline, now=now)
    offsets = _validate_offsets(
        reminder_offsets if reminder_offsets is not None else [7 * 86400, 86400, 3600]
    )
    chosen = {d.pk: d for d in documents}
    roots = {d.pk: d for d in subtrees}
    if not chosen and not roots:
        raise ValidationError(_("Choose at least one document or subtree for the scope."))
    for document in [*chosen.values(), *roots.values()]:
        if document.programme_id != programme.pk or document.is_deleted:
            raise ValidationError(_("The scope can only hold this programme's documents."))
    timebox = Timebox.objects.create(
        programme=programme,
        name=name,
        goal=goal.strip(),
        starts_at=starts_at,
        deadline=deadline,
        reminder_offsets=offsets,
        auto_close=auto_close,
        freeze_discussion=freeze_discussion,
        status=Timebox.Status.OPEN if starts_at <= now else Timebox.Status.PLANNED,
        reminders_from=max(now, starts_at),
        created_by=by,
    )
    ScopeItem.objects.bulk_create(
        [ScopeItem(timebox=timebox, document_id=pk, subtree=pk in roots) for pk in chosen | roots]
    )
    TimeboxEvent.objects.create(
        timebox=timebox, kind=TimeboxEvent.Kind.CREATED, actor=by, deadline_after=deadline
    )
    if timebox.status == Timebox.Status.OPEN:
        TimeboxEvent.objects.create(timebox=timebox, kind=TimeboxEvent.Kind.OPENED, actor=by)
    return timebox


def _locked(timebox: Timebox, *, skip_locked: bool = False) -> Timebox | None:
    rows = Timebox.objects.select_for_update(skip_locked=skip_locked).filter(pk=timebox.pk)
    locked = rows.first()
    if locked is not None:
        locked.programme = Programme.objects.get(pk=locked.programme_id)
    return locked


def _new_deadline(timebox: Timebox, deadline: datetime, reason: str, now: datetime) -> str:
    reason = reason.strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why, so everyone understands the change.")
    if timezone.is_naive(deadline):
        errors["deadline"] = _("Give the deadline with its time zone.")
    elif deadline <= now:
        errors["deadline"] = _("The new deadline must lie in the future.")
    elif deadline <= timebox.starts_at:
        errors["deadline"] = _("The deadline must come after the start.")
    if errors:
        raise ValidationError(errors)
    return reason


@transaction.atomic
def timebox_extend(*, timebox: Timebox, by, deadline: datetime, reason: str) -> Timebox:
    """Move the deadline of a planned or open timebox (also one already frozen: that unfreezes
    it). Recorded with the reason and announced to the programme's contributors."""
    permissions.check(by, Action.MANAGE_TIMEBOXES, timebox.programme)
    now = timezone.now()
    current = _locked(timebox)
    if current.status == Timebox.Status.CLOSED:
        raise TimeboxError(_("This timebox is closed; reopen it instead."))
    reason = _new_deadline(current, deadline, reason, now)
    event = TimeboxEvent.objects.create(
        timebox=current,
        kind=TimeboxEvent.Kind.EXTENDED,
        actor=by,
        reason=reason,
        deadline_before=current.deadline,
        deadline_after=deadline,
    )
    current.deadline = deadline
    current.cycle += 1
    current.reminders_from = max(now, current.starts_at)
    current.save(update_fields=["deadline", "cycle", "reminders_from"])
    _announce(current, kind=Notice.Kind.EXTENDED, occasion=f"extended:{event.pk}")
    return current


@transaction.atomic
def timebox_reopen(*, timebox: Timebox, by, deadline: datetime, reason: str) -> Timebox:
    """Open a closed timebox again until a new deadline. Its baselines stay; closing it again
    records another one. Recorded with the reason and announced."""
    permissions.check(by, Action.MANAGE_TIMEBOXES, timebox.programme)
    now = timezone.now()
    current = _locked(timebox)
    if current.status != Timebox.Status.CLOSED:
        raise TimeboxError(_("Only a closed timebox can be reopened."))
    reason = _new_deadline(current, deadline, reason, now)
    event = TimeboxEvent.objects.create(
        timebox=current,
        kind=TimeboxEvent.Kind.REOPENED,
        actor=by,
        reason=reason,
        deadline_before=current.deadline,
        deadline_after=deadline,
    )
    current.status = Timebox.Status.OPEN
    current.deadline = deadline
    current.cycle += 1
    current.reminders_from = now
    current.save(update_fields=["status", "deadline", "cycle", "reminders_from"])
    _announce(current, kind=Notice.Kind.REOPENED, occasion=f"reopened:{event.pk}")
    return current


@transaction.atomic
def timebox_close(*, timebox: Timebox, by, outcome: str) -> Baseline | None:
    """Close an open timebox with the lead's outcome and record its baseline.

    Returns the baseline (None only when every document in scope has been deleted)."""
    permissions.check(by, Action.MANAGE_TIMEBOXES, timebox.programme)
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError({"outcome": _("Write the outcome of this timebox.")})
    current = _locked(timebox)
    if current.status != Timebox.Status.OPEN:
        raise TimeboxError(_("Only an open timebox can be closed."))
    return _close(current, by=by, outcome=outcome, now=timezone.now())


def _followed_relations() -> list[str]:
    """The one-to-one relations reversion follows from a document (a use case's structured
    data), fetched with the documents so the baseline does not query them one by one."""
    from reversion.revisions import _get_options  # no public accessor for the registration

    names = []
    for name in getattr(_get_options(Document), "follow", ()):
        try:
            field = Document._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # not a field (a property): reversion follows it itself
        if field.one_to_one or field.many_to_one:
            names.append(name)
    return names


def _close(timebox: Timebox, *, by, outcome: str, now: datetime) -> Baseline | None:
    """Close a locked, open timebox: the baseline, the status, the record and the report.

    The documents in scope are locked in id order (the order every closer uses), so the
    baseline holds their committed state and edits waiting on those rows see the freeze."""
    ids = selectors.scope_document_ids(timebox)
    documents = list(
        Document.objects.select_for_update(of=("self",))
        .select_related(*_followed_relations())
        .filter(pk__in=ids, deleted_at__isnull=True)
        .order_by("pk")
    )
    # In no one's language: the baseline's title and the history's marker are made when read.
    name = timebox.name
    if documents:
        records = annex.baseline_records(timebox, documents)
        with reversion.create_revision(atomic=False):
            for document in documents:
                reversion.add_to_revision(document)
            reversion.set_comment(name)
            reversion.set_date_created(now)
            if by is not None:
                reversion.set_user(by)
            reversion.add_meta(
                EditMeta,
                organisation=organisation_of(by, timebox.programme) if by else None,
                action=EditMeta.Action.BASELINE,
            )
            reversion.add_meta(
                Baseline,
                timebox=timebox,
                cycle=timebox.cycle,
                name=name,
                created_at=now,
                heads={str(d.pk): d.head_id for d in documents},
                records=records,
            )
    baseline = Baseline.objects.filter(timebox=timebox, cycle=timebox.cycle).first()
    timebox.status = Timebox.Status.CLOSED
    timebox.closed_at = now
    timebox.closed_by = by
    timebox.outcome = outcome
    timebox.save(update_fields=["status", "closed_at", "closed_by", "outcome"])
    TimeboxEvent.objects.create(
        timebox=timebox, kind=TimeboxEvent.Kind.CLOSED, actor=by, reason=outcome, at=now
    )
    _announce(timebox, kind=Notice.Kind.CLOSED, occasion=f"closed:{timebox.cycle}")
    return baseline


# --- notices -----------------------------------------------------------------------------------


def _announce(timebox: Timebox, *, kind: str, occasion: str) -> int:
    """Write a notice for every contributor and lead of the programme (delivered after commit)."""
    recipients = selectors.contributor_people(timebox.programme) | selectors.lead_people(
        timebox.programme
    )
    created = _notices(timebox, occasion=occasion, kind=kind, recipients=recipients)
    _deliver_after_commit()
    return created


def _notices(timebox: Timebox, *, occasion: str, kind: str, recipients: set[int]) -> int:
    """Write one notice per person for this occasion (the e-mail outbox), and one participation
    event for the same people, which becomes their site notification (unread count, mark read,
    per-kind settings) like every other. Called with the timebox row locked, so the check for
    notices already written cannot race; the unique constraint guards besides."""
    already = set(
        Notice.objects.filter(timebox=timebox, occasion=occasion).values_list(
            "recipient_id", flat=True
        )
    )
    new = sorted(set(recipients) - already)
    Notice.objects.bulk_create(
        [Notice(timebox=timebox, occasion=occasion, kind=kind, recipient_id=pk) for pk in new],
        ignore_conflicts=True,
    )
    if new:
        event_record(
            programme=timebox.programme,
            kind=f"tb_{kind}",
            actor=None,
            recipients=new,
            subject=timebox.name,
            link=timebox.get_absolute_url(),
        )
    return len(new)


def _deliver_after_commit() -> None:
    def enqueue():
        # By name: the tasks call these services, so the services do not import them.
        notices_deliver_task = current_app.tasks["timeboxes.tasks.notices_deliver_task"]
        try:
            notices_deliver_task.delay()
        except Exception as error:  # noqa: BLE001 - the sweeper delivers within a minute anyway
            logger.warning("Could not enqueue the delivery of timebox notices: %r", error)

    transaction.on_commit(enqueue)


# --- the sweeper -------------------------------------------------------------------------------


@dataclass
class SweepReport:
    opened: int = 0
    reminders: int = 0
    skipped: list[str] = field(default_factory=list)
    frozen: int = 0
    closed: int = 0
    delivered: int = 0


def timeboxes_sweep(*, now: datetime | None = None) -> SweepReport:
    """Do what is due: open planned timeboxes whose start has come, send the reminder rounds
    whose moment has come, freeze (and auto-close) timeboxes whose deadline has passed, and
    deliver pending notices.

    Safe to run concurrently and repeatedly: each moment is claimed with the timebox row locked
    (`skip_locked`) and recorded as a `Milestone`, which is unique per timebox and moment. After
    downtime everything overdue is handled in one run, except reminders that are later than
    their own offset (a 1-hour reminder more than an hour late): those are skipped and logged.
    """
    now = now or timezone.now()
    report = SweepReport()
    for pk in Timebox.objects.filter(status=Timebox.Status.PLANNED, starts_at__lte=now).values_list(
        "pk", flat=True
    ):
        report.opened += _open_due(pk, now)
    handled = set(
        Milestone.objects.filter(timebox__status=Timebox.Status.OPEN).values_list(
            "timebox_id", "occasion"
        )
    )
    due: list[tuple[int, str]] = []
    for timebox in Timebox.objects.filter(status=Timebox.Status.OPEN).only(
        "pk", "deadline", "starts_at", "reminder_offsets", "reminders_from", "cycle"
    ):
        for occasion, moment in _moments(timebox):
            if moment <= now and (timebox.pk, occasion) not in handled:
                due.append((timebox.pk, occasion))
    due = _latest_reminders_only(due)
    for pk, occasion in due:
        try:
            _handle(pk, occasion, now, report)
        except IntegrityError:
            logger.info("Timebox %s %s was handled by another sweeper", pk, occasion)
    report.delivered = notices_deliver()
    return report


def _latest_reminders_only(due: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """When several reminder rounds of one timebox are due at once (after downtime), only the
    one nearest the deadline is sent; the earlier ones are marked superseded."""
    reminders: dict[int, list[str]] = {}
    for pk, occasion in due:
        if occasion.startswith("reminder:"):
            reminders.setdefault(pk, []).append(occasion)
    superseded = set()
    for pk, occasions in reminders.items():
        occasions.sort(key=lambda o: int(o.rsplit(":", 1)[1]))  # smallest offset = latest
        superseded |= {(pk, o) for o in occasions[1:]}
    return [
        (pk, f"superseded|{occasion}") if (pk, occasion) in superseded else (pk, occasion)
        for pk, occasion in due
    ]


def _moments(timebox: Timebox) -> list[tuple[str, datetime]]:
    moments = [
        (f"reminder:{timebox.cycle}:{offset}", moment)
        for offset, moment in timebox.reminder_moments()
    ]
    moments.append((f"freeze:{timebox.cycle}", timebox.deadline))
    return moments


@transaction.atomic
def _open_due(pk: int, now: datetime) -> int:
    timebox = Timebox.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
    if timebox is None or timebox.status != Timebox.Status.PLANNED or timebox.starts_at > now:
        return 0
    timebox.status = Timebox.Status.OPEN
    timebox.save(update_fields=["status"])
    TimeboxEvent.objects.create(timebox=timebox, kind=TimeboxEvent.Kind.OPENED, at=now)
    return 1


@transaction.atomic
def _handle(pk: int, occasion: str, now: datetime, report: SweepReport) -> None:
    timebox = Timebox.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
    if timebox is None or timebox.status != Timebox.Status.OPEN:
        return  # another sweeper holds it, or it changed meanwhile
    superseded = occasion.startswith("superseded|")
    occasion = occasion.removeprefix("superseded|")
    moments = dict(_moments(timebox))
    if occasion not in moments or moments[occasion] > now:
        return  # the deadline moved since the sweep looked
    if Milestone.objects.filter(timebox=timebox, occasion=occasion).exists():
        return
    timebox.programme = Programme.objects.get(pk=timebox.programme_id)
    moment = moments[occasion]
    if occasion.startswith("reminder:"):
        offset = int(occasion.rsplit(":", 1)[1])
        if superseded or now - moment > timedelta(seconds=offset):
            Milestone.objects.create(
                timebox=timebox,
                occasion=occasion,
                due_at=moment,
                handled_at=now,
                outcome=Milestone.Outcome.SKIPPED,
            )
            logger.warning(
                "Skipped the reminder %s of timebox %s (%s): due at %s, now %s; %s",
                occasion,
                timebox.pk,
                timebox.name,
                moment.isoformat(),
                now.isoformat(),
                "a later reminder is due too"
                if superseded
                else f"more than its own offset ({offset} seconds) late",
            )
            report.skipped.append(f"{timebox.pk}:{occasion}")
            return
        Milestone.objects.create(timebox=timebox, occasion=occasion, due_at=moment, handled_at=now)
        report.reminders += _remind(timebox, occasion=occasion, now=now)
        return
    Milestone.objects.create(timebox=timebox, occasion=occasion, due_at=moment, handled_at=now)
    TimeboxEvent.objects.create(
        timebox=timebox, kind=TimeboxEvent.Kind.FROZEN, at=now, deadline_before=timebox.deadline
    )
    report.frozen += 1
    if timebox.auto_close:
        _close(timebox, by=None, outcome=_("Closed automatically at the deadline."), now=now)
        report.closed += 1
    else:
        _notices(
            timebox,
            occasion=occasion,
            kind=Notice.Kind.FROZEN,
            recipients=selectors.lead_people(timebox.programme),
        )


def _remind(timebox: Timebox, *, occasion: str, now: datetime) -> int:
    """Write the reminder round's notices: contributors (sharper for those whose organisation
    has not taken part yet) and observers who watch something in scope."""
    recipients = selectors.reminder_recipients(timebox, now=now)
    created = 0
    for kind, people in (
        (Notice.Kind.REMINDER, recipients.regular),
        (Notice.Kind.NOT_TAKEN_PART, recipients.not_taken_part),
    ):
        created += _notices(timebox, occasion=occasion, kind=kind, recipients=people)
    return created


def notices_deliver(*, batch: int = 50) -> int:
    """Turn pending notices into messages in participation's mail outbox, then send what it
    holds. Each notice is locked (`skip_locked`, so concurrent sweepers take different rows),
    its message queued and the notice marked sent in a transaction of its own. The outbox sends
    each message in its own transaction: a message that fails (a header, an address, a server
    that is down) is tried again later or marked failed, and never holds back the others; a
    worker killed while sending leaves only the message in flight to go out again, with the same
    Message-ID. A notice that cannot be composed is recorded as a failed message. Returns the
    number of notices handed over."""
    from participation.mail import mail_deliver

    handed = 0
    cache: dict = {}
    after: int | None = 0
    while after is not None:
        done, after = _deliver_batch(batch, cache, after=after)
        handed += done
    mail_deliver()
    return handed


def _deliver_batch(batch: int, cache: dict, *, after: int = 0) -> tuple[int, int | None]:
    """Queue the messages of up to `batch` pending notices with ids above `after`, each in its
    own transaction. Returns how many were handed over and the last id looked at (None when
    done)."""
    from participation.mail import mail_queue_failed

    from .delivery import deliver

    ids = list(
        Notice.objects.filter(status=Notice.Status.PENDING, pk__gt=after)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    if not ids:
        return 0, None
    handed = 0
    for pk in ids:
        with transaction.atomic():
            notice = (
                Notice.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=pk, status=Notice.Status.PENDING)
                .select_related("recipient", "recipient__stip_profile")
                .first()
            )
            if notice is None:
                continue  # sent meanwhile, or another sweeper is sending it
            try:
                with transaction.atomic():
                    deliver(notice, cache)
            except Exception as error:  # noqa: BLE001 - one notice never stops the others
                logger.exception("Could not compose timebox notice %s", pk)
                mail_queue_failed(
                    kind="timebox-notice",
                    to=[notice.recipient.email],
                    reason=f"{type(error).__name__}: {error}",
                )
            Notice.objects.filter(pk=pk).update(status=Notice.Status.SENT, sent_at=timezone.now())
            handed += 1
    return handed, ids[-1] if len(ids) == batch else None


# --- exports of baselines (tender annexes) -----------------------------------------------------

EXPORT_STALE_AFTER = timedelta(minutes=10)
EXPORT_RETRY_PENDING_AFTER = timedelta(minutes=5)
EXPORT_BUILDERS = {"pdf": "baseline_pdf", "docx": "baseline_docx"}


def _export_language(language: str | None) -> str:
    from django.conf import settings

    codes = [code for code, _name in settings.LANGUAGES]
    language = (language or "").split("-")[0]
    return language if language in codes else settings.LANGUAGE_CODE


def _export_file_exists(export: BaselineExport) -> bool:
    from django.core.files.storage import default_storage

    return bool(export.file) and default_storage.exists(export.file.name)


@transaction.atomic
def baseline_export_request(
    *, baseline: Baseline, by, format: str, language: str | None
) -> BaselineExport:
    """Ask for a baseline as a PDF or Word file in a language. A file built before is kept (a
    baseline never changes) and served again; otherwise the build is enqueued after commit.
    Whoever may read the programme may ask, once logged in (a build takes a while)."""
    permissions.check(by, Action.VIEW, baseline.timebox.programme)
    if by is None or not by.is_authenticated:
        raise PermissionDenied(_("Log in to have an export made."))
    if format not in BaselineExport.Format.values:
        raise ValidationError({"format": _("Choose PDF or Word.")})
    export, created = BaselineExport.objects.get_or_create(
        baseline=baseline,
        format=format,
        language=_export_language(language),
        defaults={"requested_by": by},
    )
    export = BaselineExport.objects.select_for_update().get(pk=export.pk)
    now = timezone.now()
    if export.status == BaselineExport.Status.READY and _export_file_exists(export):
        return export
    if export.status == BaselineExport.Status.BUILDING and not _stale(export, now):
        return export
    if not created:  # failed, its file gone, its build stalled, or waiting: start again
        export.status = BaselineExport.Status.PENDING
        export.error = ""
        export.done = export.total = 0
        export.stage = ""
        export.requested_by = by
        export.requested_at = now
        export.save()
    _enqueue_export_build(export.pk)
    return export


def _stale(export: BaselineExport, now: datetime) -> bool:
    seen = export.heartbeat_at or export.started_at or export.requested_at
    return seen is None or now - seen > EXPORT_STALE_AFTER


def _enqueue_export_build(export_id: int) -> None:
    def enqueue():
        # By name, like the notices: the tasks call these services.
        baseline_export_build_task = current_app.tasks["timeboxes.tasks.baseline_export_build_task"]

        try:
            baseline_export_build_task.delay(export_id)
        except Exception as error:  # noqa: BLE001 - the sweeper enqueues it again
            if baseline_export_build_task.app.conf.task_always_eager:
                raise
            logger.warning("Could not enqueue the build of export %s: %r", export_id, error)

    transaction.on_commit(enqueue)


def baseline_export_build(*, export_id: int) -> BaselineExport | None:
    """Build an export and keep its file. Idempotent: a ready export, or one another build is
    working on (its heartbeat is fresh), is left as it is.

    The build claims the export in a short transaction (status "building", `attempt` raised),
    renders outside any transaction (it takes minutes for a large baseline; progress and a
    heartbeat are written as it goes), stores the file, and marks the export ready only if its
    attempt is still the current one. A worker that dies mid-build leaves "building" with a
    heartbeat that goes stale: `baseline_exports_sweep` enqueues the build again, which starts
    over; a file of a superseded attempt is deleted."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import translation

    from . import exports

    with transaction.atomic():
        export = (
            BaselineExport.objects.select_for_update(skip_locked=True)
            .select_related("baseline__timebox__programme", "baseline__revision")
            .filter(pk=export_id)
            .first()
        )
        if export is None:
            return None
        now = timezone.now()
        if export.status == BaselineExport.Status.READY and _export_file_exists(export):
            return export
        if export.status == BaselineExport.Status.BUILDING and not _stale(export, now):
            return export
        export.status = BaselineExport.Status.BUILDING
        export.attempt += 1
        export.started_at = export.heartbeat_at = now
        export.done, export.total, export.stage, export.error = 0, 0, "", ""
        export.save()
    attempt = export.attempt
    mine = BaselineExport.objects.filter(pk=export.pk, attempt=attempt)

    def progress(stage: str, done: int, total: int) -> None:
        mine.update(stage=stage, done=done, total=total, heartbeat_at=timezone.now())

    baseline = export.baseline
    try:
        with translation.override(export.language):
            built = getattr(exports, EXPORT_BUILDERS[export.format])(baseline, progress=progress)
    except Exception as error:
        logger.exception("Building export %s of baseline %s failed", export.pk, baseline.pk)
        mine.update(
            status=BaselineExport.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        return BaselineExport.objects.get(pk=export.pk)
    name = default_storage.save(
        export.file.field.generate_filename(
            export,
            f"{exports.filename(baseline)}-{export.language}-{attempt}.{export.format}",
        ),
        ContentFile(built.content),
    )
    with transaction.atomic():
        current = BaselineExport.objects.select_for_update().get(pk=export.pk)
        if current.attempt != attempt:
            transaction.on_commit(lambda: default_storage.delete(name))
            return current
        previous = current.file.name if current.file else ""
        current.file.name = name
        current.status = BaselineExport.Status.READY
        current.size = len(built.content)
        current.pages = built.pages
        current.done = current.total
        current.stage = ""
        current.finished_at = timezone.now()
        current.save()
        if previous and previous != name:
            transaction.on_commit(lambda: default_storage.delete(previous))
    return current


def baseline_exports_sweep(*, now: datetime | None = None) -> int:
    """Enqueue again the builds that should be running and are not: pending for a while (the
    enqueue after commit failed, say the broker was down) or building with a stale heartbeat (the
    worker died). Each is enqueued at most once per `EXPORT_RETRY_PENDING_AFTER`."""
    now = now or timezone.now()
    pending = Q(
        status=BaselineExport.Status.PENDING,
        requested_at__lte=now - EXPORT_RETRY_PENDING_AFTER,
    )
    stalled = Q(status=BaselineExport.Status.BUILDING) & (
        Q(heartbeat_at__lte=now - EXPORT_STALE_AFTER) | Q(heartbeat_at__isnull=True)
    )
    ids = list(BaselineExport.objects.filter(pending | stalled).values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            BaselineExport.objects.filter(pk=pk, status=BaselineExport.Status.PENDING).update(
                requested_at=now
            )
            _enqueue_export_build(pk)
    return len(ids)
