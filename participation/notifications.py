"""Notifications, through an outbox.

The flow, and why:

1. A service changes something (a document, a membership, a timebox) and, inside the same
   transaction, calls `event_record` here, which writes one `Event` row (the outbox) and
   registers `transaction.on_commit` to enqueue the `participation.event_fan_out` task. The
   change and its pending event commit together or not at all. If the broker is down, the
   enqueue fails, is logged, and the change still succeeds.
2. `event_fan_out` (Celery) locks the event row (`select_for_update(skip_locked=True)`), finds
   the people it is for (its recipients, else those who follow its target, as the target's app
   registered in `participation.events`) who may read the programme (not the actor), writes
   their `Notification` rows in chunks and marks the event fanned out, all in one transaction.
   A second run finds the event done and does nothing; `Notification` is unique per recipient
   and event besides.
3. `notifications_deliver_instant` turns the instant e-mails that are due into messages, one
   person at a time: that person's rows are locked (`skip_locked`), their message is put in the
   mail outbox (`participation.mail`) and the rows are marked sent, in one transaction. Then
   the outbox sends each message in a transaction of its own; one that fails is tried again
   later or marked failed, and never holds back the others. `digest_send` does the same per
   daily/weekly digest. A worker killed while sending leaves only the message in flight
   unmarked; that one may go out again (SMTP cannot tell us whether it arrived) and then
   carries the same Message-ID, so mail software sees it as the same message.
4. `outbox_sweep` (Celery beat, every minute) fans out any event still pending (e.g. written
   while the broker was down) and delivers what is due, including messages waiting for their
   next attempt.

Several events of a coalescing kind (edits) on one target by one person within
`STIP_NOTIFICATION_COALESCE_SECONDS` become one notification (its `count` and `to_version_id`
move on); an instant e-mail waits for the window to pass (`email_after`), so the coalesced
notification is mailed once. The wait lives in the database, not in a delayed Celery message:
the first sweep after `email_after` sends it (a worker holding a message for minutes does not
survive a broker outage, see docs/decisions/outbox-notifications.md).
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlparse

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .emails import notification_message
from .events import event_kind, event_target
from .mail import mail_deliver, mail_queue, mail_queue_failed
from .models import Event, Notification, Profile, Programme, ProgrammeRole

logger = logging.getLogger("stip.notifications")

FAN_OUT_CHUNK = 1000
EMAIL_BATCH = 200


def coalesce_window() -> timedelta:
    return timedelta(seconds=getattr(settings, "STIP_NOTIFICATION_COALESCE_SECONDS", 120))


def profile_of(user) -> Profile:
    profile, _created = Profile.objects.get_or_create(
        user=user, defaults={"language": settings.LANGUAGE_CODE}
    )
    return profile


# --- 1. Writing the outbox (inside the change's transaction) ---


def _enqueue_fan_out(event_id: int) -> None:
    """Runs after commit. A broker that is down must not fail the request: log and let the
    sweeper pick the event up."""
    event_fan_out_task = current_app.tasks["participation.event_fan_out"]
    try:
        event_fan_out_task.apply_async((event_id,), retry=False)
    except Exception:
        if event_fan_out_task.app.conf.task_always_eager:
            raise
        logger.warning("Could not enqueue fan-out of event %s; the sweeper will", event_id)


def event_record(
    *,
    programme: Programme,
    kind: str,
    actor,
    target=None,
    version_id: int | None = None,
    previous_version_id: int | None = None,
    summary: str = "",
    join_request=None,
    recipients: Iterable[int] = (),
    subject: str = "",
    link: str = "",
) -> Event:
    """Write a pending event and have it fanned out after commit. Call inside the transaction
    of the change it describes. `target` is the object it is about, of a kind registered in
    `participation.events`; without one, `subject` and `link` name and locate what it is about
    (a timebox)."""
    event = Event.objects.create(
        programme=programme,
        target=target,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        version_id=version_id,
        previous_version_id=previous_version_id,
        summary=summary,
        join_request=join_request,
        recipients=sorted(set(recipients)),
        subject=subject[:250],
        link=link,
    )
    transaction.on_commit(lambda: _enqueue_fan_out(event.pk))
    return event


# --- 2. Fan-out ---


def readers_of(programme: Programme):
    """Active people who may read the programme (for a members-only one: members and leads)."""
    users = get_user_model().objects.filter(is_active=True)
    if programme.is_open:
        return users
    return users.filter(
        Q(is_superuser=True)
        | Q(affiliations__organisation__memberships__programme=programme)
        | Q(programme_roles__programme=programme)
    )


def _recipient_ids(event: Event) -> list[int]:
    target = event.target if event.target_id is not None else None
    registered = event_target(target)
    if event.recipients:
        candidates = get_user_model().objects.filter(pk__in=event.recipients, is_active=True)
    elif registered is not None:
        candidates = registered.audience(target)
    else:
        return []
    readers = readers_of(event.programme)
    ids = candidates.filter(pk__in=readers.values("pk"))
    if event.actor_id is not None:
        ids = ids.exclude(pk=event.actor_id)
    return sorted(set(ids.values_list("pk", flat=True)))


def _email_modes(user_ids: list[int], kind: str) -> dict[int, str]:
    """Per recipient: how this kind of event reaches them by e-mail."""
    registered = event_kind(kind)
    if not registered.emailed:
        return dict.fromkeys(user_ids, Notification.Email.NONE)
    preference = registered.preference
    modes = dict.fromkeys(user_ids, Notification.Email.INSTANT)
    for user_id, frequency, wanted in Profile.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "email_frequency", preference
    ):
        if not wanted or frequency == Profile.EmailFrequency.NEVER:
            modes[user_id] = Notification.Email.NONE
        else:
            modes[user_id] = frequency
    return modes


def _notify_chunk(event: Event, user_ids: list[int], now) -> int:
    window = coalesce_window()
    remaining = list(user_ids)
    folds_into = event_kind(event.kind).coalesce_into
    if folds_into and event.actor_id is not None and event.target_id is not None:
        coalescible = Notification.objects.filter(
            recipient_id__in=remaining,
            target_type_id=event.target_type_id,
            target_id=event.target_id,
            actor_id=event.actor_id,
            kind__in=folds_into,
            read_at__isnull=True,
            updated_at__gte=now - window,
        ).exclude(email=Notification.Email.SENT)
        merged = dict(coalescible.values_list("recipient_id", "pk"))
        if merged:
            Notification.objects.filter(pk__in=merged.values()).update(
                count=F("count") + 1,
                to_version_id=event.version_id,
                updated_at=now,
                email_after=now + window,
            )
            remaining = [user_id for user_id in remaining if user_id not in merged]
    modes = _email_modes(remaining, event.kind)
    email_after = now + window if folds_into else now
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=user_id,
                event=event,
                programme_id=event.programme_id,
                target_type_id=event.target_type_id,
                target_id=event.target_id,
                kind=event.kind,
                actor_id=event.actor_id,
                from_version_id=event.previous_version_id,
                to_version_id=event.version_id,
                created_at=now,
                updated_at=now,
                email=modes[user_id],
                email_after=email_after,
            )
            for user_id in remaining
        ],
        ignore_conflicts=True,
        batch_size=FAN_OUT_CHUNK,
    )
    return len(user_ids)


def event_fan_out(*, event_id: int) -> int:
    """Turn a pending event into notifications, once. Returns how many people it reached.

    Locking: the event row is taken with `select_for_update(skip_locked=True)`; a concurrent
    run skips it, a later run finds `fanned_out_at` set. Notifications and the mark are written
    in the same transaction, so a crash leaves the event pending for the sweeper."""
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=event_id, fanned_out_at__isnull=True)
            .select_related("programme")
            .first()
        )
        if event is None:
            return 0
        now = timezone.now()
        recipients = _recipient_ids(event)
        reached = 0
        for start in range(0, len(recipients), FAN_OUT_CHUNK):
            reached += _notify_chunk(event, recipients[start : start + FAN_OUT_CHUNK], now)
        Event.objects.filter(pk=event.pk).update(fanned_out_at=now)
    return reached


def events_pending(*, older_than: timedelta = timedelta(0)) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(
        Event.objects.filter(fanned_out_at__isnull=True, created_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )


# --- 3. E-mail ---


def message_id(kind: str, *parts: object) -> str:
    """A Message-ID that is the same each time the same message is sent. A message that went out
    but was not yet marked sent when its worker died is sent again; with the same Message-ID,
    mail servers and clients recognise the second copy as the same message."""
    key = hashlib.sha256(":".join(str(part) for part in parts).encode()).hexdigest()[:32]
    domain = urlparse(settings.SITE_URL).hostname or "stip.localhost"
    return f"<stip.{kind}.{key}@{domain}>"


def _queue_batch(rows: list[Notification], *, digest: str | None) -> int:
    """Compose one message per recipient of `rows` and put it in the mail outbox
    (`participation.mail`). A message that cannot be composed is recorded as failed, with its
    reason, and does not stop the others. Returns the number of messages queued."""
    by_recipient: dict[int, list[Notification]] = defaultdict(list)
    for row in rows:
        by_recipient[row.recipient_id].append(row)
    users = get_user_model().objects.in_bulk(list(by_recipient))
    languages = dict(
        Profile.objects.filter(user_id__in=list(by_recipient)).values_list("user_id", "language")
    )
    queued = 0
    for user_id, items in by_recipient.items():
        user = users.get(user_id)
        if user is None or not user.email:
            continue
        try:
            with transaction.atomic():
                message = notification_message(
                    user=user, items=items, digest=digest, language=languages.get(user_id)
                )
                message.extra_headers["Message-ID"] = message_id(
                    "notification", digest or "instant", *sorted(item.pk for item in items)
                )
                mail_queue(message, kind="notification")
        except Exception as error:  # noqa: BLE001 - one message never stops the others
            logger.exception("Could not compose the notification e-mail to %s", user.email)
            mail_queue_failed(
                kind="notification", to=[user.email], reason=f"{type(error).__name__}: {error}"
            )
        queued += 1
    return queued


def _locked_rows(queryset, limit: int) -> list[Notification]:
    return list(
        queryset.select_for_update(skip_locked=True, of=("self",))
        .select_related("programme", "actor", "event")
        .prefetch_related("target")
        .order_by("pk")[:limit]
    )


def _deliver_per_recipient(due, *, digest: str | None, batch: int) -> int:
    """Give each person with rows in `due()` one message, then send what the mail outbox holds.

    Locking: per person, their rows are locked with `skip_locked`, their message is queued in
    the mail outbox and the rows are marked sent in one transaction; a concurrent or repeated
    run skips or no longer sees them. `participation.mail.mail_deliver` then sends each message
    in a transaction of its own: a worker killed mid-run leaves at most the message in flight
    to be sent again (with the same Message-ID), and a message that fails is tried again later
    without holding back the others. People are taken in id order, `batch` ids per query.
    Returns the number of messages queued."""
    queued = 0
    after = 0
    while True:
        recipient_ids = list(
            due()
            .filter(recipient_id__gt=after)
            .order_by("recipient_id")
            .values_list("recipient_id", flat=True)
            .distinct()[:batch]
        )
        if not recipient_ids:
            break
        for recipient_id in recipient_ids:
            with transaction.atomic():
                rows = _locked_rows(due().filter(recipient_id=recipient_id), 100_000)
                if not rows:
                    continue
                queued += _queue_batch(rows, digest=digest)
                Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
                    email=Notification.Email.SENT, emailed_at=timezone.now()
                )
        after = recipient_ids[-1]
    mail_deliver()
    return queued


def notifications_deliver_instant(*, batch: int = EMAIL_BATCH) -> int:
    """Send the instant e-mails that are due, one message per person. Returns the number of
    messages queued. See `_deliver_per_recipient` for the locking."""
    return _deliver_per_recipient(
        lambda: Notification.objects.filter(
            email=Notification.Email.INSTANT, email_after__lte=timezone.now()
        ),
        digest=None,
        batch=batch,
    )


def digest_send(*, frequency: str, batch: int = EMAIL_BATCH) -> int:
    """Send the daily or weekly digests: one message per person with anything pending, grouped
    per programme and what they are about. Nobody gets an empty digest. Returns the number of
    messages."""
    assert frequency in (Notification.Email.DAILY, Notification.Email.WEEKLY)
    return _deliver_per_recipient(
        lambda: Notification.objects.filter(email=frequency), digest=frequency, batch=batch
    )


# --- Reading ---


def leads_of(programme: Programme) -> list[int]:
    return list(
        ProgrammeRole.objects.filter(programme=programme, role=ProgrammeRole.Role.LEAD)
        .values_list("user_id", flat=True)
        .distinct()
    )
