"""Stip's in-process figures: the document page (its time and its queries, for a logged-in
reader and an anonymous one), history with 1,000 and 100,000 versions, the diff of two
100 KB versions, and saving an edit of a document 50 people watch.

Requests go through Django's test client (the whole view, middleware and templates, no network)
against the benchmark's PostgreSQL database, after bench/stip_setup.py filled it. Prints JSON.
"""

import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import django  # noqa: E402

django.setup()

from content import document_text, large_pair  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.signals import request_started  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from reversion.models import Revision, Version  # noqa: E402

from participation.fragments import fragments_changed  # noqa: E402
from participation.models import Programme  # noqa: E402
from wiki import services  # noqa: E402
from wiki.diff import diff_texts  # noqa: E402
from wiki.models import Document, EditMeta  # noqa: E402

User = get_user_model()
RUNS = 30


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1)


def timed_get(client: Client, url: str, runs: int = RUNS) -> dict:
    client.get(url)  # warm: caches, first-query costs
    samples = []
    request_started.disconnect(reset_queries)  # else every request empties the query log
    try:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        # Counted now: the captured list is read from the connection's query log, which the
        # next request empties once reset_queries is connected again.
        query_count = len(queries)
        tables = [_table(query["sql"]) for query in queries.captured_queries]
    finally:
        request_started.connect(reset_queries)
    assert response.status_code == 200, (url, response.status_code)
    for _ in range(runs):
        start = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": p95(samples),
        "queries": query_count,
        "tables": tables,
    }


def _table(sql: str) -> str:
    """The table a query reads (or writes), to say in the results what each query is for."""
    match = re.search(r'(?:FROM|INTO|UPDATE)\s+"([^"]+)"', sql)
    return match.group(1) if match else sql[:40]


def page_figures(programme: Programme, reader) -> dict:
    """The document page of the HTTP comparison, in-process: time and queries per view."""
    url = f"/p/{programme.slug}/d/shared-vision/"
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(reader)
    return {
        "reader": timed_get(client, url),
        "anonymous": timed_get(Client(HTTP_HOST="127.0.0.1"), url),
    }


SCALE_WORDS = [
    "network",
    "school",
    "pupil",
    "device",
    "service",
    "process",
    "contract",
    "teacher",
    "budget",
]


def add_documents_in_bulk(programme: Programme, count: int, author) -> None:
    """`count` more documents in the programme, indexed for search as a save would index them
    (rows inserted in bulk; their own version histories do not matter to the page measured)."""
    from wagtail.search.backends import get_search_backend

    start = Document.objects.filter(programme=programme).count()
    documents = Document.objects.bulk_create(
        [
            Document(
                programme=programme,
                kind=Document.Kind.PAGE,
                title=f"Scale page {start + n}",
                slug=f"scale-page-{start + n}",
                body=" ".join(SCALE_WORDS[(start + n + i) % len(SCALE_WORDS)] for i in range(80))
                + f" agreement{start + n}",
                position=start + n,
                created_by=author,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    get_search_backend().add_bulk(Document, documents)


def add_members_in_bulk(programme: Programme, people: int, organisations: int) -> None:
    """Organisations that contribute to the programme, with `people` people among them."""
    from participation.models import Affiliation, Membership, Organisation

    start = Organisation.objects.count()
    created = Organisation.objects.bulk_create(
        [
            Organisation(name=f"Scale school {start + n}", slug=f"scale-school-{start + n}")
            for n in range(organisations)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(
                programme=programme,
                organisation=organisation,
                level=Membership.MemberLevel.CONTRIBUTOR,
            )
            for organisation in created
        ]
    )
    first = User.objects.count()
    users = User.objects.bulk_create(
        [User(username=f"scale-person-{first + n}", email="") for n in range(people)],
        batch_size=2000,
    )
    Affiliation.objects.bulk_create(
        [
            Affiliation(user=user, organisation=created[n % len(created)])
            for n, user in enumerate(users)
        ],
        batch_size=2000,
    )


def scale_figures(reader, lead) -> dict:
    """The document page (logged-in reader) and search in a programme of 10 documents and
    100 people, then of 10,000 documents and 10,000 people."""
    from participation import permissions
    from participation.models import Affiliation, Membership
    from tests import factories

    programme = Programme.objects.create(name="Scale network", slug="scale")
    observing = Affiliation.objects.filter(user=reader).first().organisation
    Membership.objects.create(
        programme=programme, organisation=observing, level=Membership.MemberLevel.OBSERVER
    )
    factories.LeadRoleFactory(programme=programme, user=lead)
    permissions.forget(lead)
    page = services.document_create(
        programme=programme,
        kind=Document.Kind.VISION,
        title="Scale vision",
        body=document_text(),
        author=lead,
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(reader)
    url = f"/p/{programme.slug}/d/{page.slug}/"
    search = f"/search/?q=agreement7&programme={programme.slug}"
    figures = {}
    for documents, people in ((10, 100), (10_000, 10_000)):
        have_documents = Document.objects.filter(programme=programme).count()
        have_people = User.objects.filter(
            affiliations__organisation__memberships__programme=programme
        ).count()
        add_documents_in_bulk(programme, documents - have_documents, lead)
        add_members_in_bulk(programme, people - have_people, max(1, people // 100))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        fragments_changed(programme.pk)  # as saving the documents one by one would
        figures[f"{documents}_documents_{people}_people"] = {
            "page": timed_get(client, url),
            "search": timed_get(client, search, runs=20),
        }
    return figures


def add_versions_in_bulk(document: Document, count: int, author) -> None:
    """Give a document `count` more versions quickly: rows like the ones the service writes
    (Revision, Version with the serialised document, EditMeta), inserted in batches."""
    content_type = ContentType.objects.get_for_model(Document)
    head = Version.objects.get(pk=document.head_id)
    batch = 5000
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, count, batch):
            n = min(batch, count - start)
            revisions = Revision.objects.bulk_create(
                [
                    Revision(user=author, comment=f"bulk {start + i}", date_created=now)
                    for i in range(n)
                ]
            )
            Version.objects.bulk_create(
                [
                    Version(
                        revision=revision,
                        object_id=str(document.pk),
                        content_type=content_type,
                        db="default",
                        format=head.format,
                        serialized_data=head.serialized_data,
                        object_repr=head.object_repr,
                    )
                    for revision in revisions
                ]
            )
            EditMeta.objects.bulk_create(
                [EditMeta(revision=revision, action=EditMeta.Action.EDIT) for revision in revisions]
            )
        newest = Version.objects.get_for_object(document).order_by("-pk").first()
        Document.objects.filter(pk=document.pk).update(head=newest)
    # After a bulk load PostgreSQL needs fresh statistics (its documentation says to ANALYZE);
    # autovacuum does this on a live server, but it may be off on the benchmark's machine, and
    # with the statistics of an almost empty table the planner scans all 100,000 rows.
    with connection.cursor() as cursor:
        for model in (Revision, Version, EditMeta):
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def history_figures(programme: Programme, reader, lead) -> dict:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(reader)
    long = Document.objects.get(programme=programme, title="Long history")
    huge = services.document_create(
        programme=programme, kind=Document.Kind.PAGE, title="Huge history", body="x", author=lead
    )
    add_versions_in_bulk(huge, 100_000 - 1, lead)
    base = f"/p/{programme.slug}/d"
    return {
        "versions_1000": Version.objects.get_for_object(long).count(),
        "versions_100000": Version.objects.get_for_object(huge).count(),
        "history_1000": timed_get(client, f"{base}/{long.slug}/history/"),
        "history_100000": timed_get(client, f"{base}/{huge.slug}/history/"),
    }


def diff_figures(programme: Programme, reader, lead) -> dict:
    old, new = large_pair()
    document = services.document_create(
        programme=programme, kind=Document.Kind.PAGE, title="Large diff", body=old, author=lead
    )
    first = document.head_id
    second = services.document_save(
        document=document, body=new, base_version_id=first, author=lead
    ).version.pk
    samples = []
    for _ in range(10):
        start = time.perf_counter()
        diff_texts(old, new)
        samples.append((time.perf_counter() - start) * 1000)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(reader)
    view = timed_get(
        client, f"/p/{programme.slug}/d/{document.slug}/diff/?from={first}&to={second}", runs=10
    )
    return {
        "size_kb": [round(len(old.encode()) / 1024), round(len(new.encode()) / 1024)],
        "diff_function_p95_ms": p95(samples),
        "diff_view": view,
    }


def save_with_watchers(programme: Programme, lead, editor) -> dict:
    from wiki.models import Watch

    text = document_text()
    document = services.document_create(
        programme=programme, kind=Document.Kind.PAGE, title="Watched", body=text, author=lead
    )
    for n in range(50):
        watcher = User.objects.create_user(f"bench-watcher-{n}", f"w{n}@example.org")
        Watch.objects.create(user=watcher, programme=programme, document=document)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(editor)
    url = f"/p/{programme.slug}/d/{document.slug}/edit/"
    samples, failures = [], 0
    for n in range(RUNS + 1):
        document.refresh_from_db(fields=["head", "body"])
        lines = document.body.split("\n")
        lines[n % len(lines)] += f" (round {n})"
        data = {
            "title": "Watched",
            "body": "\n".join(lines),
            "summary": f"round {n}",
            "base_version": document.head_id,
        }
        start = time.perf_counter()
        response = client.post(url, data)
        elapsed = (time.perf_counter() - start) * 1000
        failures += response.status_code != 302
        if n:  # the first one warms up
            samples.append(elapsed)
    return {
        "watchers": Watch.objects.filter(document=document).count(),
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": p95(samples),
        "failures": failures,
    }


def main() -> None:
    programme = Programme.objects.get(slug="bench")
    reader = User.objects.get(username="bench-reader")
    lead = User.objects.get(username="bench-lead")
    editor = User.objects.get(username="bench-editor-0")
    figures = {"page": page_figures(programme, reader)}
    figures["history"] = history_figures(programme, reader, lead)
    figures["diff"] = diff_figures(programme, reader, lead)
    figures["save_with_watchers"] = save_with_watchers(programme, lead, editor)
    figures["scale"] = scale_figures(reader, lead)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
