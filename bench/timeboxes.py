"""Timebox figures: closing a timebox with 1,000 documents in scope (one reversion revision
holding 1,000 versions), and the sweeper's run with 1,000 open timeboxes: with nothing due, with
a reminder round due in 100 of them, and a second beat at that moment (which must send nothing).

Runs against the database named by DATABASE_URL (the benchmark's, or var/db.sqlite3 after
`make run`), inside one transaction that is rolled back at the end, so it leaves nothing behind.
E-mail goes to Django's in-memory backend. Prints the figures, then one JSON line for
bench/run.py.

    .venv/bin/python bench/timeboxes.py
"""

import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from participation.models import (  # noqa: E402
    Affiliation,
    Membership,
    Organisation,
    Programme,
    ProgrammeRole,
)
from timeboxes import selectors, services  # noqa: E402
from timeboxes.models import Notice, ScopeItem, Timebox  # noqa: E402
from wiki.models import Document  # noqa: E402

DOCUMENTS = 1_000
TIMEBOXES = 1_000
DUE = 100  # of them with a reminder round due in the measured sweep
BODY = "# Use case\n\n" + "Een regel tekst van een use case, zoals de scholen die schrijven.\n" * 60


class Rollback(Exception):
    pass


def _setup():
    User = get_user_model()
    suffix = str(int(time.time() * 1000))
    programme = Programme.objects.create(name=f"Bench {suffix}", slug=f"bench-timeboxes-{suffix}")
    organisation = Organisation.objects.create(name=f"Bench org {suffix}", slug=f"bench-{suffix}")
    Membership.objects.create(
        programme=programme,
        organisation=organisation,
        level=Membership.MemberLevel.CONTRIBUTOR,
    )
    lead = User.objects.create(username=f"bench-lead-{suffix}", email="lead@example.org")
    contributor = User.objects.create(username=f"bench-c-{suffix}", email="c@example.org")
    for user in (lead, contributor):
        Affiliation.objects.create(user=user, organisation=organisation)
    ProgrammeRole.objects.create(programme=programme, user=lead)
    return programme, lead


def bench_close(programme: Programme, lead) -> dict:
    root = Document.objects.create(
        programme=programme, kind=Document.Kind.MAIN_PROCESS, title="Hoofdproces", slug="hoofd"
    )
    Document.objects.bulk_create(
        [
            Document(
                programme=programme,
                kind=Document.Kind.PAGE,
                parent=root,
                title=f"Document {n}",
                slug=f"document-{n}",
                body=BODY,
                position=n,
            )
            for n in range(DOCUMENTS - 1)
        ]
    )
    now = timezone.now()
    timebox = services.timebox_create(
        programme=programme,
        by=lead,
        name="Bench close",
        starts_at=now,
        deadline=now + timedelta(days=1),
        subtrees=[root],
        reminder_offsets=[],
    )
    start = time.perf_counter()
    baseline = services.timebox_close(timebox=timebox, by=lead, outcome="Bench")
    seconds = time.perf_counter() - start
    versions = len(selectors.baseline_documents(baseline))
    assert versions == DOCUMENTS, versions
    return {"documents": versions, "seconds": round(seconds, 3)}


def bench_sweep(programme: Programme, lead) -> dict:
    document = Document.objects.filter(programme=programme).first()
    now = timezone.now()
    day = timedelta(days=1)
    timeboxes = Timebox.objects.bulk_create(
        [
            Timebox(
                programme=programme,
                name=f"Sweep {n}",
                starts_at=now - day,
                deadline=now + 10 * day + timedelta(minutes=n),  # staggered by a minute
                status=Timebox.Status.OPEN,
                reminder_offsets=[7 * 86400, 86400, 3600],
                reminders_from=now - day,
                created_by=lead,
            )
            for n in range(TIMEBOXES)
        ]
    )
    ScopeItem.objects.bulk_create(
        [ScopeItem(timebox=t, document=document, subtree=False) for t in timeboxes]
    )
    services.notices_deliver()  # the closing report of bench_close, not part of the figure
    start = time.perf_counter()
    idle = services.timeboxes_sweep(now=now)
    idle_seconds = time.perf_counter() - start
    assert idle.reminders == 0
    # Three days later the 7-day reminder of the first DUE timeboxes has come: one round each,
    # to 2 people (the minute a sweeper was down for DUE minutes, or a busy deadline day).
    later = now + 3 * day + timedelta(minutes=DUE - 1)
    start = time.perf_counter()
    due = services.timeboxes_sweep(now=later)
    due_seconds = time.perf_counter() - start
    sent = Notice.objects.filter(timebox__in=timeboxes, status=Notice.Status.SENT).count()
    start = time.perf_counter()
    again = services.timeboxes_sweep(now=later)  # a second beat at the same moment
    again_seconds = time.perf_counter() - start
    return {
        "open_timeboxes": TIMEBOXES,
        "due_rounds": due.reminders // 2,
        "idle_seconds": round(idle_seconds, 3),
        "due_seconds": round(due_seconds, 3),
        "reminders_written": due.reminders,
        "reminders_sent": sent,
        "second_beat_seconds": round(again_seconds, 3),
        "second_beat_reminders": again.reminders,
    }


def main() -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    mail.outbox = []
    results: dict = {"database": connection.vendor}
    try:
        with transaction.atomic():
            programme, lead = _setup()
            results["close"] = bench_close(programme, lead)
            results["sweep"] = bench_sweep(programme, lead)
            raise Rollback
    except Rollback:
        pass
    close, sweep = results["close"], results["sweep"]
    print(
        f"Closing a timebox with {close['documents']:,} documents in scope "
        f"(one baseline revision): {close['seconds']:.2f} s"
    )
    print(
        f"Sweeper with {sweep['open_timeboxes']:,} open timeboxes: "
        f"{sweep['idle_seconds']:.2f} s with nothing due; "
        f"{sweep['due_seconds']:.2f} s when {sweep['due_rounds']:,} of them are due a reminder "
        f"round ({sweep['reminders_sent']:,} e-mails); "
        f"{sweep['second_beat_seconds']:.2f} s for a second beat at that moment "
        f"(reminders written again: {sweep['second_beat_reminders']})"
    )
    results["goals"] = [
        {
            "goal": f"close a timebox with {close['documents']:,} documents in scope",
            "measured": f"{close['seconds']:.2f} s",
            "target": "< 10 s",
            "met": close["seconds"] < 10,
        },
        {
            "goal": f"sweeper with {sweep['open_timeboxes']:,} open timeboxes, nothing due",
            "measured": f"{sweep['idle_seconds']:.2f} s",
            "target": "< 60 s (runs every minute)",
            "met": sweep["idle_seconds"] < 60,
        },
        {
            "goal": f"sweeper with {sweep['open_timeboxes']:,} open, "
            f"{sweep['due_rounds']:,} reminder rounds due",
            "measured": f"{sweep['due_seconds']:.2f} s",
            "target": "< 60 s (runs every minute)",
            "met": sweep["due_seconds"] < 60,
        },
    ]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
