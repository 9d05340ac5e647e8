"""The sweeper as it runs in production: a real Celery worker on real Redis, PostgreSQL's row
locks, beat's task delivered twice, and a worker that was down. Time is moved, not waited for."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from tests.worker import celery_redis, celery_worker_redis  # noqa: F401
from timeboxes import services
from timeboxes.models import Milestone, Notice, Timebox
from timeboxes.tasks import timeboxes_sweep_task
from wiki import services as wiki
from wiki.models import Document

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture
def moving_clock():
    """Controlled time that still ticks, so the worker's own timers keep working."""
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


@pytest.fixture
def timebox(moving_clock, world):
    main = wiki.document_create(
        programme=world.programme,
        kind=Document.Kind.MAIN_PROCESS,
        title="Onderwijs",
        body="Eerste versie.\n",
        author=world.lead,
    )
    moving_clock.shift(timedelta(minutes=1))
    return services.timebox_create(
        programme=world.programme,
        by=world.lead,
        name="Specificatiefase",
        starts_at=timezone.now(),
        deadline=timezone.now() + timedelta(days=10),
        subtrees=[main],
    )


def reminders_sent() -> list[tuple[str, str]]:
    return sorted(
        Notice.objects.filter(status=Notice.Status.SENT).values_list("occasion", "recipient__email")
    )


def test_beat_task_on_a_real_worker_sends_each_reminder_once(
    celery_worker_redis,  # noqa: F811
    moving_clock,
    world,
    timebox,
):
    moving_clock.move_to(timebox.deadline - timedelta(days=7) + timedelta(seconds=10))
    timeboxes_sweep_task.delay()
    timeboxes_sweep_task.delay()  # a second beat, or the same task delivered twice
    celery_worker_redis.drain()
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {world.lead.email, world.contributor.email}
    moving_clock.move_to(timebox.deadline - timedelta(hours=1) + timedelta(seconds=10))
    timeboxes_sweep_task.delay()
    celery_worker_redis.drain()
    assert len(mail.outbox) == 4
    assert [o for o, _ in reminders_sent()].count("reminder:1:3600") == 2
    assert not Milestone.objects.filter(outcome=Milestone.Outcome.SKIPPED).exclude(
        occasion="reminder:1:86400"
    )


def test_worker_that_was_down_catches_up_without_stale_reminders(
    celery_redis,  # noqa: F811
    moving_clock,
    world,
    timebox,
):
    # Beat kept queueing the sweeper while no worker ran, from before the 7-day reminder until
    # half an hour before the deadline.
    for moment in (timedelta(days=7, minutes=5), timedelta(days=1, minutes=5), timedelta(0)):
        moving_clock.move_to(timebox.deadline - moment - timedelta(minutes=30))
        timeboxes_sweep_task.delay()
    assert celery_redis.queue_length() >= 3
    assert mail.outbox == []
    celery_redis.start_worker()
    celery_redis.drain()
    assert len(mail.outbox) == 2  # only the 1-hour round, once
    assert all("minutes" in m.subject for m in mail.outbox), [m.subject for m in mail.outbox]
    outcomes = dict(Milestone.objects.values_list("occasion", "outcome"))
    assert outcomes == {
        "reminder:1:604800": "skipped",
        "reminder:1:86400": "skipped",
        "reminder:1:3600": "done",
    }
    # And when the worker returns after the deadline: frozen once, the lead told once.
    moving_clock.move_to(timebox.deadline + timedelta(hours=3))
    timeboxes_sweep_task.delay()
    timeboxes_sweep_task.delay()
    celery_redis.drain()
    assert [m.to for m in mail.outbox[2:]] == [[world.lead.email]]
    assert Timebox.objects.get().events.filter(kind="frozen").count() == 1


def test_two_sweepers_at_the_same_moment_send_nothing_twice(moving_clock, world, timebox):
    """Two beats' sweeps in parallel on PostgreSQL: the row locks (skip_locked) and the unique
    milestones and notices let each reminder through exactly once."""
    more = [
        services.timebox_create(
            programme=world.programme,
            by=world.lead,
            name=f"Fase {n}",
            starts_at=timezone.now(),
            deadline=timezone.now() + timedelta(days=10),
            documents=[Document.objects.first()],
        )
        for n in range(5)
    ]
    # A minute past the 1-day moment of every timebox (the later ones were created a few
    # milliseconds later on the ticking clock): each timebox has exactly one round due.
    moving_clock.move_to(timebox.deadline - timedelta(days=1) + timedelta(minutes=1))
    assert connection.vendor == "postgresql"
    barrier = threading.Barrier(3)
    errors = []

    def sweep():
        from django.db import connections

        try:
            barrier.wait()
            services.timeboxes_sweep()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    expected = 2 * (1 + len(more))
    assert Notice.objects.count() == expected
    assert len(mail.outbox) == expected
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == expected
