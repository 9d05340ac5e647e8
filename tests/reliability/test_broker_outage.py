"""Redis (the Celery broker) unreachable: comments and sign-offs through the site still succeed
at once, and beat's sweeper ticks that could not be queued are made up for when Redis returns:
the pending notifications and the reminder round go out then, once.

Edits during an outage: tests/participation/test_outbox_celery.py. The outage is
`tests.worker.broker_unreachable()` (the producer points at a closed port); the worker is the
in-process one of tests/worker.py, started when Redis is back.
"""

import logging
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.beat import ScheduleEntry, Scheduler
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from participation.models import Notification
from participation.tasks import outbox_sweep_task
from tests.worker import broker_unreachable
from timeboxes import services as timeboxes
from timeboxes.models import Milestone, Notice
from usecases.models import SignOff
from wiki import services as wiki
from wiki.events import DocumentEvent
from wiki.models import Comment

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PROMPT = 2.0  # seconds: a request must not wait for the broker's connection timeout
START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def _mail_to(user):
    return [message for message in mail.outbox if user.email in message.to]


def _timed_post(client, url, data):
    with broker_unreachable():
        started = time.monotonic()
        response = client.post(url, data)
        took = time.monotonic() - started
    return response, took


@pytest.fixture
def document(world, make_document):
    """Made (tasks in-process) before the test points Celery at Redis: list it first."""
    made = make_document(world, title="Rooster", body="Eerste versie.\n")
    mail.outbox.clear()
    return made


def test_comment_while_broker_is_down_is_added_at_once_and_watchers_are_told_once_after(
    client, world, document, celery_redis
):
    wiki.watch_set(user=world.observer, programme=world.programme)
    client.force_login(world.contributor)
    url = reverse("wiki:comment", kwargs={"programme": world.programme.slug, "slug": document.slug})

    response, took = _timed_post(client, url, {"body": "Geschreven tijdens een storing."})

    assert response.status_code == 302 and took < PROMPT
    assert Comment.objects.get(document=document).body == "Geschreven tijdens een storing."
    page = client.get(response["Location"])
    assert "Geschreven tijdens een storing." in page.content.decode()
    pending = document.events.get(kind=DocumentEvent.COMMENTED)
    assert pending.fanned_out_at is None
    assert not Notification.objects.filter(event=pending).exists()

    # Redis is back: beat's outbox sweep (every minute) picks the comment up, the next one
    # finds nothing left to do.
    celery_redis.start_worker()
    outbox_sweep_task.delay()
    celery_redis.wait_for(lambda: len(_mail_to(world.observer)) == 1)
    outbox_sweep_task.delay()
    celery_redis.drain()

    (message,) = _mail_to(world.observer)
    assert "Geschreven tijdens een storing." in message.body
    assert Notification.objects.filter(event=pending, recipient=world.observer).count() == 1
    assert not _mail_to(world.contributor), "the author is not told of their own comment"


def test_fan_out_is_enqueued_only_once_the_comment_is_committed(world, document, celery_redis):
    """The enqueue waits for the commit (`transaction.on_commit`): a worker never looks for an
    event that is not there yet, and a broker that is down never holds the change's locks."""
    with transaction.atomic():
        wiki.comment_add(document=document, author=world.contributor, body="Na de commit.")
        assert document.events.filter(fanned_out_at__isnull=True).exists()
        assert celery_redis.queue_length() == 0, "enqueued before the comment was committed"
    assert celery_redis.queue_length() == 1


def test_signoff_while_broker_is_down_is_recorded_at_once(client, world, document, celery_redis):
    client.force_login(world.contributor)
    url = reverse(
        "usecases:signoffs", kwargs={"programme": world.programme.slug, "slug": document.slug}
    )

    response, took = _timed_post(client, url, {"verdict": "agree", "remarks": ""})

    assert response.status_code == 302 and took < PROMPT
    signoff = SignOff.objects.get(document=document)
    assert signoff.organisation == world.contributing_org
    assert signoff.version_id == document.head_id
    assert world.contributing_org.name in client.get(url).content.decode()
    assert celery_redis.queue_length() == 0, "nothing was left for the broker"


@pytest.fixture
def moving_clock():
    """Controlled time that still ticks, so the worker's own timers keep working."""
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


def _beat_tick(scheduler: Scheduler) -> None:
    """What Celery beat does each minute for the timeboxes sweeper: queue the task, and when
    the broker refuses, log the error and carry on."""
    options = settings.CELERY_BEAT_SCHEDULE["timeboxes-sweep"]
    entry = ScheduleEntry(
        name="timeboxes-sweep",
        task=options["task"],
        schedule=options["schedule"],
        app=scheduler.app,
    )
    scheduler.apply_entry(entry)


def test_reminder_round_due_while_broker_is_down_goes_out_once_when_it_returns(
    client, moving_clock, world, document, celery_redis, caplog
):
    moving_clock.shift(timedelta(minutes=1))
    timebox = timeboxes.timebox_create(
        programme=world.programme,
        by=world.lead,
        name="Specificatiefase",
        starts_at=timezone.now(),
        deadline=timezone.now() + timedelta(days=10),
        documents=[document],
    )
    mail.outbox.clear()
    beat = Scheduler(app=celery_redis.app, lazy=True)
    client.force_login(world.contributor)
    signoffs = reverse(
        "usecases:signoffs", kwargs={"programme": world.programme.slug, "slug": document.slug}
    )

    # The 7-day reminder falls due while Redis is unreachable: beat's ticks fail (logged);
    # meanwhile the contributor's organisation signs off, through the site, at once.
    moving_clock.move_to(timebox.deadline - timedelta(days=7) + timedelta(seconds=10))
    with caplog.at_level(logging.ERROR, logger="celery.beat"), broker_unreachable():
        _beat_tick(beat)
        moving_clock.shift(timedelta(minutes=1))
        _beat_tick(beat)
    response, took = _timed_post(client, signoffs, {"verdict": "agree", "remarks": ""})
    assert response.status_code == 302 and took < PROMPT
    assert [r for r in caplog.records if r.name == "celery.beat" and "Message Error" in r.message]
    assert celery_redis.queue_length() == 0 and not Notice.objects.exists()

    # Redis is back: the next ticks run the sweeper; the round goes out, once.
    moving_clock.shift(timedelta(minutes=1))
    celery_redis.start_worker()
    _beat_tick(beat)
    celery_redis.wait_for(lambda: len(mail.outbox) == 2)
    moving_clock.shift(timedelta(minutes=1))
    _beat_tick(beat)
    celery_redis.drain()

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [world.lead.email, world.contributor.email]
    )
    occasion = "reminder:1:604800"
    assert Milestone.objects.get(timebox=timebox, occasion=occasion).outcome == "done"
    # The sign-off made during the outage counts: the organisation has taken part.
    kinds = set(Notice.objects.filter(occasion=occasion).values_list("kind", flat=True))
    assert kinds == {Notice.Kind.REMINDER}
