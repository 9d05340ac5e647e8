"""The mail outbox: every e-mail Stip sends is first an `OutgoingMail` row, then sent on its own.

Why (docs/decisions/mail-outbox.md): one message that cannot be sent (a header the mail library
refuses, an address the server rejects, a server that answers "try again later") must never hold
back the others. So the unit of delivery is one message:

- `mail_queue(message, kind=…)` stores a composed message. Call it inside the transaction that
  decides the message is due (and marks its notifications or notices as handed over), so the
  two commit together. The subject, the addresses and every header are put on one line here,
  whatever the text they were built from, so a name with a line break cannot make the mail
  library raise `BadHeaderError`.
- `mail_deliver()` sends the messages that are due over one SMTP connection, each in a
  transaction of its own (the row locked with `skip_locked`, so concurrent runs take different
  messages). A message the server accepts is marked sent. One the server refuses for good (a
  5xx answer) or that cannot be built is marked failed at once, with the reason. One that meets
  a passing fault (a 4xx answer, a dropped or refused connection) is tried again after a wait
  that grows with each attempt (`STIP_MAIL_RETRY_AFTER`), and marked failed with its last
  reason when those attempts are spent. When the connection itself fails, the run stops: the
  messages after it keep their attempts for the next run (the beat sweepers run every minute).

Admins see failed messages, with their reason, in the Wagtail admin (Settings → Outgoing
e-mail), and may send them again from there (`mail_retry`). `mail_prune` (beat, daily) deletes
sent messages after `STIP_MAIL_KEEP_DAYS` and failed ones after `STIP_MAIL_KEEP_FAILED_DAYS`.
A worker killed while sending leaves only the message in flight pending; it may go out twice
(SMTP cannot say whether it arrived) with the same Message-ID both times.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from . import permissions
from .models import OutgoingMail
from .text import one_line

logger = logging.getLogger("stip.mail")

DEFAULT_RETRY_AFTER = (60, 300, 1800, 7200)  # seconds before the 2nd, 3rd, 4th and 5th attempt
DEFAULT_KEEP_DAYS = 30
DEFAULT_KEEP_FAILED_DAYS = 180

# Errors of the connection rather than of one message: nothing else can go out over it either.
_CONNECTION_ERRORS = (
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPServerDisconnected,
)


def retry_after() -> tuple[int, ...]:
    """Seconds to wait before each further attempt; their number plus one is the number of
    attempts a message gets."""
    return tuple(getattr(settings, "STIP_MAIL_RETRY_AFTER", DEFAULT_RETRY_AFTER))


def mail_queue(message: EmailMessage, *, kind: str) -> OutgoingMail:
    """Store `message` to be sent by `mail_deliver`, with its subject, addresses and headers on
    one line. Call inside the transaction that decided it is due."""
    html = ""
    for content, mimetype in getattr(message, "alternatives", None) or []:
        if mimetype == "text/html":
            html = str(content)
    return OutgoingMail.objects.create(
        kind=kind,
        to=[one_line(str(address)) for address in message.to],
        from_email=one_line(str(message.from_email or settings.DEFAULT_FROM_EMAIL)),
        subject=one_line(str(message.subject)),
        body=str(message.body),
        html=html,
        headers={
            one_line(str(name)): one_line(str(value))
            for name, value in message.extra_headers.items()
        },
    )


def mail_queue_failed(*, kind: str, to: Iterable[str], reason: str) -> OutgoingMail:
    """Record a message that could not even be composed, so admins see it among the failed."""
    return OutgoingMail.objects.create(
        kind=kind,
        to=[one_line(str(address)) for address in to],
        from_email=one_line(str(settings.DEFAULT_FROM_EMAIL)),
        subject="",
        body="",
        status=OutgoingMail.Status.FAILED,
        last_error=reason[:2000],
    )


def _message_of(mail: OutgoingMail, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body,
        from_email=mail.from_email,
        to=list(mail.to),
        headers=dict(mail.headers),
        connection=connection,
    )
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    return message


@dataclass(frozen=True)
class _Failure:
    reason: str
    permanent: bool  # retrying cannot help: mark failed at once
    connection_lost: bool  # nothing else can go out in this run


def _failure(error: Exception) -> _Failure:
    """What an error while sending means for the message. (smtplib's errors are OSErrors: they
    are told apart first.)"""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = error.recipients.items()
        reason = "; ".join(f"{address}: {code} {_text(text)}" for address, (code, text) in answers)
        permanent = all(code >= 500 for _address, (code, _text_) in answers)
        return _Failure(reason, permanent=permanent, connection_lost=False)
    if isinstance(error, _CONNECTION_ERRORS):
        return _Failure(_reason(error), permanent=False, connection_lost=True)
    if isinstance(error, smtplib.SMTPResponseException):
        reason = f"{error.smtp_code} {_text(error.smtp_error)}"
        return _Failure(reason, permanent=error.smtp_code >= 500, connection_lost=False)
    if isinstance(error, smtplib.SMTPException):
        return _Failure(_reason(error), permanent=False, connection_lost=False)
    if isinstance(error, OSError):  # refused, reset, timed out: the server is not reachable
        return _Failure(_reason(error), permanent=False, connection_lost=True)
    # The message itself cannot be sent (a header or an address the mail library refuses).
    return _Failure(_reason(error), permanent=True, connection_lost=False)


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def _note_failure(mail: OutgoingMail, failure: _Failure, now) -> None:
    waits = retry_after()
    mail.attempts += 1
    mail.last_error = failure.reason[:2000]
    if failure.permanent or mail.attempts > len(waits):
        mail.status = OutgoingMail.Status.FAILED
        logger.warning(
            "E-mail %s to %s failed after %s attempt(s): %s",
            mail.pk,
            ", ".join(mail.to),
            mail.attempts,
            failure.reason,
        )
    else:
        mail.next_attempt_at = now + timedelta(seconds=waits[mail.attempts - 1])
        logger.warning(
            "E-mail %s to %s not sent (attempt %s), tried again at %s: %s",
            mail.pk,
            ", ".join(mail.to),
            mail.attempts,
            mail.next_attempt_at.isoformat(),
            failure.reason,
        )
    mail.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


def mail_deliver(*, ids: Iterable[int] | None = None, limit: int = 500) -> int:
    """Send the messages that are due (of `ids`, when given), each in its own transaction, over
    one connection. Returns how many were sent. See the module's docstring for what a failure
    does; nothing here raises for one message."""
    due = OutgoingMail.objects.filter(
        status=OutgoingMail.Status.PENDING, next_attempt_at__lte=timezone.now()
    )
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    pks = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    if not pks:
        return 0
    sent = 0
    connection = get_connection(fail_silently=False)
    try:
        for pk in pks:
            with transaction.atomic():
                mail = (
                    OutgoingMail.objects.select_for_update(skip_locked=True)
                    .filter(pk=pk, status=OutgoingMail.Status.PENDING)
                    .first()
                )
                if mail is None:
                    continue  # sent meanwhile, or another run is sending it
                now = timezone.now()
                try:
                    connection.open()  # no-op when already open
                    if not connection.send_messages([_message_of(mail, connection)]):
                        raise ValueError("the message has no recipient")
                except Exception as error:  # noqa: BLE001 - one message never stops the others
                    failure = _failure(error)
                    _note_failure(mail, failure, now)
                    if failure.connection_lost:
                        break
                    continue
                mail.status = OutgoingMail.Status.SENT
                mail.sent_at = now
                mail.attempts += 1
                mail.last_error = ""
                mail.save(update_fields=["status", "sent_at", "attempts", "last_error"])
                sent += 1
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return sent


def mail_send(messages: Iterable[EmailMessage], *, kind: str) -> int:
    """Queue `messages` and try to send them now. What cannot go out now stays in the outbox for
    the sweepers' next run. Returns how many were sent now."""
    with transaction.atomic():
        pks = [mail_queue(message, kind=kind).pk for message in messages]
    return mail_deliver(ids=pks) if pks else 0


def retryable_failed_mail():
    """Failed messages that can be sent again: all but the records of messages that could not
    even be composed (`mail_queue_failed`: no subject and no text), which would go out empty."""
    return OutgoingMail.objects.filter(status=OutgoingMail.Status.FAILED).exclude(
        subject="", body=""
    )


@dataclass(frozen=True)
class MailRetry:
    retried: int  # put back in the outbox
    sent: int  # of those, sent now; the rest wait for their next attempt


def mail_retry(*, by, ids: Iterable[int] | None = None) -> MailRetry:
    """Put the failed messages (of `ids`, when given) back in the outbox with fresh attempts and
    send them now; what meets a passing fault again is tried again after the usual waits, what
    is refused again is marked failed again with the new reason. Superusers only (they alone see
    the outbox). Rows are locked with `skip_locked`, so two admins retrying at once send each
    message once."""
    if not permissions.may_retry_outgoing_mail(by):
        raise PermissionDenied
    with transaction.atomic():
        rows = retryable_failed_mail()
        if ids is not None:
            rows = rows.filter(pk__in=list(ids))
        pks = list(rows.select_for_update(skip_locked=True).values_list("pk", flat=True))
        OutgoingMail.objects.filter(pk__in=pks).update(
            status=OutgoingMail.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
    if pks:
        logger.info("%s failed e-mail(s) put back in the outbox by %s", len(pks), by)
    return MailRetry(retried=len(pks), sent=mail_deliver(ids=pks) if pks else 0)


def mail_prune(*, now=None) -> int:
    """Delete what the outbox need not keep; returns how many rows went. A sent message goes
    `STIP_MAIL_KEEP_DAYS` after it was sent. A failed one is kept longer, for admins to see and
    retry: `STIP_MAIL_KEEP_FAILED_DAYS` after its last attempt was due (0: until it is retried
    and sent). Messages waiting to be sent are never deleted."""
    now = now or timezone.now()
    keep = getattr(settings, "STIP_MAIL_KEEP_DAYS", DEFAULT_KEEP_DAYS)
    keep_failed = getattr(settings, "STIP_MAIL_KEEP_FAILED_DAYS", DEFAULT_KEEP_FAILED_DAYS)
    deleted, _counts = OutgoingMail.objects.filter(
        status=OutgoingMail.Status.SENT, sent_at__lt=now - timedelta(days=keep)
    ).delete()
    if keep_failed > 0:
        failed, _counts = OutgoingMail.objects.filter(
            status=OutgoingMail.Status.FAILED,
            next_attempt_at__lt=now - timedelta(days=keep_failed),
        ).delete()
        deleted += failed
    if deleted:
        logger.info("Pruned %s e-mail(s) from the outbox", deleted)
    return deleted
