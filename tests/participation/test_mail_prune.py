"""The mail outbox does not grow for ever: beat prunes sent messages after STIP_MAIL_KEEP_DAYS
and failed ones after STIP_MAIL_KEEP_FAILED_DAYS; what still waits to be sent is kept."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from config.celery_app import app
from participation.models import OutgoingMail
from participation.tasks import mail_prune_task

pytestmark = pytest.mark.django_db


def _mail(subject: str, status: str, *, days_ago: float) -> OutgoingMail:
    when = timezone.now() - timedelta(days=days_ago)
    return OutgoingMail.objects.create(
        kind="notification",
        to=["someone@example.org"],
        from_email="stip@example.org",
        subject=subject,
        body="Tekst",
        status=status,
        created_at=when,
        next_attempt_at=when,
        sent_at=when if status == OutgoingMail.Status.SENT else None,
    )


@pytest.fixture
def outbox():
    sent, failed, pending = (
        OutgoingMail.Status.SENT,
        OutgoingMail.Status.FAILED,
        OutgoingMail.Status.PENDING,
    )
    _mail("sent long ago", sent, days_ago=31)
    _mail("sent lately", sent, days_ago=29)
    _mail("failed long ago", failed, days_ago=181)
    _mail("failed a while ago", failed, days_ago=60)
    _mail("waiting since long ago", pending, days_ago=400)


def subjects() -> set[str]:
    return set(OutgoingMail.objects.values_list("subject", flat=True))


@override_settings(STIP_MAIL_KEEP_DAYS=30, STIP_MAIL_KEEP_FAILED_DAYS=180)
def test_pruning_keeps_recent_sent_failed_for_longer_and_all_waiting(outbox):
    assert mail_prune_task() == 2

    assert subjects() == {"sent lately", "failed a while ago", "waiting since long ago"}


@override_settings(STIP_MAIL_KEEP_DAYS=30, STIP_MAIL_KEEP_FAILED_DAYS=0)
def test_failed_mail_is_kept_until_handled_when_failed_days_is_zero(outbox):
    mail_prune_task()

    assert subjects() == {
        "sent lately",
        "failed long ago",
        "failed a while ago",
        "waiting since long ago",
    }


def test_beat_prunes_the_outbox_every_day():
    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "participation.mail_prune"
    )

    assert entry["task"] in app.tasks
    assert entry["schedule"].remaining_estimate(timezone.now()) <= timedelta(days=1)
