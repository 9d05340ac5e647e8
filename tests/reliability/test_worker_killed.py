"""A Celery worker killed (SIGKILL, no shutdown) in the middle of its work: after a restart the
work completes and nobody is told twice.

The worker is a real `celery worker` process (tests/reliability/conftest.py) on the test's
PostgreSQL, Redis and a real SMTP server. It is stopped where the test wants it by things outside
our code: a row lock that the test's own connection holds (the worker waits for it inside its
transaction), or an SMTP server that takes a message and then does not answer.

What brings the work back after the kill is the beat sweepers, not Redis: a task is
acknowledged when it starts, so the killed worker's message is gone (a worker holding
unacknowledged messages would not survive a broker outage: test_worker_broker_outage.py).
Production runs `participation.outbox_sweep` and the timeboxes sweep every minute, so the tests
send those tasks, as beat would, to a new worker.

The e-mail edge case: a message the SMTP server has taken whose "sent" mark was not committed
when the worker died goes out again; SMTP cannot say whether it arrived. Each message is marked
sent in its own transaction, so that is at most the one message in flight, and it carries the
same Message-ID both times, so mail software recognises the copy.
"""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from participation.models import Notification, OutgoingMail
from participation.tasks import outbox_sweep_task
from tests import factories
from tests.reliability.conftest import backend_alive, backends_blocked_by_me, wait_until
from timeboxes import services as timeboxes
from timeboxes.models import Baseline, Milestone, Notice, Timebox, TimeboxEvent
from timeboxes.tasks import timeboxes_sweep_task
from wiki import services as wiki
from wiki.events import DocumentEvent
from wiki.models import Document

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WATCHERS = 30


def _kill_while_blocked(worker, enqueue, lock) -> None:
    """Hold `lock()` (rows locked in the test's transaction), start the worker, `enqueue()` its
    task, wait until the worker's transaction waits for our lock, kill the worker, let go."""
    with transaction.atomic():
        lock()
        worker.start()
        enqueue()
        wait_until(lambda: bool(backends_blocked_by_me()), "the worker to wait for our lock")
        (blocked,) = backends_blocked_by_me()
        worker.kill()
        transaction.set_rollback(True)
    # The killed worker's database session finds its client gone and rolls back.
    wait_until(lambda: not backend_alive(blocked), "the killed worker's session to end")


def _kill_while_sending(worker, smtp, enqueue, stall_at: int) -> None:
    """Start the worker and `enqueue()`; the SMTP server takes message `stall_at` and does not
    answer; kill the worker then."""
    smtp.stall_at(stall_at)
    worker.start()
    enqueue()
    wait_until(smtp.stalled.is_set, f"message {stall_at} to reach the SMTP server")
    worker.kill()
    smtp.release()


def _assert_told_once(smtp, people, *, resent: int) -> None:
    """Each person has one message (one Message-ID); besides that, exactly `resent` copies went
    out again, each with the Message-ID of its first copy."""
    for person in people:
        copies = smtp.copies_to(person.email)
        assert copies, f"{person.email} was not told"
        assert len({copy.message_id for copy in copies}) == 1, (person.email, copies)
    addressed = Counter(address for message in smtp.received for address in message.to)
    assert sum(addressed.values()) - len(addressed) == resent, addressed


@pytest.fixture
def watched_document(world, make_document):
    """A document with many watchers, made (with tasks run in-process) before the test points
    Celery at Redis: list it before `worker_process`."""
    document = make_document(world, title="Rooster")
    watchers = [factories.UserFactory(username=f"watcher{n}") for n in range(WATCHERS)]
    for person in watchers:
        wiki.watch_set(user=person, programme=world.programme)
    return document, watchers


def test_fan_out_and_delivery_killed_complete_after_restart_and_nobody_is_told_twice(
    world, watched_document, worker_process, smtp
):
    handler, _port = smtp
    document, watchers = watched_document
    wiki.document_save(
        document=document,
        body="Nieuwe versie voor iedereen.\n",
        base_version_id=document.head_id,
        author=world.contributor,
        summary="Voor alle volgers",
    )
    event = document.events.get(kind=DocumentEvent.EDITED)
    assert handler.received == []

    # 1. The worker fans the edit out and is killed while inserting the notifications: the
    # last watcher's row is taken by an uncommitted insert of the test.
    _kill_while_blocked(
        worker_process,
        enqueue=lambda: None,  # the edit's fan-out task is already waiting in Redis
        lock=lambda: Notification.objects.create(
            recipient=watchers[-1], event=event, programme=world.programme, kind=event.kind
        ),
    )
    event.refresh_from_db()
    assert event.fanned_out_at is None, "the fan-out is all or nothing"
    assert not Notification.objects.filter(event=event).exists()

    # 2. A new worker; beat's outbox sweep fans out and sends. Killed while the SMTP server holds
    # the fifth message.
    _kill_while_sending(worker_process, handler, outbox_sweep_task.delay, stall_at=5)
    notified = Notification.objects.filter(event=event)
    assert notified.count() == WATCHERS + 1  # the watchers and the document's author (lead)
    # Every message was in the mail outbox before the first went out; four were sent.
    assert not notified.exclude(email=Notification.Email.SENT).exists()
    assert OutgoingMail.objects.count() == WATCHERS + 1
    assert OutgoingMail.objects.filter(status=OutgoingMail.Status.SENT).count() == 4

    # 3. Another worker; the next sweep sends the rest.
    worker_process.start()
    outbox_sweep_task.delay()
    wait_until(
        lambda: not OutgoingMail.objects.exclude(status=OutgoingMail.Status.SENT).exists(),
        "every notification to be mailed",
    )
    worker_process.stop()

    assert Notification.objects.filter(event=event).count() == WATCHERS + 1
    assert sorted(notified.values_list("recipient_id", flat=True)) == sorted(
        [world.lead.pk, *(person.pk for person in watchers)]
    )
    # Only the message the SMTP server held when the worker died went out twice.
    _assert_told_once(handler, [world.lead, *watchers], resent=1)
    assert not handler.copies_to(world.contributor.email), "the author is not told"


@pytest.fixture
def overdue_timebox(world):
    """An auto-closing timebox over a main process and two work processes, whose deadline
    passed an hour ago while no sweeper ran; seven people to tell."""
    past = timezone.now() - timedelta(hours=2)
    with time_machine.travel(past, tick=True):
        main = wiki.document_create(
            programme=world.programme,
            kind=Document.Kind.MAIN_PROCESS,
            title="Onderwijs",
            body="Eerste versie.\n",
            author=world.lead,
        )
        children = [
            wiki.document_create(
                programme=world.programme,
                kind=Document.Kind.WORK_PROCESS,
                title=title,
                body=f"{title}.\n",
                author=world.contributor,
                parent=main,
            )
            for title in ("Roosteren", "Toetsen")
        ]
        timebox = timeboxes.timebox_create(
            programme=world.programme,
            by=world.lead,
            name="Specificatiefase",
            starts_at=timezone.now(),
            deadline=timezone.now() + timedelta(hours=1),
            subtrees=[main],
            reminder_offsets=[],
            auto_close=True,
        )
    colleagues = []
    for n in range(5):
        person = factories.UserFactory(username=f"colleague{n}")
        factories.AffiliationFactory(user=person, organisation=world.contributing_org)
        colleagues.append(person)
    return timebox, [main, *children], [world.lead, world.contributor, *colleagues]


def test_timebox_close_killed_completes_after_restart_with_one_baseline_and_one_notice_each(
    world, overdue_timebox, worker_process, smtp
):
    handler, _port = smtp
    timebox, documents, people = overdue_timebox
    Notice.objects.all().delete()  # none are due, but start from an empty outbox

    # 1. The sweeper freezes and auto-closes; killed while the close waits for a document in
    # scope that the test holds locked.
    _kill_while_blocked(
        worker_process,
        enqueue=timeboxes_sweep_task.delay,
        lock=lambda: list(Document.objects.select_for_update().filter(pk=documents[-1].pk)),
    )
    timebox.refresh_from_db()
    assert timebox.status == Timebox.Status.OPEN, "freeze and close are all or nothing"
    assert not Baseline.objects.exists()
    assert not Milestone.objects.filter(timebox=timebox).exists()
    assert not Notice.objects.exists()

    # 2. A new worker, beat's next sweep: it closes and tells everyone; killed while the SMTP
    # server holds the third message.
    _kill_while_sending(worker_process, handler, timeboxes_sweep_task.delay, stall_at=3)
    timebox.refresh_from_db()
    assert timebox.status == Timebox.Status.CLOSED
    assert not Notice.objects.filter(status=Notice.Status.PENDING).exists()
    assert OutgoingMail.objects.filter(status=OutgoingMail.Status.SENT).count() == 2

    # 3. Another worker, the next sweep: the rest of the notices go out.
    worker_process.start()
    timeboxes_sweep_task.delay()
    wait_until(
        lambda: not OutgoingMail.objects.exclude(status=OutgoingMail.Status.SENT).exists(),
        "every notice to be sent",
    )
    worker_process.stop()

    timebox.refresh_from_db()
    assert timebox.status == Timebox.Status.CLOSED and timebox.closed_by is None
    (baseline,) = Baseline.objects.filter(timebox=timebox)
    assert set(baseline.heads) == {str(document.pk) for document in documents}
    assert baseline.revision.version_set.count() == len(documents)
    assert timebox.events.filter(kind=TimeboxEvent.Kind.CLOSED).count() == 1
    assert timebox.events.filter(kind=TimeboxEvent.Kind.FROZEN).count() == 1
    assert Milestone.objects.filter(timebox=timebox).exclude(occasion__startswith="reminder:")
    notices = Notice.objects.filter(timebox=timebox, kind=Notice.Kind.CLOSED)
    assert sorted(notices.values_list("recipient_id", flat=True)) == sorted(p.pk for p in people)
    _assert_told_once(handler, people, resent=1)
    assert all("Specificatiefase" in message.subject for message in handler.received)
