"""Many people saving the same few documents at once lose nothing.

24 clients in threads, each with its own database connection, half through the web form and
half through the service, save to three documents for a bounded time. Afterwards the versions
of each document form a chain in which every accepted save was based on the version before it
(or was merged with it), every refused save got a conflict that carries the submitted text, and
nothing failed with a server error.
"""

import html
import random
import threading
import time
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client, override_settings
from reversion.models import Version

from config.settings import base as base_settings
from participation.models import Membership
from tests import factories
from wiki import services
from wiki.models import Document, EditMeta

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 24
DOCUMENTS = 3
SECONDS = 8
MAX_ROUNDS = 40


@dataclass
class Attempt:
    client: int
    document_id: int
    summary: str
    base_version_id: int
    body: str
    outcome: str = ""  # accepted | conflict | unchanged | error
    detail: str = ""


def _own_line(client: int) -> int:
    return 3 + 2 * client  # an untouched line between any two clients' lines


def _edit(body: str, client: int, round_: int, rng: random.Random) -> str:
    lines = body.split("\n")
    # Line 1 is fought over (conflicts); each client's own line merges cleanly.
    index = 1 if rng.random() < 0.3 else _own_line(client)
    lines[index] = f"line {index} by client {client} round {round_}"
    return "\n".join(lines)


def _run_client(number: int, author, documents, attempts: list, lock, deadline: float) -> None:
    rng = random.Random(number)
    web = number % 2 == 0
    browser = Client()
    if web:
        browser.force_login(author)
    try:
        for round_ in range(MAX_ROUNDS):
            if time.monotonic() > deadline:
                break
            document = Document.objects.get(pk=rng.choice(documents).pk)
            attempt = Attempt(
                client=number,
                document_id=document.pk,
                summary=f"client {number} round {round_}",
                base_version_id=document.head_id,
                body=_edit(document.body, number, round_, rng),
            )
            time.sleep(rng.random() * 0.02)  # typing
            if web:
                _save_through_web(browser, document, attempt)
            else:
                _save_through_service(author, document, attempt)
            with lock:
                attempts.append(attempt)
    finally:
        connection.close()


def _save_through_service(author, document, attempt: Attempt) -> None:
    try:
        result = services.document_save(
            document=document,
            body=attempt.body,
            base_version_id=attempt.base_version_id,
            author=author,
            summary=attempt.summary,
        )
    except services.EditConflict as conflict:
        attempt.outcome = "conflict"
        intact = conflict.body == attempt.body and conflict.summary == attempt.summary
        attempt.detail = "" if intact else "conflict lost the submitted text"
    except Exception as error:  # noqa: BLE001 - any other exception is the failure we look for
        attempt.outcome, attempt.detail = "error", repr(error)
    else:
        attempt.outcome = "unchanged" if result.unchanged else "accepted"


def _save_through_web(browser: Client, document, attempt: Attempt) -> None:
    url = f"/p/{document.programme.slug}/d/{document.slug}/edit/"
    response = browser.post(
        url,
        {
            "title": document.title,
            "body": attempt.body,
            "summary": attempt.summary,
            "base_version": attempt.base_version_id,
        },
    )
    if response.status_code == 302:
        attempt.outcome = "accepted"
    elif response.status_code == 409:
        attempt.outcome = "conflict"
        page = response.content.decode()
        intact = html.escape(attempt.body, quote=False) in page or attempt.body in page
        attempt.detail = "" if intact else "conflict page lost the submitted text"
    else:
        attempt.outcome, attempt.detail = "error", f"HTTP {response.status_code}"


@override_settings(TASKS=base_settings.TASKS)
def test_concurrent_saves_form_a_chain_and_lose_nothing(world, make_document):
    authors = [world.contributor, world.lead]
    for n in range(CLIENTS - len(authors)):
        person = factories.UserFactory(username=f"editor-{n}")
        factories.AffiliationFactory(user=person, organisation=world.contributing_org)
    authors += list(
        world.contributing_org.people.filter(username__startswith="editor-").order_by("pk")
    )
    assert world.contributing_org.memberships.get().level == Membership.MemberLevel.CONTRIBUTOR
    start_text = "\n".join(f"line {n}" for n in range(2 * CLIENTS + 5))
    documents = [make_document(world, title=f"Shared {n}", body=start_text) for n in range(3)]
    attempts: list[Attempt] = []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS
    threads = [
        threading.Thread(
            target=_run_client, args=(n, authors[n], documents, attempts, lock, deadline)
        )
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 60)

    errors = [a for a in attempts if a.outcome == "error" or a.detail]
    assert not errors, errors[:5]
    by_summary = {a.summary: a for a in attempts}
    accepted = {a.summary for a in attempts if a.outcome == "accepted"}
    conflicts = [a for a in attempts if a.outcome == "conflict"]
    assert len(accepted) >= CLIENTS, "too few saves went through to prove anything"
    assert conflicts, "no save was refused: the test did not create contention"

    seen: set[str] = set()
    for document in documents:
        versions = list(
            Version.objects.get_for_object(document)
            .select_related("revision__edit_meta")
            .order_by("pk")
        )
        by_pk = {v.pk: v for v in versions}
        document.refresh_from_db()
        assert document.head_id == versions[-1].pk
        assert document.body == versions[-1].field_dict["body"]
        for previous, version in zip(versions, versions[1:], strict=False):
            attempt = by_summary[version.revision.comment]
            assert attempt.document_id == document.pk
            assert attempt.outcome == "accepted"
            seen.add(attempt.summary)
            if version.revision.edit_meta.action == EditMeta.Action.MERGE:
                assert attempt.base_version_id < previous.pk
                assert attempt.base_version_id in by_pk
                own_line = attempt.body.split("\n")[_own_line(attempt.client)]
                assert own_line in version.field_dict["body"].split("\n")
                # Nothing the others saved since the base may be lost: each line is the
                # submitter's where they changed it, otherwise the previous version's.
                base_lines = by_pk[attempt.base_version_id].field_dict["body"].split("\n")
                previous_lines = previous.field_dict["body"].split("\n")
                expected = [
                    mine if mine != base else theirs
                    for base, theirs, mine in zip(
                        base_lines, previous_lines, attempt.body.split("\n"), strict=True
                    )
                ]
                assert version.field_dict["body"].split("\n") == expected, (
                    "a merge lost an edit saved in the meantime"
                )
            else:
                assert attempt.base_version_id == previous.pk, attempt
                assert version.field_dict["body"] == attempt.body
    assert seen == accepted, "an accepted save has no version"
    for conflict in conflicts:
        assert conflict.summary not in seen
