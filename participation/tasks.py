"""Thin Celery tasks: each loads by id and calls a service. All are idempotent: running one twice
sends nothing twice (see participation.notifications for the locking)."""

from __future__ import annotations

import logging

from celery import shared_task

from . import notifications

logger = logging.getLogger("stip.notifications")


def _enqueue_delivery() -> None:
    try:
        notifications_deliver_task.apply_async(retry=False)
    except Exception:
        if notifications_deliver_task.app.conf.task_always_eager:
            raise
        logger.warning("Could not enqueue e-mail delivery; the sweeper will send it")


@shared_task(name="participation.event_fan_out")
def event_fan_out_task(event_id: int) -> int:
    """Fan an event out and send what is due at once. E-mail that waits for the coalescing window
    (`Notification.email_after`) is sent by the first outbox sweep after it: nothing is
    scheduled ahead with a countdown or eta, so the worker holds no message while it waits
    (with Redis as the broker, a held message cannot survive a broker outage)."""
    reached = notifications.event_fan_out(event_id=event_id)
    if reached:
        _enqueue_delivery()
    return reached


@shared_task(name="participation.notifications_deliver")
def notifications_deliver_task() -> int:
    return notifications.notifications_deliver_instant()


@shared_task(name="participation.outbox_sweep")
def outbox_sweep_task() -> int:
    """Every minute (beat): fan out events still pending, e.g. written while the broker was
    down, and send the instant e-mails that are due (those whose coalescing window has passed,
    and messages waiting for their next attempt)."""
    swept = 0
    for event_id in notifications.events_pending():
        swept += 1
        notifications.event_fan_out(event_id=event_id)
    notifications.notifications_deliver_instant()
    _announce_affiliation_requests()
    return swept


def _announce_affiliation_requests() -> None:
    """Affiliation requests whose announcement never ran (the process stopped between commit
    and enqueue): a minute late beats never."""
    from datetime import timedelta

    from django.utils import timezone

    from . import services
    from .models import AffiliationRequest

    for pk in AffiliationRequest.objects.filter(
        status=AffiliationRequest.Status.PENDING,
        announced_at__isnull=True,
        user__is_active=True,
        user__stip_profile__email_confirmed_at__lte=timezone.now() - timedelta(minutes=1),
    ).values_list("pk", flat=True)[:100]:
        services.affiliation_request_announce(request_id=pk)


@shared_task(name="participation.mail_prune")
def mail_prune_task() -> int:
    """Daily (beat): delete sent and long-failed messages from the mail outbox."""
    from .mail import mail_prune

    return mail_prune()


@shared_task(name="participation.digest_send")
def digest_send_task(frequency: str) -> int:
    return notifications.digest_send(frequency=frequency)


@shared_task(name="participation.signup_confirmation_send")
def signup_confirmation_send_task(user_id: int) -> None:
    from django.contrib.auth import get_user_model

    from . import services

    user = get_user_model().objects.filter(pk=user_id, is_active=False).first()
    if user is not None:
        services.signup_confirmation_send(user=user)


@shared_task(name="participation.invitation_send")
def invitation_send_task(invitation_id: int) -> None:
    from . import services
    from .models import Invitation

    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is not None:
        services.invitation_send(invitation=invitation)


@shared_task(name="participation.affiliation_request_announce")
def affiliation_request_announce_task(request_id: int) -> int:
    from . import services

    return services.affiliation_request_announce(request_id=request_id)
