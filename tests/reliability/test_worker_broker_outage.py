"""The Celery worker survives a broker outage and resumes by itself.

A real `celery worker` process (tests/reliability/conftest.py) works on a Redis server the test
started for itself. An edit is fanned out; its e-mail waits for the coalescing window, which is
the delivery a worker used to hold as a countdown message. Redis is killed (SIGKILL) while the
delivery waits and started again on the same port, empty. Nobody restarts the worker: it
reconnects, and beat's next outbox sweep after the window sends the message, once.

(A worker that held an unacknowledged message when Redis dropped, a countdown or eta task or
one taken with acks_late, died with kombu 5.7's `restore_unacked` raising `AttributeError:
'NoneType' object has no attribute 'hostname'`, and stayed dead.)
"""

import time

import pytest

from participation.models import Event, Notification, OutgoingMail
from participation.tasks import outbox_sweep_task
from tests.reliability.conftest import wait_until
from tests.worker import _reset_producers
from wiki import services as wiki

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WINDOW = 20  # seconds of the coalescing window: the delivery waits this long after the edit


def _beat_sweep(app) -> None:
    """What beat does every minute: queue the outbox sweep (on a fresh producer connection)."""
    _reset_producers(app)
    outbox_sweep_task.delay()


def _quiet() -> bool:
    """Nothing left to fan out or to send."""
    return not (
        Event.objects.filter(fanned_out_at__isnull=True).exists()
        or Notification.objects.filter(email=Notification.Email.INSTANT).exists()
        or OutgoingMail.objects.filter(status=OutgoingMail.Status.PENDING).exists()
    )


def _sweeps_done(worker) -> int:
    return sum(
        1
        for line in worker.log.read_text().splitlines()
        if "participation.outbox_sweep[" in line and "succeeded" in line
    )


def test_worker_survives_redis_outage_while_a_delivery_waits_and_sends_it_once(
    world, make_document, own_redis, worker_on_own_redis, smtp
):
    from config.celery_app import app

    handler, _port = smtp
    document = make_document(world, title="Rooster", body="Eerste versie.\n")
    wiki.watch_set(user=world.observer, programme=world.programme)
    worker = worker_on_own_redis
    worker.env["STIP_NOTIFICATION_COALESCE_SECONDS"] = str(WINDOW)
    worker.start()
    pid = worker.process.pid
    # The creation is told at once (it does not coalesce); start from an empty mailbox after it.
    wait_until(_quiet, "the creation to be mailed")
    time.sleep(1)
    handler.received.clear()

    edited_at = time.monotonic()
    wiki.document_save(
        document=document,
        body="Tweede versie, tijdens de storing gemaild.\n",
        base_version_id=document.head_id,
        author=world.contributor,
        summary="Rooster bijgewerkt",
    )
    waiting = Notification.objects.filter(
        recipient=world.observer, email=Notification.Email.INSTANT
    )
    wait_until(waiting.exists, "the worker to fan the edit out")
    time.sleep(1)  # what the worker does right after the fan-out, it has done
    assert handler.received == [], "the e-mail waits for the coalescing window"

    # Redis goes down while the delivery waits, and comes back empty a few seconds later.
    own_redis.kill()
    time.sleep(4)
    assert worker.process.poll() is None, "the worker died when Redis went down"
    own_redis.start()
    time.sleep(2)

    # Beat's sweeps after the window: the first sends the message, the next finds nothing.
    wait_until(lambda: time.monotonic() - edited_at > WINDOW + 1, "the window to pass")
    _beat_sweep(app)
    wait_until(lambda: handler.copies_to(world.observer.email), "the e-mail to be sent", 60)
    _beat_sweep(app)
    wait_until(lambda: _sweeps_done(worker) == 2, "the second sweep", 30)

    assert worker.process is not None and worker.process.poll() is None
    assert worker.process.pid == pid, "nobody restarted the worker"
    (message,) = handler.copies_to(world.observer.email)
    assert "Rooster" in message.subject
    assert not OutgoingMail.objects.exclude(status=OutgoingMail.Status.SENT).exists()
