"""Notification fan-out figures: one change to a document watched by 10,000 people.

1. In the request: saving the document writes the change and one outbox row; enqueuing the
   fan-out task after commit is one broker publish. Both are timed with 10 and with 10,000
   watchers; the goal is that they do not grow with the number of watchers.
2. Later, in Celery: the fan-out (10,000 notification rows, in chunks) and the delivery of
   10,000 instant e-mails to a local SMTP server (aiosmtpd in a thread), one SMTP connection
   per batch.

Runs against the database named by DATABASE_URL (or var/db.sqlite3 after `make run`), inside
one transaction that is rolled back at the end, so it leaves nothing behind. The broker is
REDIS_URL's when set, else an in-memory one. Prints the figures, then one JSON line.

    .venv/bin/python bench/fanout.py [--watchers 10000]
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402

from config.celery_app import app  # noqa: E402
from participation import notifications  # noqa: E402
from participation.models import (  # noqa: E402
    Affiliation,
    Membership,
    Notification,
    Organisation,
    Programme,
)
from tests.smtp import smtp_server_start  # noqa: E402
from wiki import services as wiki  # noqa: E402
from wiki.models import Document, Watch  # noqa: E402


class Rollback(Exception):
    pass


class _Recorder:
    def __init__(self):
        self.messages = 0
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        return "250 OK"


def _smtp_server():
    handler = _Recorder()
    controller, port = smtp_server_start(handler)
    return controller, handler, port


def _setup(suffix: str):
    User = get_user_model()
    programme = Programme.objects.create(name=f"Fan-out {suffix}", slug=f"bench-fanout-{suffix}")
    organisation = Organisation.objects.create(
        name=f"Fan-out org {suffix}", slug=f"bench-fanout-{suffix}"
    )
    Membership.objects.create(
        programme=programme, organisation=organisation, level=Membership.MemberLevel.CONTRIBUTOR
    )
    author = User.objects.create(username=f"bench-author-{suffix}", email="author@bench.example")
    Affiliation.objects.create(user=author, organisation=organisation)
    return programme, author


def _document(programme, author, title):
    return wiki.document_create(
        programme=programme, kind=Document.Kind.PAGE, title=title, body="Begin.\n", author=author
    )


def _watchers(programme, document, count: int, suffix: str, tag: str) -> None:
    User = get_user_model()
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench-{tag}-{suffix}-{n}",
                email=f"watcher{n}@bench.example",
                password=password,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    Watch.objects.bulk_create(
        [Watch(user=u, programme=programme, document=document) for u in users], batch_size=2000
    )


def _request(document, author, body: str) -> tuple[float, float, int]:
    """The request's share: save (with the outbox row) and the publish after commit."""
    document.refresh_from_db()
    started = time.perf_counter()
    with transaction.atomic():
        wiki.document_save(
            document=document,
            body=body,
            base_version_id=document.head_id,
            author=author,
            summary="Bench",
        )
    saved = time.perf_counter() - started
    event = document.events.order_by("-pk").first()
    started = time.perf_counter()
    notifications._enqueue_fan_out(event.pk)
    enqueued = time.perf_counter() - started
    return saved, enqueued, event.pk


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, default=10_000)
    watchers = parser.parse_args().watchers

    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ.get("REDIS_URL") or "memory://"
    settings.STIP_NOTIFICATION_COALESCE_SECONDS = 0
    controller, handler, port = _smtp_server()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""

    suffix = str(int(time.time() * 1000))
    figures: dict = {"watchers": watchers, "broker": app.conf.broker_url.split(":")[0]}
    try:
        with transaction.atomic():
            programme, author = _setup(suffix)
            few = _document(programme, author, "Weinig volgers")
            many = _document(programme, author, "Veel volgers")
            _watchers(programme, few, 10, suffix, "few")
            _watchers(programme, many, watchers, suffix, "many")

            _request(few, author, "Opwarmen.\n")  # warm caches and the broker connection
            saved_few, enqueued_few, _ = _request(few, author, "Tien volgers.\n")
            saved_many, enqueued_many, event_id = _request(many, author, "Veel volgers.\n")

            started = time.perf_counter()
            reached = notifications.event_fan_out(event_id=event_id)
            fanned = time.perf_counter() - started
            assert reached == watchers, reached
            # Only this event's notifications go out now (the warm-up's are not fanned out).
            Notification.objects.exclude(event_id=event_id).update(email=Notification.Email.NONE)
            started = time.perf_counter()
            sent = notifications.notifications_deliver_instant()
            delivered = time.perf_counter() - started

            figures.update(
                {
                    "request_save_ms_10_watchers": round(saved_few * 1000, 1),
                    f"request_save_ms_{watchers}_watchers": round(saved_many * 1000, 1),
                    "request_enqueue_ms_10_watchers": round(enqueued_few * 1000, 2),
                    f"request_enqueue_ms_{watchers}_watchers": round(enqueued_many * 1000, 2),
                    "fan_out_s": round(fanned, 2),
                    "delivery_s": round(delivered, 2),
                    "emails_sent": sent,
                    "emails_received": handler.messages,
                    "emails_per_s": round(sent / delivered, 1) if delivered else None,
                    "smtp_connections": handler.connections,
                }
            )
            raise Rollback
    except Rollback:
        pass
    finally:
        controller.stop()
    return figures


if __name__ == "__main__":
    result = main()
    n = result["watchers"]
    print(f"Notification fan-out of one change to {n:,} watchers (broker: {result['broker']})")
    print(
        f"  in the request, save + outbox row: {result['request_save_ms_10_watchers']} ms "
        f"with 10 watchers, {result[f'request_save_ms_{n}_watchers']} ms with {n:,}"
    )
    print(
        f"  in the request, enqueue after commit: {result['request_enqueue_ms_10_watchers']} ms "
        f"with 10 watchers, {result[f'request_enqueue_ms_{n}_watchers']} ms with {n:,}"
    )
    print(f"  fan-out in Celery ({n:,} notifications): {result['fan_out_s']} s")
    print(
        f"  delivery to a local SMTP server: {result['delivery_s']} s for "
        f"{result['emails_received']:,} e-mails ({result['emails_per_s']}/s) over "
        f"{result['smtp_connections']} SMTP connections"
    )
    print(json.dumps({"fanout": result}))
