"""The tender annex of a 300-document baseline: how long the Celery task's build takes, as PDF
(WeasyPrint) and as Word (python-docx), from a closed timebox's baseline to the stored file.

The programme is built through the services: a vision, 6 main processes, 42 work processes and
251 structured use cases (five steps, two extensions, a variant, two sign-offs each), and a
glossary of 40 terms with local words. Runs against the database named by DATABASE_URL (the
benchmark's, or var/db.sqlite3 after `make run`), inside one transaction that is rolled back at
the end; the files go to a temporary folder. Prints the figures, then one JSON line for
bench/run.py.

    .venv/bin/python bench/exports.py
"""

import json
import os
import sys
import tempfile
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
from timeboxes import services  # noqa: E402
from timeboxes.models import BaselineExport  # noqa: E402
from usecases import services as usecases  # noqa: E402
from usecases.models import SignOff  # noqa: E402
from wiki import services as wiki  # noqa: E402
from wiki.models import Document  # noqa: E402

MAIN, WORK_PER_MAIN, USECASES = 6, 7, 251  # with the vision: 300 documents
TERMS = 40
TEXT = (
    "## Waarom\n\nDe scholen willen dit samen regelen, zodat studenten en docenten overal "
    "hetzelfde vinden.\n\n## Afspraken\n\n- Eén bron per gegeven.\n- Wijzigingen binnen een dag."
    "\n- Elke school kan meekijken.\n\n| Rol | Taak |\n|---|---|\n| Docent | beoordeelt |\n"
    "| Student | levert in |\n"
)


class Rollback(Exception):
    pass


def _setup():
    User = get_user_model()
    suffix = str(int(time.time() * 1000))
    programme = Programme.objects.create(name=f"Bench annex {suffix}", slug=f"bench-annex-{suffix}")
    people = []
    for n in range(2):
        organisation = Organisation.objects.create(
            name=f"School {n + 1} {suffix}", slug=f"school-{n}-{suffix}"
        )
        Membership.objects.create(
            programme=programme,
            organisation=organisation,
            level=Membership.MemberLevel.CONTRIBUTOR,
        )
        person = User.objects.create(username=f"bench-annex-{n}-{suffix}", email=f"{n}@example.org")
        Affiliation.objects.create(user=person, organisation=organisation)
        people.append((person, organisation))
    lead = people[0][0]
    ProgrammeRole.objects.create(programme=programme, user=lead)
    return programme, lead, people


def _usecase_data(n: int, organisation) -> dict:
    steps = [
        {
            "id": f"s{k}",
            "actor": "Docent" if k % 2 else "Student",
            "text": f"Doet stap {k} van {n}.",
        }
        for k in range(1, 6)
    ]
    return {
        "primary_actor": "Docent",
        "supporting_actors": ["Student", "Roostermaker"],
        "trigger": "Een nieuwe periode begint.",
        "preconditions": "De groepen zijn bekend.",
        "success_guarantees": "Iedereen weet waar hij aan toe is.",
        "steps": steps,
        "extensions": [
            {
                "id": "e1",
                "at": "s2",
                "condition": "De gegevens zijn niet compleet.",
                "steps": [{"id": "x1", "actor": "Docent", "text": "Vraagt ze na."}],
            },
            {
                "id": "e2",
                "at": "s4",
                "condition": "De student is het niet eens.",
                "steps": [{"id": "x2", "actor": "Student", "text": "Maakt bezwaar."}],
            },
        ],
        "variants": [
            {
                "organisation": organisation.pk,
                "organisation_name": organisation.name,
                "target": "s3",
                "text": "Bij ons doet de teamleider dit.",
            }
        ],
    }


def build_programme(programme, lead, people) -> list[Document]:
    def create(kind, title, parent=None, body=TEXT):
        return wiki.document_create(
            programme=programme, kind=kind, title=title, body=body, author=lead, parent=parent
        )

    roots = [create(Document.Kind.VISION, "Visie")]
    works = []
    for m in range(MAIN):
        main = create(Document.Kind.MAIN_PROCESS, f"Hoofdproces {m + 1}")
        roots.append(main)
        for w in range(WORK_PER_MAIN):
            works.append(create(Document.Kind.WORK_PROCESS, f"Werkproces {m + 1}.{w + 1}", main))
    for n in range(USECASES):
        author, organisation = people[n % 2]
        document = usecases.usecase_create(
            programme=programme,
            parent=works[n % len(works)],
            title=f"Use case {n + 1}",
            data=_usecase_data(n + 1, organisation),
            author=author,
        )
        for person, _org in people:
            usecases.signoff_give(
                document=document, verdict=SignOff.Verdict.AGREE, remarks="", author=person
            )
    for t in range(TERMS):
        term = usecases.term_save(
            programme=programme, term=f"Begrip {t + 1}", definition="Wat het is.", author=lead
        )
        usecases.local_word_save(term=term, word=f"woord {t + 1}", author=people[1][0])
    return roots


def bench_annex(programme, lead, roots) -> dict:
    now = timezone.now()
    timebox = services.timebox_create(
        programme=programme,
        by=lead,
        name="Specificatiefase",
        starts_at=now - timedelta(hours=1),
        deadline=now + timedelta(days=1),
        subtrees=roots,
        reminder_offsets=[],
    )
    baseline = services.timebox_close(timebox=timebox, by=lead, outcome="Klaar.")
    results = {"documents": len(baseline.heads)}
    for fmt in ("pdf", "docx"):
        export = BaselineExport.objects.create(baseline=baseline, format=fmt, language="nl")
        start = time.perf_counter()
        built = services.baseline_export_build(export_id=export.pk)
        seconds = time.perf_counter() - start
        assert built.status == BaselineExport.Status.READY, built.error
        results[fmt] = {
            "seconds": round(seconds, 1),
            "pages": built.pages,
            "megabytes": round(built.size / 1_000_000, 2),
        }
    return results


def main() -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="stip-bench-annex-")
    results: dict = {"database": connection.vendor}
    try:
        with transaction.atomic():
            programme, lead, people = _setup()
            start = time.perf_counter()
            roots = build_programme(programme, lead, people)
            results["setup_seconds"] = round(time.perf_counter() - start, 1)
            results["annex"] = bench_annex(programme, lead, roots)
            raise Rollback
    except Rollback:
        pass
    annex = results["annex"]
    pdf, docx = annex["pdf"], annex["docx"]
    print(
        f"Annex of a baseline of {annex['documents']} documents: PDF {pdf['seconds']} s "
        f"({pdf['pages']} pages, {pdf['megabytes']} MB), Word {docx['seconds']} s "
        f"({docx['megabytes']} MB); the programme took {results['setup_seconds']} s to build"
    )
    results["goals"] = [
        {
            "goal": f"annex of a {annex['documents']}-document baseline as PDF (Celery task)",
            "measured": f"{pdf['seconds']} s, {pdf['pages']} pages",
            "target": "< 300 s",
            "met": pdf["seconds"] < 300,
        },
        {
            "goal": f"annex of a {annex['documents']}-document baseline as Word (Celery task)",
            "measured": f"{docx['seconds']} s",
            "target": "< 300 s",
            "met": docx["seconds"] < 300,
        },
    ]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
