"""The notification outbox with a real Celery worker on real Redis (see tests/worker.py), on
PostgreSQL: the worker thread and the test write concurrently, which SQLite's shared in-memory
database refuses ("table is locked"), and the row locks (skip_locked) are PostgreSQL's."""

import time

import pytest
from django.core import mail

from participation import services
from participation.models import Notification, Profile
from participation.tasks import (
    digest_send_task,
    event_fan_out_task,
    notifications_deliver_task,
    outbox_sweep_task,
)
from tests.worker import broker_unreachable
from wiki import services as wiki
from wiki.events import DocumentEvent
from wiki.models import Document, Watch

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_coalescing_delay(settings):
    settings.STIP_NOTIFICATION_COALESCE_SECONDS = 0


@pytest.fixture
def tree(world, make_document):
    """A main process, a work process below it and a use case below that, made (eagerly)
    before the test points Celery at Redis. List it before the Celery fixtures."""
    main = make_document(world, title="Leerlingadministratie", kind=Document.Kind.MAIN_PROCESS)
    work = make_document(world, title="Inschrijven", kind=Document.Kind.WORK_PROCESS, parent=main)
    use_case = make_document(
        world, title="Aanmelden nieuwe leerling", kind=Document.Kind.USE_CASE, parent=work
    )
    mail.outbox.clear()
    return main, work, use_case


def _edit(document, author, body, summary="Stap toegevoegd"):
    document.refresh_from_db()
    return wiki.document_save(
        document=document,
        body=body,
        base_version_id=document.head_id,
        author=author,
        summary=summary,
    )


def _mail_to(user):
    return [m for m in mail.outbox if user.email in m.to]


def test_subtree_watcher_is_told_of_a_change_below_and_the_author_is_not(
    world, tree, celery_worker_redis
):
    main, work, use_case = tree
    wiki.watch_set(
        user=world.observer, programme=world.programme, document=main, scope=Watch.Scope.SUBTREE
    )
    wiki.watch_set(user=world.outsider, programme=world.programme, document=work)
    wiki.watch_set(user=world.contributor, programme=world.programme)
    celery_worker_redis.drain()
    mail.outbox.clear()

    _edit(use_case, world.contributor, "Eerste versie.\n\nNieuwe stap.\n")

    celery_worker_redis.wait_for(lambda: len(_mail_to(world.observer)) == 1)
    celery_worker_redis.drain()
    observer_note = Notification.objects.get(recipient=world.observer)
    assert observer_note.target == use_case
    assert observer_note.kind == DocumentEvent.EDITED
    assert "Stap toegevoegd" in _mail_to(world.observer)[0].body
    assert not Notification.objects.filter(recipient=world.contributor).exists()
    assert not _mail_to(world.contributor)
    # watching only the work process itself does not cover what is below it
    assert not Notification.objects.filter(recipient=world.outsider).exists()


def test_digest_groups_changes_per_programme_and_document_and_skips_empty_ones(
    world, tree, celery_worker_redis
):
    main, work, use_case = tree
    wiki.watch_set(user=world.observer, programme=world.programme)
    services.preferences_update(user=world.observer, email_frequency=Profile.EmailFrequency.DAILY)
    services.preferences_update(user=world.outsider, email_frequency=Profile.EmailFrequency.DAILY)
    celery_worker_redis.drain()
    mail.outbox.clear()

    _edit(use_case, world.contributor, "Versie twee.\n", summary="Stap twee")
    _edit(work, world.contributor, "Werkproces herschreven.\n", summary="Herschreven")
    celery_worker_redis.wait_for(
        lambda: Notification.objects.filter(recipient=world.observer).count() == 2
    )
    celery_worker_redis.drain()
    assert not _mail_to(world.observer), "a digest reader gets no instant mail"

    digest_send_task.delay("daily")
    celery_worker_redis.wait_for(lambda: len(_mail_to(world.observer)) == 1)
    digest_send_task.delay("daily")
    celery_worker_redis.drain()

    (digest,) = _mail_to(world.observer)
    assert "daily digest" in digest.subject
    text = digest.body
    assert text.count(world.programme.name) == 1, "one heading per programme"
    assert "Inschrijven" in text and "Aanmelden nieuwe leerling" in text
    assert "Stap twee" in text and "Herschreven" in text
    html = digest.alternatives[0][0]
    assert "<h3" in html and "Inschrijven" in html
    assert not _mail_to(world.outsider), "nothing pending: no digest at all"


def test_a_task_run_twice_sends_nothing_twice(world, tree, celery_redis):
    main, work, use_case = tree
    wiki.watch_set(user=world.observer, programme=world.programme)
    # Nothing runs yet: the events wait in Redis.
    _edit(use_case, world.contributor, "Nog een versie.\n")
    event = use_case.events.get(kind=DocumentEvent.EDITED)
    for _ in range(2):
        event_fan_out_task.delay(event.pk)
        notifications_deliver_task.delay()
        outbox_sweep_task.delay()
    celery_redis.start_worker()
    celery_redis.drain()
    celery_redis.wait_for(lambda: len(_mail_to(world.observer)) >= 1)
    notifications_deliver_task.delay()
    celery_redis.drain()

    assert Notification.objects.filter(recipient=world.observer, event=event).count() == 1
    edited_mail = [m for m in _mail_to(world.observer) if "edited" in m.subject]
    assert len(edited_mail) == 1


def test_edit_while_broker_is_down_succeeds_at_once_and_is_delivered_after(
    world, tree, celery_redis
):
    main, work, use_case = tree
    wiki.watch_set(
        user=world.observer, programme=world.programme, document=main, scope=Watch.Scope.SUBTREE
    )
    with broker_unreachable():
        started = time.monotonic()
        result = _edit(use_case, world.contributor, "Geschreven tijdens een storing.\n")
        took = time.monotonic() - started
    assert took < 2.0
    use_case.refresh_from_db()
    assert use_case.body == "Geschreven tijdens een storing.\n"
    assert use_case.head_id == result.version.pk
    pending = use_case.events.get(kind=DocumentEvent.EDITED)
    assert pending.fanned_out_at is None
    assert not Notification.objects.filter(event=pending).exists()

    # The broker is back: the beat sweeper picks the event up.
    celery_redis.start_worker()
    outbox_sweep_task.delay()
    celery_redis.wait_for(lambda: len(_mail_to(world.observer)) == 1)
    pending.refresh_from_db()
    assert pending.fanned_out_at is not None
    told = set(Notification.objects.filter(event=pending).values_list("recipient", flat=True))
    assert world.observer.pk in told and world.contributor.pk not in told
